/**
 * The hub on an external Mosquitto with a persistent session: messages published while
 * the hub is down wait in the broker and are all stored once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { Hub } from '../src/hub.ts';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { countPerDevice } from './helpers/influx-counts.ts';
import { apiFetch, getJson, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let broker: Mosquitto;
let publisher: MqttClient;
let hub: Hub | undefined;
let env: Record<string, string>;
const settings = (): StoreSettings => ({ url: influx.url, api: 'v1', database: 'ext_it' });
const device = { compound: 'h1', type: 'parking' as const, device: 'park-01' };
let seq = 0;

async function publish(n: number) {
  const topic = deviceTopic('compounds', device, 'telemetry');
  for (let i = 0; i < n; i += 1) {
    seq += 1;
    await publisher.publishAsync(topic, JSON.stringify({ ts: Date.now() - 100_000 + seq, seq, occupied: seq % 2 === 0 }), { qos: 1 });
  }
}

beforeAll(async () => {
  dir = await tempDir('ext');
  [influx, broker] = await Promise.all([startLocalInfluxd({ dataDir: `${dir.path}/influxdb` }), startMosquitto()]);
  const registry = await writeFleetRegistry(dir.path);
  env = { DATA_DIR: `${dir.path}/data`, MQTT_URL: broker.url, MQTT_CLIENT_ID: 'hub-ext-it', INFLUX_URL: influx.url, INFLUX_DATABASE: 'ext_it', REGISTRY_FILE: registry.file };
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'device-gateway', reconnectPeriod: 0 });
});
afterAll(async () => {
  await publisher?.endAsync(true);
  await hub?.stop();
  await Promise.all([influx?.stop(), broker?.stop()]);
  await dir?.remove();
});

describe('hub on an external Mosquitto', () => {
  it('ingests from the broker and says so on /readyz', async () => {
    hub = await startTestHub(env);
    expect(hub.info.brokerUrl).toBe(broker.url);
    await publish(200);
    await expect.poll(() => countPerDevice(settings(), 'parking', 'occupied'), { timeout: 15_000 }).toEqual({ 'park-01': 200 });
    const ready = await getJson(hub, '/readyz');
    expect(ready.broker).toEqual({ kind: 'external', url: broker.url, connected: true });
  });

  it('loses no QoS 1 message published while the hub restarts', async () => {
    await hub!.stop();
    hub = undefined;
    await publish(300);
    hub = await startTestHub(env);
    await expect.poll(() => countPerDevice(settings(), 'parking', 'occupied'), { timeout: 20_000 }).toEqual({ 'park-01': 500 });
  });

  it('publishes its own retained status', async () => {
    const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const status = new Promise<string>((resolve) => watcher.on('message', (_t, p) => resolve(p.toString())));
    await watcher.subscribeAsync('compounds/_hub/status');
    expect(await status).toBe('online');
    await watcher.endAsync();
  });

  it('keeps each open alert on its retained MQTT topic and empties it when closed', async () => {
    // Rising water: an alert whose condition clears when the water goes down, so it can be closed.
    const manhole = { compound: 'h1', type: 'manhole' as const, device: 'mh-01' };
    const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const seen: Array<{ topic: string; payload: string }> = [];
    watcher.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await watcher.subscribeAsync('compounds/h1/alerts/#', { qos: 1 });
    await publisher.publishAsync(deviceTopic('compounds', manhole, 'telemetry'), JSON.stringify({ waterLevelCm: 200 }), { qos: 1 });
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const first = JSON.parse(seen.at(-1)!.payload);
    expect(first).toMatchObject({ ruleId: 'manhole-water-high', compound: 'h1', device: 'mh-01', field: 'waterLevelCm', value: 200 });
    expect(seen.at(-1)!.topic).toBe(`compounds/h1/alerts/${first.id}`);
    const post = (step: string, body: object, user: string) => postJson(hub!, `/api/alerts/${first.id}/${step}`, body, user);
    await post('accept', {}, 'root');
    await expect.poll(() => JSON.parse(seen.at(-1)!.payload || '{}').workflow).toBe('accepted');
    await post('resolve', { note: '已处理' }, 'root');
    await publisher.publishAsync(deviceTopic('compounds', manhole, 'telemetry'), JSON.stringify({ waterLevelCm: 20 }), { qos: 1 });
    await expect.poll(() => JSON.parse(seen.at(-1)!.payload || '{}').condition).toBe('cleared');
    expect((await post('close', {}, 'zhao')).status).toBe(200);
    await expect.poll(() => seen.at(-1)!.payload).toBe('');
    await watcher.endAsync();
    // A late subscriber finds no retained alert left for the closed one.
    const late = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const retained: string[] = [];
    late.on('message', (topic) => retained.push(topic));
    await late.subscribeAsync('compounds/h1/alerts/#');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(retained).toEqual([]);
    await late.endAsync();
  });
});
