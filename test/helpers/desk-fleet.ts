/**
 * The alert desk's test setting: compounds h1 (翠苑一区) and h2 (西溪花园) with three elevators
 * each over buildings b1..b3 (quiet devices: a report interval of an hour, so none goes offline
 * during a test), one grid of workers wang and li over both, the named logins (named-users.ts),
 * and alerts raised the way real devices raise them: an MQTT event from the elevator itself.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { FLEET_KEY, getJson, type HubHandle } from './test-hub.ts';
import { publishAs } from './device-publish.ts';
import { writeNamedUsers } from './named-users.ts';

export interface DeskFleet {
  env: Record<string, string>;
  devices: FleetDevice[];
  elevator(compound: string, n: number): FleetDevice;
}

export async function writeDeskFleet(dir: string): Promise<DeskFleet> {
  const devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 3, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registryFile = path.join(dir, 'registry.json');
  await writeFile(registryFile, JSON.stringify(fleetToRegistry(devices, { compoundNames: { h1: '翠苑一区', h2: '西溪花园' } })));
  const alertsFile = path.join(dir, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'grid-01', compounds: ['h1', 'h2'], workers: ['wang', 'li'] }] }));
  return {
    env: { DATA_DIR: path.join(dir, 'data'), INFLUX_MANAGED: 'off', REGISTRY_FILE: registryFile, ALERTS_FILE: alertsFile, USERS_FILE: await writeNamedUsers() },
    devices,
    elevator: (compound, n) => devices.find((d) => d.compound === compound && d.device === `elev-${String(n).padStart(2, '0')}`)!,
  };
}

/** An elevator reports `event`; resolves with the id of the open alert it raised (once the hub has it). */
export async function raise(hub: HubHandle & { info: { brokerUrl: string } }, device: FleetDevice, event: string, ruleId: string): Promise<string> {
  await publishAs(hub.info.brokerUrl, device, 'event', { event });
  for (;;) {
    const { alerts } = await getJson<{ alerts: Array<{ id: string; deviceKey: string; ruleId: string }> }>(hub, `/api/alerts?open=true&compound=${device.compound}`);
    const found = alerts.find((a) => a.deviceKey === device.key && a.ruleId === ruleId);
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The desk tests' alerts: A1–A3 in h1 (trapped, e-bike, alarm button), B1–B2 in h2 (trapped, top overrun); their ids. */
export async function raiseDeskAlerts(hub: HubHandle & { info: { brokerUrl: string } }, fleet: DeskFleet): Promise<Record<'A1' | 'A2' | 'A3' | 'B1' | 'B2', string>> {
  return {
    A1: await raise(hub, fleet.elevator('h1', 1), 'trapped', 'elevator-trapped'),
    A2: await raise(hub, fleet.elevator('h1', 2), 'ebike_detected', 'elevator-ebike'),
    A3: await raise(hub, fleet.elevator('h1', 3), 'alarm_button', 'elevator-alarm-button'),
    B1: await raise(hub, fleet.elevator('h2', 1), 'trapped', 'elevator-trapped'),
    B2: await raise(hub, fleet.elevator('h2', 2), 'top_overrun', 'elevator-top-overrun'),
  };
}
