/**
 * A device going offline, end to end: an elevator's connection dies, the broker publishes its
 * Last Will, the hub raises `device-offline`, dispatches it to the grid's worker and pushes it
 * to their socket; when the elevator is back the condition clears on the same alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Hub } from '../src/hub.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from './helpers/test-hub.ts';
import { connectLive } from './helpers/live-client.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let elevator: FleetDevice;

/** Connects as the elevator with its Last Will, says online and reports once. */
async function comeOnline(): Promise<mqtt.MqttClient> {
  const status = deviceTopic('compounds', elevator, 'status');
  const client = await mqtt.connectAsync(hub.info.brokerUrl, {
    username: elevator.key, clientId: elevator.key,
    password: elevator.secret,
    reconnectPeriod: 0,
    will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  await client.publishAsync(status, 'online', { qos: 1, retain: true });
  await client.publishAsync(deviceTopic('compounds', elevator, 'telemetry'), JSON.stringify({ floor: 3, direction: 'idle', doorOpen: false, moving: false, mode: 'normal' }), { qos: 1 });
  return client;
}

beforeAll(async () => {
  dir = await tempDir('offline');
  // Hour-long report intervals: only the Last Will can make a device offline within the test.
  const devices = buildFleet({ compounds: ['o1'], perCompound: { elevator: 1, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  elevator = devices[0]!;
  await writeFile(`${dir.path}/registry.json`, JSON.stringify(fleetToRegistry(devices)));
  await writeFile(`${dir.path}/alerts.json`, JSON.stringify({ grids: [{ id: 'g1', compounds: ['o1'], workers: ['wang'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: `${dir.path}/registry.json`, ALERTS_FILE: `${dir.path}/alerts.json` });
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

describe('a device going offline', () => {
  it('raises device-offline from its Last Will, dispatches and pushes it, and clears it when the device is back', async () => {
    const worker = await connectLive(hub, 'wang');
    expect((await worker.subscribe({ mine: true })).ok).toBe(true);
    const first = await comeOnline();
    await expect.poll(async () => (await getJson(hub, `/api/devices/o1/elevator/${elevator.device}`)).online).toBe(true);
    expect((await getJson(hub, '/api/alerts?compound=o1')).alerts).toEqual([]);

    // The connection dies without a DISCONNECT: the broker publishes the Last Will.
    first.stream.destroy();
    await expect.poll(async () => (await getJson(hub, `/api/devices/o1/elevator/${elevator.device}`)).online, { timeout: 5000 }).toBe(false);
    await expect
      .poll(async () => (await getJson(hub, '/api/alerts?compound=o1')).alerts.map((a: { ruleId: string; workflow: string; assignee: string; condition: string }) => [a.ruleId, a.workflow, a.assignee, a.condition]), { timeout: 5000 })
      .toEqual([['device-offline', 'dispatched', 'wang', 'active']]);
    await expect.poll(() => worker.batches.flatMap((b) => b.alerts).find((a) => a.ruleId === 'device-offline')?.assignee, { timeout: 5000 }).toBe('wang');

    const back = await comeOnline();
    await expect
      .poll(async () => (await getJson(hub, '/api/alerts?compound=o1')).alerts.map((a: { condition: string; count: number }) => a.condition), { timeout: 5000 })
      .toEqual(['cleared']);
    await back.endAsync();
    worker.close();
  });
});
