/**
 * One device cannot degrade the others (docs/reliability.md): a per-device message budget
 * (QoS 0 over it dropped and counted by device, QoS 1 over it held back, never dropped; a
 * persistent QoS 0 flooder disconnected), a keepalive that must end (0 refused), per-address
 * caps on open connections and on connections still waiting for their CONNECT, and refusals
 * counted once per connection and logged summarised. Real clients: MQTT.js and raw sockets.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.loader.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { writeUsersFile } from '../../src/testing/access.fixture.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { HUB_TEST_USERS, getJson, writeFleetRegistry } from '../helpers/test-hub.ts';
import { brokerRefused, metricValue } from '../helpers/metrics.ts';
import { connectPacket, openRaw, type RawConnection } from '../helpers/raw-mqtt.ts';

interface TestHub {
  hub: Hub;
  devices: FleetDevice[];
  /** The hub's log lines (JSON) so far. */
  logs: Array<Record<string, unknown>>;
}

const hubs: TestHub[] = [];
const clients: MqttClient[] = [];
const raws: RawConnection[] = [];
const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];

/** A live-only hub with `env`, whose log is kept. */
async function limitedHub(label: string, env: Record<string, string>): Promise<TestHub> {
  const dir = await tempDir(`limits-${label}`);
  dirs.push(dir);
  const registry = await writeFleetRegistry(dir.path, ['r1']);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({
    USERS_FILE: await writeUsersFile(HUB_TEST_USERS), HTTP_PORT: '0', MQTT_PORT: '0', DEMO: 'off', INFLUX_MANAGED: 'off',
    DATA_DIR: dir.path, REGISTRY_FILE: registry.file, ...env,
  });
  const hub = await startHub(config, pino({ level: 'warn' }, sink));
  const test = { hub, devices: registry.devices, logs };
  hubs.push(test);
  return test;
}

const find = (t: TestHub, type: FleetDevice['type'], n = 0) => t.devices.filter((d) => d.type === type)[n]!;

async function connectAs(t: TestHub, device: FleetDevice, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(t.hub.info.brokerUrl, { username: device.key, password: device.secret, clientId: device.key, reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

async function raw(t: TestHub): Promise<RawConnection> {
  const conn = await openRaw(t.hub.info.brokerUrl);
  raws.push(conn);
  return conn;
}

const accepted = (t: TestHub, type: string) => metricValue(t.hub, 'compound_hub_readings_accepted_total', { type });
const rateLimited = (t: TestHub, device: FleetDevice, outcome: 'dropped' | 'delayed') =>
  metricValue(t.hub, 'compound_hub_broker_rate_limited_total', { device: device.key, outcome });

afterAll(async () => {
  for (const conn of raws) conn.socket.destroy();
  await Promise.all(clients.map((c) => c.endAsync(true)));
  for (const t of hubs) await t.hub.stop();
  for (const dir of dirs) await dir.remove();
});

describe('per-device message rate', () => {
  let t: TestHub;
  // A budget of 100 messages that does not refill within the test.
  beforeAll(async () => (t = await limitedHub('rate', { MQTT_DEVICE_RATE: '0.001', MQTT_DEVICE_BURST: '100', MQTT_FLOOD_DISCONNECT: 'off' })));

  it('drops QoS 0 over the budget, counts it by device, and leaves the other devices their own budget', async () => {
    const flooder = find(t, 'parking');
    const other = find(t, 'elevator');
    const flood = await connectAs(t, flooder);
    const topic = deviceTopic('compounds', flooder, 'telemetry');
    for (let seq = 1; seq <= 180; seq += 1) flood.publish(topic, JSON.stringify({ seq, occupied: seq % 2 === 0 }), { qos: 0 });
    await expect.poll(async () => (await accepted(t, 'parking')) + (await rateLimited(t, flooder, 'dropped'))).toBe(180);
    expect(await accepted(t, 'parking')).toBe(100);
    expect(await rateLimited(t, flooder, 'dropped')).toBe(80);
    // Not a persistent offender here (MQTT_FLOOD_DISCONNECT=off): still connected.
    expect(flood.connected).toBe(true);

    const normal = await connectAs(t, other);
    for (let seq = 1; seq <= 10; seq += 1) await normal.publishAsync(deviceTopic('compounds', other, 'telemetry'), JSON.stringify({ seq, floor: seq }), { qos: 1 });
    await expect.poll(() => accepted(t, 'elevator')).toBe(10);
    expect(await rateLimited(t, other, 'dropped')).toBe(0);
    expect((await getJson(t.hub, `/api/devices/${other.key}`)).fields.floor).toBe(10);
  });

  it('refuses keepalive 0 and a keepalive over MQTT_MAX_KEEPALIVE (default 15 min) with CONNACK 2, once per connection', async () => {
    const manhole = find(t, 'manhole');
    const before = await brokerRefused(t.hub, 'connect', 'keepalive');
    await expect(connectAs(t, manhole, { keepalive: 0 })).rejects.toThrow(/Identifier rejected/i);
    for (const keepaliveSec of [0, 901, 65_535]) {
      const conn = await raw(t);
      await conn.write(connectPacket({ clientId: manhole.key, username: manhole.key, password: manhole.secret, keepaliveSec }));
      expect(await conn.connack()).toBe(2);
      await conn.closed;
    }
    expect(await brokerRefused(t.hub, 'connect', 'keepalive')).toBe(before + 4);
    const fine = await connectAs(t, manhole, { keepalive: 900 });
    expect(fine.connected).toBe(true);
  });
});

describe('a persistent flooder', () => {
  let t: TestHub;
  beforeAll(async () => (t = await limitedHub('flood', { MQTT_DEVICE_RATE: '50', MQTT_DEVICE_BURST: '10', MQTT_FLOOD_DISCONNECT: '1s' })));

  it('holds QoS 1 over the budget back instead of dropping it: every message acknowledged and taken', async () => {
    const device = find(t, 'manhole');
    const client = await connectAs(t, device);
    const topic = deviceTopic('compounds', device, 'telemetry');
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.publishAsync(topic, JSON.stringify({ seq: i + 1, tiltDeg: 1 }), { qos: 1 })));
    await expect.poll(() => accepted(t, 'manhole')).toBe(60);
    expect(await rateLimited(t, device, 'dropped')).toBe(0);
    expect(await rateLimited(t, device, 'delayed')).toBeGreaterThan(0);
    expect(client.connected).toBe(true);
  });

  it('disconnects a device that keeps flooding QoS 0 past MQTT_FLOOD_DISCONNECT, counted once; another device is not held up', async () => {
    const flooder = find(t, 'parking');
    const other = find(t, 'elevator');
    const flood = await connectAs(t, flooder);
    const normal = await connectAs(t, other);
    const closed = new Promise<void>((resolve) => flood.once('close', () => resolve()));
    let ended = false;
    void closed.then(() => (ended = true));
    const topic = deviceTopic('compounds', flooder, 'telemetry');
    let seq = 0;
    // As fast as the socket takes it, until the broker ends the connection.
    while (!ended) {
      for (let i = 0; i < 200; i += 1) flood.publish(topic, JSON.stringify({ seq: (seq += 1), occupied: true }), { qos: 0 });
      await new Promise((resolve) => setImmediate(resolve));
      // The other device's QoS 1 messages are acknowledged meanwhile.
      if (seq % 2000 === 0) await normal.publishAsync(deviceTopic('compounds', other, 'telemetry'), JSON.stringify({ seq: seq / 2000, floor: 1 }), { qos: 1 });
    }
    await closed;
    expect(await brokerRefused(t.hub, 'publish', 'rate_limit')).toBe(1);
    expect(await rateLimited(t, flooder, 'dropped')).toBeGreaterThan(0);
    expect(normal.connected).toBe(true);
    await normal.publishAsync(deviceTopic('compounds', other, 'telemetry'), JSON.stringify({ seq: 1_000_000, floor: 2 }), { qos: 1 });
    await expect.poll(async () => (await getJson(t.hub, `/api/devices/${other.key}`)).fields.floor).toBe(2);
  });
});

describe('per-address caps and summarised refusals', () => {
  let t: TestHub;
  beforeAll(async () => (t = await limitedHub('caps', { MQTT_MAX_CONNECTIONS_PER_ADDRESS: '5', MQTT_MAX_PENDING_PER_ADDRESS: '3' })));

  it('closes a connection over the cap of ones waiting for CONNECT, and over the cap of open ones, before reading it', async () => {
    const silent = [await raw(t), await raw(t), await raw(t)];
    const refusedPending = await raw(t);
    await refusedPending.closed;
    expect(refusedPending.received().length).toBe(0);
    expect(await brokerRefused(t.hub, 'connect', 'address_pending')).toBe(1);

    // Once they have sent their CONNECT they no longer wait: two more fit, the sixth does not.
    const [a, b, c] = [find(t, 'elevator', 0), find(t, 'elevator', 1), find(t, 'manhole', 0)];
    for (const [conn, d] of [[silent[0]!, a], [silent[1]!, b], [silent[2]!, c]] as const) {
      await conn.write(connectPacket({ clientId: d.key, username: d.key, password: d.secret }));
      expect(await conn.connack()).toBe(0);
    }
    const more = [await connectAs(t, find(t, 'manhole', 1)), await connectAs(t, find(t, 'parking', 0))];
    const refusedOpen = await raw(t);
    await refusedOpen.closed;
    expect(refusedOpen.received().length).toBe(0);
    expect(await brokerRefused(t.hub, 'connect', 'address_connections')).toBe(1);
    const over = find(t, 'parking', 1);
    await expect(mqtt.connectAsync(t.hub.info.brokerUrl, { username: over.key, password: over.secret, clientId: over.key, reconnectPeriod: 0 }, false)).rejects.toThrow();
    expect(await brokerRefused(t.hub, 'connect', 'address_connections')).toBe(2);

    // Closing one makes room again.
    await more[0]!.endAsync();
    await expect.poll(async () => (await getJson(t.hub, '/readyz')).broker.clients).toBe(4);
    const fits = await connectAs(t, find(t, 'parking', 1));
    expect(fits.connected).toBe(true);
    for (const conn of silent) conn.socket.destroy();
    await Promise.all([...more.slice(1), fits].map((client) => client.endAsync()));
  });

  it('counts 200 refused connections one by one and writes one log line for them, not 200', async () => {
    await expect.poll(async () => (await getJson(t.hub, '/readyz')).broker.clients).toBe(0);
    const elevator = find(t, 'elevator');
    const before = await brokerRefused(t.hub, 'connect', 'bad_credentials');
    const linesBefore = t.logs.filter((l) => l.reason === 'bad_credentials').length;
    for (let round = 0; round < 40; round += 1) {
      const batch = await Promise.all(Array.from({ length: 5 }, () => raw(t)));
      for (const conn of batch) await conn.write(connectPacket({ clientId: elevator.key, username: elevator.key, password: 'wrong' }));
      for (const conn of batch) {
        expect(await conn.connack()).toBe(4);
        await conn.closed;
      }
    }
    expect(await brokerRefused(t.hub, 'connect', 'bad_credentials')).toBe(before + 200);
    // The first is written at once; the others wait for their interval's summary line (one per 10 s).
    expect(t.logs.filter((l) => l.reason === 'bad_credentials').length - linesBefore).toBeLessThan(5);
  });
});
