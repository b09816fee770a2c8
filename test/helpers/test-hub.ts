/** Starts the real hub in-process from environment-style settings, as `npm start` would. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.loader.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';

export const FLEET_KEY = 'integration-fleet-key';

/** Two compounds of every device type, registered in a registry file under `dir`. */
export async function writeFleetRegistry(dir: string, compounds: string[] = ['h1', 'h2']): Promise<{ file: string; devices: FleetDevice[] }> {
  const devices = buildFleet({ compounds, perCompound: { elevator: 2, manhole: 2, fire_lane: 1, parking: 2 }, fleetKey: FLEET_KEY, reportIntervalSec: 1 });
  const file = path.join(dir, 'registry.json');
  await writeFile(file, JSON.stringify(fleetToRegistry(devices)));
  return { file, devices };
}

export function startTestHub(env: Record<string, string>): Promise<Hub> {
  const config = loadConfig({
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    DEMO: 'off',
    LOG_LEVEL: 'silent',
    INFLUX_FLUSH_INTERVAL: '100ms',
    ...env,
  });
  return startHub(config, pino({ level: env.LOG_LEVEL ?? 'silent' }));
}

export async function getJson<T = any>(hub: Hub, url: string): Promise<T> {
  const res = await fetch(`${hub.info.httpUrl}${url}`);
  return (await res.json()) as T;
}
