/**
 * No accepted reading vanishes (issue 12, point 1): readings without `ts` are stamped with the
 * hub's receive time, so a burst of one device puts many of them in one millisecond; readings
 * with a repeated `ts` share one too. InfluxDB keeps one point per series and timestamp, so
 * each must get a timestamp of its own (ns precision, a per-device tie-break). Real clients
 * (MQTT.js, mosquitto_pub) at QoS 0, 1 and 2, the embedded broker and an external Mosquitto
 * with a backlog replayed after a hub restart, a real InfluxDB 1.6.7; every reading the hub
 * accepted is counted again in InfluxDB by its `seq`.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { createHistoryQuery, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { DeviceType } from '../src/contracts/device-types.ts';
import type { Hub } from '../src/hub.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { checkDelivery, DeliveryLedger, lostRanges } from './helpers/delivery-check.ts';

const BURST = 200;
let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let broker: Mosquitto;
let devices: FleetDevice[];
let registryFile: string;
const hubs: Hub[] = [];

/** Telemetry of a device type that no default rule acts on. */
const QUIET: Record<DeviceType, object> = {
  parking: { occupied: true, spaceKind: 'resident' },
  manhole: { batteryPct: 90 },
  elevator: { floor: 3 },
  fire_lane: { occupied: false },
};

beforeAll(async () => {
  dir = await tempDir('kept');
  // As README.md asks of an external broker: no cap on what an offline session keeps.
  [influx, broker] = await Promise.all([startLocalInfluxd({ dataDir: `${dir.path}/influxdb` }), startMosquitto({ extraConfig: 'max_queued_messages 0' })]);
  const registry = await writeFleetRegistry(dir.path, ['k1', 'k2']);
  devices = registry.devices;
  registryFile = registry.file;
});
afterAll(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  await Promise.all([influx?.stop(), broker?.stop()]);
  await dir?.remove();
});

async function startHub(env: Record<string, string>): Promise<Hub> {
  const hub = await startTestHub({ REGISTRY_FILE: registryFile, INFLUX_URL: influx.url, ...env });
  hubs.push(hub);
  return hub;
}

async function stopHub(hub: Hub): Promise<void> {
  hubs.splice(hubs.indexOf(hub), 1);
  await hub.stop();
}

/** Telemetry and event readings the hub accepted so far. */
async function accepted(hub: Hub): Promise<number> {
  const metric = (await hub.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'compound_hub_readings_accepted_total');
  return (metric?.values ?? []).filter((v) => v.labels.kind !== 'status').reduce((sum, v) => sum + v.value, 0);
}

/** Waits until the hub has accepted `total` telemetry and event readings and InfluxDB has answered every line it holds. */
async function settled(hub: Hub, total: number): Promise<void> {
  await expect.poll(() => accepted(hub), { timeout: 30_000 }).toBe(total);
  await expect.poll(async () => (await getJson(hub, '/readyz')).storage.bufferedLines, { timeout: 30_000 }).toBe(0);
}

/** The i-th device of a type. */
const device = (type: DeviceType, i: number) => devices.filter((d) => d.type === type)[i]!;
const payloads = (d: FleetDevice, seqs: readonly number[], ts?: number) => seqs.map((seq) => JSON.stringify({ ...QUIET[d.type], seq, ...(ts !== undefined ? { ts } : {}) }));
const seqsOf = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

/**
 * Publishes the payloads as fast as one MQTT.js connection goes: all at once, or with at most
 * `window` unacknowledged (Mosquitto takes at most 20 QoS 2 messages in flight from a client:
 * max_inflight_messages). Resolves when the client has handed each to the broker (and, at
 * QoS 1/2, the broker acknowledged it).
 */
async function mqttJsBurst(url: string, d: FleetDevice, qos: 0 | 1 | 2, messages: string[], options: { auth?: boolean; topic?: string; window?: number } = {}): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 0,
    ...(options.auth === false ? {} : { clientId: d.key, username: d.key, password: d.secret }),
  });
  try {
    const topic = options.topic ?? deviceTopic('compounds', d, 'telemetry');
    let next = 0;
    const lane = async () => {
      while (next < messages.length) await client.publishAsync(topic, messages[next++]!, { qos });
    };
    await Promise.all(Array.from({ length: Math.min(options.window ?? messages.length, messages.length) }, lane));
  } finally {
    await client.endAsync();
  }
}

/** `mosquitto_pub -l`: one message per stdin line, as fast as it goes, on one connection. */
async function mosquittoPubBurst(url: string, d: FleetDevice, qos: 0 | 1 | 2, messages: string[], options: { auth?: boolean } = {}): Promise<void> {
  const { hostname, port } = new URL(url);
  const auth = options.auth === false ? [] : ['-i', d.key, '-u', d.key, '-P', d.secret];
  const child = spawn('mosquitto_pub', ['-h', hostname, '-p', port, ...auth, '-q', String(qos), '-t', deviceTopic('compounds', d, 'telemetry'), '-l'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(`${messages.join('\n')}\n`);
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
  if (code !== 0) throw new Error(`mosquitto_pub exited with ${code}: ${stderr}`);
}

/** Every seq published, checked against what InfluxDB holds: none lost, none stored twice, one point each. */
async function expectAllStored(settings: StoreSettings, sent: Array<{ device: FleetDevice; seqs: readonly number[] }>): Promise<void> {
  const ledger = new DeliveryLedger();
  for (const { device: d, seqs } of sent) for (const seq of seqs) ledger.record(d.key, { payload: { seq } });
  const report = await checkDelivery(settings, ledger);
  expect(lostRanges(report)).toEqual({});
  expect(report.duplicated).toEqual({});
  expect(report.stored).toBe(ledger.total);
}

describe('embedded broker: every accepted reading is a point of its own', () => {
  const settings: StoreSettings = { url: '', api: 'v1', database: 'kept_embedded' };
  let hub: Hub;
  let total = 0;

  beforeAll(async () => {
    settings.url = influx.url;
    hub = await startHub({ DATA_DIR: `${dir.path}/data-embedded`, INFLUX_DATABASE: settings.database });
  });

  it.each([0, 1, 2] as const)('a burst of %i-QoS readings without ts from one device (MQTT.js): each one stored, counted by seq', async (qos) => {
    const d = device('parking', qos);
    const seqs = seqsOf(BURST);
    await mqttJsBurst(hub.info.brokerUrl, d, qos, payloads(d, seqs));
    await settled(hub, (total += BURST));
    await expectAllStored(settings, [{ device: d, seqs }]);
  });

  it.each([0, 1, 2] as const)('a burst of %i-QoS readings without ts from one device (mosquitto_pub -l): each one stored, counted by seq', async (qos) => {
    const d = device('manhole', qos);
    const seqs = seqsOf(BURST);
    await mosquittoPubBurst(hub.info.brokerUrl, d, qos, payloads(d, seqs));
    await settled(hub, (total += BURST));
    await expectAllStored(settings, [{ device: d, seqs }]);
  });

  it('readings with one identical ts and different seq, telemetry and events, arriving out of order: each one stored, and history finds them all', async () => {
    const d = device('parking', 3);
    const ts = Date.now() - 60_000;
    // Blocks of 8 seqs, each block backwards (within the seq window: nothing is taken for a duplicate).
    const seqs = seqsOf(BURST / 8, 0).flatMap((block) => seqsOf(8, block * 8 + 1).reverse());
    expect(new Set(seqs)).toEqual(new Set(seqsOf(BURST)));
    await mqttJsBurst(hub.info.brokerUrl, d, 1, payloads(d, seqs, ts));
    const events = seqsOf(20, BURST + 1);
    await mqttJsBurst(hub.info.brokerUrl, d, 1, events.map((seq) => JSON.stringify({ event: seq % 2 ? 'vehicle_in' : 'vehicle_out', seq, ts })), { topic: deviceTopic('compounds', d, 'event') });
    await settled(hub, (total += BURST + events.length));
    await expectAllStored(settings, [{ device: d, seqs: [...seqs, ...events] }]);
    // A history query bounded by that very millisecond finds every point of it.
    const history = createHistoryQuery(settings);
    const points = await history.series({ type: 'parking', compound: d.compound, device: d.device, field: 'occupied', from: ts, to: ts });
    expect(points).toHaveLength(BURST);
    expect(points.every((p) => p.ts === ts)).toBe(true);
    const [latest] = await history.latest({ type: 'parking', compound: d.compound, device: d.device });
    expect(latest).toMatchObject({ ts, fields: { occupied: true, spaceKind: 'resident' } });
  });

  it('readings with a ts repeated across a hub restart: each one stored (the tie-break comes from seq, not from memory)', async () => {
    const d = device('elevator', 0);
    const ts = Date.now() - 30_000;
    await mosquittoPubBurst(hub.info.brokerUrl, d, 1, payloads(d, seqsOf(50), ts));
    await settled(hub, (total += 50));
    await stopHub(hub);
    hub = await startHub({ DATA_DIR: `${dir.path}/data-embedded`, INFLUX_DATABASE: settings.database });
    total = 0;
    await mosquittoPubBurst(hub.info.brokerUrl, d, 1, payloads(d, seqsOf(50, 51), ts));
    await settled(hub, (total += 50));
    await expectAllStored(settings, [{ device: d, seqs: seqsOf(100) }]);
  });
});

describe('external Mosquitto: the backlog of readings without ts, replayed after a hub restart', () => {
  const settings: StoreSettings = { url: '', api: 'v1', database: 'kept_external' };

  it('every message published while the hub was down (QoS 1 and 2, MQTT.js and mosquitto_pub) is stored once the hub is back', async () => {
    settings.url = influx.url;
    const env = { DATA_DIR: `${dir.path}/data-external`, INFLUX_DATABASE: settings.database, MQTT_URL: broker.url, MQTT_CLIENT_ID: 'hub-kept-it' };
    let hub = await startHub(env); // the hub's persistent session exists from here on
    await stopHub(hub);
    // A gateway forwards for its devices (anonymous on this test broker); a modem flushes its buffer.
    const backlog = [
      { device: device('parking', 0), seqs: seqsOf(600, 1001) },
      { device: device('parking', 1), seqs: seqsOf(600, 1001) },
      { device: device('manhole', 0), seqs: seqsOf(600, 1001) },
      { device: device('fire_lane', 0), seqs: seqsOf(300, 1001) },
    ];
    await Promise.all([
      mqttJsBurst(broker.url, backlog[0]!.device, 1, payloads(backlog[0]!.device, backlog[0]!.seqs), { auth: false }),
      mqttJsBurst(broker.url, backlog[1]!.device, 2, payloads(backlog[1]!.device, backlog[1]!.seqs), { auth: false, window: 16 }),
      mosquittoPubBurst(broker.url, backlog[2]!.device, 1, payloads(backlog[2]!.device, backlog[2]!.seqs), { auth: false }),
      mosquittoPubBurst(broker.url, backlog[3]!.device, 2, payloads(backlog[3]!.device, backlog[3]!.seqs), { auth: false }),
    ]);
    hub = await startHub(env);
    await settled(hub, 2100);
    await expectAllStored(settings, backlog);
  });
});
