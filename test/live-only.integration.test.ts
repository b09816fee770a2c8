/** Without any InfluxDB the hub still runs, shows devices live, and says loudly that nothing is stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Hub } from '../src/hub.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { apiFetch, getJson, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let device: Awaited<ReturnType<typeof writeFleetRegistry>>['devices'][number];
let elevators: Array<Awaited<ReturnType<typeof writeFleetRegistry>>['devices'][number]>;

beforeAll(async () => {
  dir = await tempDir('live-only');
  const registry = await writeFleetRegistry(dir.path, ['l1']);
  device = registry.devices.find((d) => d.type === 'fire_lane')!;
  elevators = registry.devices.filter((d) => d.type === 'elevator');
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file });
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

describe('live-only mode', () => {
  it('shows readings live, warns on /readyz and answers history with 503', async () => {
    expect(hub.info.liveOnly).toBe(true);
    expect(hub.info.storage).toMatch(/^LIVE-ONLY/);
    const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
    await client.publishAsync(deviceTopic('compounds', device, 'telemetry'), '{"occupied":true,"objectType":"car","confidence":0.9}', { qos: 1 });
    await expect.poll(async () => (await getJson(hub, `/api/devices/l1/fire_lane/${device.device}`)).fields.objectType).toBe('car');
    const ready = await getJson(hub, '/readyz');
    expect(ready.ready).toBe(true);
    expect(ready.storage.mode).toBe('live-only');
    expect(ready.warnings.join(' ')).toMatch(/LIVE-ONLY: no InfluxDB configured, nothing is stored/);
    const history = await apiFetch(hub, '/api/history/latest?type=fire_lane');
    expect(history.status).toBe(503);
    await client.endAsync();
  });

  it('a maintenance window keeps the elevator it covers from raising an alert; the other one alerts', async () => {
    const [inMaintenance, other] = elevators as [typeof device, typeof device];
    // A window over every rule of the elevator mutes its trapped-passenger rule too: only an admin may set it.
    const byManager = await postJson(hub, '/api/silences', { reason: '电梯年检', device: inMaintenance.key, durationMin: 60 }, 'zhao');
    expect(byManager.status).toBe(403);
    expect(((await byManager.json()) as { error: string }).error).toBe('SILENCE_NEEDS_ADMIN');
    const silence = await postJson(hub, '/api/silences', { reason: '电梯年检', device: inMaintenance.key, durationMin: 60 }, 'root');
    expect(silence.status).toBe(201);
    for (const elevator of [inMaintenance, other]) {
      const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
      await client.publishAsync(deviceTopic('compounds', elevator, 'event'), '{"event":"trapped"}', { qos: 1 });
      await client.endAsync();
    }
    await expect.poll(async () => (await getJson(hub, '/api/conditions?severity=critical')).conditions.length).toBe(2);
    const alerts = (await getJson(hub, '/api/alerts')).alerts;
    expect(alerts.map((a: { deviceKey: string }) => a.deviceKey)).toEqual([other.key]);
  });
});
