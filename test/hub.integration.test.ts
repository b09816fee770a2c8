/**
 * The whole pipeline on real components: devices publish through the embedded broker
 * (authenticated, ACL'd), the hub validates and writes to a real influxd 1.6.7, and the
 * HTTP API shows live state, history, rejections and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { Hub } from '../src/hub.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { startSimulation } from '../simulators/sim.runner.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { countPerDevice } from './helpers/influx-counts.ts';
import { apiFetch, getJson, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: Hub;
let devices: FleetDevice[];
let settings: StoreSettings;
const clients: MqttClient[] = [];

const find = (compound: string, type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === compound && d.type === type)[n]!;

async function connectAs(device: FleetDevice, password = device.secret): Promise<MqttClient> {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, password, reconnectPeriod: 0, clientId: device.key });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  dir = await tempDir('hub');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path);
  devices = registry.devices;
  hub = await startTestHub({
    DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: 'hub_it', REGISTRY_FILE: registry.file, MAX_PAYLOAD_BYTES: '4096',
  });
  settings = { url: influx.url, api: 'v1', database: 'hub_it' };
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('hub pipeline: embedded broker → InfluxDB 1.6.7', () => {
  it('stores exactly the points devices publish, once each despite QoS 1 redeliveries', async () => {
    const targets = [find('h1', 'manhole', 0), find('h1', 'manhole', 1), find('h1', 'elevator', 0)];
    const base = Date.now() - 60_000;
    await Promise.all(
      targets.map(async (device) => {
        const client = await connectAs(device);
        const topic = deviceTopic('compounds', device, 'telemetry');
        const body = (seq: number) => (device.type === 'elevator' ? { floor: seq % 20, moving: false } : { tiltDeg: seq / 100, batteryPct: 80 });
        for (let seq = 1; seq <= 100; seq += 1) await client.publishAsync(topic, JSON.stringify({ ts: base + seq, seq, ...body(seq) }), { qos: 1 });
        // Redeliveries of already-seen sequence numbers are dropped.
        for (let seq = 1; seq <= 5; seq += 1) await client.publishAsync(topic, JSON.stringify({ ts: base + seq, seq, ...body(seq) }), { qos: 1 });
      }),
    );
    await expect.poll(() => countPerDevice(settings, 'manhole', 'tiltDeg', 'h1'), { timeout: 15_000 }).toEqual({ 'mh-01': 100, 'mh-02': 100 });
    // Another measurement: it may reach InfluxDB in a batch of its own, a moment later.
    await expect.poll(() => countPerDevice(settings, 'elevator', 'floor', 'h1'), { timeout: 15_000 }).toEqual({ 'elev-01': 100 });

    const series = await getJson(hub, `/api/history/series?type=manhole&compound=h1&device=mh-02&field=tiltDeg&from=${base}`);
    expect(series.points).toHaveLength(100);
    expect(series.points[41]).toEqual({ ts: base + 42, value: 0.42 });
    const dead = await getJson(hub, '/api/dead-letters?reason=duplicate_seq');
    expect(dead.items).toHaveLength(15);
    const device = await getJson(hub, '/api/devices/h1/manhole/mh-02');
    expect(device).toMatchObject({ online: true, fields: { tiltDeg: 1, batteryPct: 80 }, building: 'b2' });
  });

  it('stores every reading a simulated compound publishes, and tracks its status', async () => {
    const fleet = devices.filter((d) => d.compound === 'h2');
    const sim = startSimulation({ url: hub.info.brokerUrl, devices: fleet, intervalMs: 100, seed: 9, scenario: 'faults' });
    await sim.ready;
    await expect.poll(async () => (await getJson(hub, '/api/compounds')).compounds.find((c: { id: string }) => c.id === 'h2').online, { timeout: 10_000 }).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sim.stop();
    const stats = sim.stats();
    expect(stats.published).toBeGreaterThan(40);
    const h2 = async (type: string, field: string) => Object.values(await countPerDevice(settings, type, field, 'h2')).reduce((a, n) => a + n, 0);
    await expect.poll(() => h2('elevator', 'floor'), { timeout: 15_000 }).toBe(stats.byType.elevator);
    await expect.poll(() => h2('manhole', 'tiltDeg')).toBe(stats.byType.manhole);
    await expect.poll(() => h2('fire_lane', 'occupied')).toBe(stats.byType.fire_lane);
    await expect.poll(() => h2('parking', 'occupied')).toBe(stats.byType.parking);
    await expect.poll(async () => (await getJson(hub, '/api/devices?compound=h2&online=true')).devices.length).toBe(0);
  });

  it('refuses bad input with a counted reason and keeps running', async () => {
    const device = find('h1', 'parking', 0);
    const client = await connectAs(device);
    const topic = deviceTopic('compounds', device, 'telemetry');
    const bad: Array<[string, string]> = [
      ['{"occupied":', 'invalid_json'],
      ['{"occupied":true,"colour":"red"}', 'schema'],
      ['{"occupied":true,"__proto__":{"admin":true}}', 'schema'],
      ['{"occupied":1e999}', 'schema'],
      [`{"occupied":true,"ts":${Date.now() + 3_600_000}}`, 'future_timestamp'],
      [`{"occupied":true,"pad":"${'x'.repeat(5000)}"}`, 'too_large'],
    ];
    for (const [payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    await client.publishAsync(deviceTopic('compounds', device, 'status'), 'maybe', { qos: 1 });
    await client.publishAsync(topic, '{"occupied":true,"spaceKind":"fire"}', { qos: 1 });

    await expect.poll(async () => (await getJson(hub, '/api/devices/h1/parking/park-01')).fields).toEqual({ occupied: true, spaceKind: 'fire' });
    const dead = await getJson(hub, '/api/dead-letters?limit=7');
    expect(dead.items.map((r: { reason: string }) => r.reason).reverse()).toEqual([...bad.map(([, reason]) => reason), 'bad_status']);
    expect(dead.items.find((r: { reason: string }) => r.reason === 'too_large').sample.length).toBeLessThanOrEqual(200);
    const metrics = await (await apiFetch(hub, "/metrics")).text();
    expect(metrics).toMatch(/compound_hub_messages_rejected_total\{reason="schema"\} 3/);
    expect(metrics).toMatch(/compound_hub_messages_rejected_total\{reason="future_timestamp"\} 1/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((await fetch(`${hub.info.httpUrl}/healthz`)).status).toBe(200);
  });

  it('keeps devices in their own lane: wrong secrets, foreign topics and wildcards are refused', async () => {
    const elevator = find('h1', 'elevator', 1);
    await expect(connectAs(elevator, 'not-the-secret')).rejects.toThrow(/Bad username or password/i);
    const client = await connectAs(elevator);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(deviceTopic('compounds', find('h1', 'manhole', 1), 'telemetry'), '{"tiltDeg":45}', { qos: 1 });
    await closed;
    const spy = await connectAs(find('h1', 'fire_lane', 0));
    const refused = await spy.subscribeAsync('compounds/#').then(() => undefined, (e: { packet?: { granted: number[] } }) => e.packet?.granted);
    expect(refused).toEqual([128]);
    const latest = await getJson(hub, '/api/devices/h1/manhole/mh-02');
    expect(latest.fields.tiltDeg).not.toBe(45);
    const metrics = await (await apiFetch(hub, "/metrics")).text();
    expect(metrics).toMatch(/compound_hub_broker_refused_total\{action="connect",reason="bad_credentials"\} 1/);
    expect(metrics).toMatch(/compound_hub_broker_refused_total\{action="publish",reason="acl"\} 1/);
    expect(metrics).toMatch(/compound_hub_broker_refused_total\{action="subscribe",reason="acl"\} 1/);
  });

  it('raises rule conditions from what devices report: a trapped passenger at once', async () => {
    const elevator = find('h2', 'elevator', 1);
    const client = await connectAs(elevator);
    await client.publishAsync(deviceTopic('compounds', elevator, 'event'), JSON.stringify({ event: 'trapped', seq: 900_000 }), { qos: 1 });
    await expect
      .poll(async () => (await getJson(hub, '/api/conditions?compound=h2')).conditions.map((c: { ruleId: string; deviceKey: string }) => `${c.ruleId} ${c.deviceKey}`))
      .toContain(`elevator-trapped ${elevator.key}`);
    const trapped = (await getJson(hub, '/api/conditions?severity=critical')).conditions.find((c: { deviceKey: string }) => c.deviceKey === elevator.key);
    expect(trapped).toMatchObject({ ruleId: 'elevator-trapped', severity: 'critical', count: 1 });
    const metrics = await (await apiFetch(hub, "/metrics")).text();
    expect(metrics).toMatch(/compound_hub_conditions_total\{rule="elevator-trapped",severity="critical",change="raised"\} [1-9]/);
  });

  it('reports broker and storage on /readyz', async () => {
    const ready = await getJson(hub, '/readyz');
    expect(ready).toMatchObject({ ready: true, warnings: [], broker: { kind: 'embedded', connected: true }, storage: { mode: 'influxdb', api: 'v1', connected: true, spoolLines: 0 } });
    expect(ready.storage.pointsWritten).toBeGreaterThanOrEqual(300);
  });

  it('keeps every reading through an InfluxDB outage: spooled on disk, replayed once it is back', async () => {
    const device = find('h1', 'manhole', 1);
    const client = await connectAs(device);
    const topic = deviceTopic('compounds', device, 'event');
    const base = Date.now() - 30_000;
    let seq = 1000;
    const publish = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        seq += 1;
        await client.publishAsync(topic, JSON.stringify({ ts: base + seq, seq, event: 'impact' }), { qos: 1 });
      }
    };
    await publish(100);
    influx.kill('SIGKILL');
    await publish(300);
    await expect.poll(async () => (await getJson(hub, '/readyz')).storage.spoolLines, { timeout: 10_000 }).toBeGreaterThan(0);
    const during = await getJson(hub, '/readyz');
    expect(during.storage.connected).toBe(false);
    expect(during.warnings.join(' ')).toMatch(/InfluxDB unreachable/);
    await influx.restart();
    await publish(100);
    await expect.poll(async () => (await getJson(hub, '/readyz')).storage.spoolLines, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => countPerDevice(settings, 'manhole', 'event', 'h1'), { timeout: 10_000 }).toEqual({ 'mh-02': 500 });
  });
});
