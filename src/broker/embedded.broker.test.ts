import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import mqtt, { type MqttClient } from 'mqtt';
import { EmbeddedBroker } from './embedded.broker.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { FIXTURE_SECRET, fixtureRegistry } from '../testing/registry.fixture.ts';
import { HubError } from '../errors.ts';

const metrics = createHubMetrics();
const broker = new EmbeddedBroker(
  { host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 },
  { registry: fixtureRegistry(), metrics, logger: pino({ level: 'silent' }) },
);
const received: string[] = [];
const clients: MqttClient[] = [];

function connect(username: string, password: string): Promise<MqttClient> {
  const client = mqtt.connect(broker.url, { username, password, reconnectPeriod: 0, clientId: `t-${clients.length}` });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

async function refusals(action: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'compound_hub_broker_refused_total');
  return metric?.values.find((v) => v.labels.action === action)?.value ?? 0;
}

beforeAll(async () => {
  await broker.start();
  await broker.subscribe('compounds/+/+/+/telemetry', (topic, payload, done) => {
    received.push(`${topic} ${payload.toString()}`);
    done();
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.stop();
});

describe('EmbeddedBroker', () => {
  it('lets a registered device in and delivers its own telemetry to the hub', async () => {
    const device = await connect('c01/elevator/elev-1', FIXTURE_SECRET);
    await device.publishAsync('compounds/c01/elevator/elev-1/telemetry', '{"floor":2}', { qos: 1 });
    await expect.poll(() => received).toContain('compounds/c01/elevator/elev-1/telemetry {"floor":2}');
  });

  it('refuses wrong secrets and unknown devices at CONNECT', async () => {
    await expect(connect('c01/elevator/elev-1', 'wrong')).rejects.toThrow(/Bad username or password/i);
    await expect(connect('c09/elevator/ghost', FIXTURE_SECRET)).rejects.toThrow(/Bad username or password/i);
    expect(await refusals('connect')).toBe(2);
  });

  it('does not deliver a publish under another device topic, and counts it', async () => {
    const device = await connect('c01/manhole/mh-1', FIXTURE_SECRET);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish('compounds/c01/elevator/elev-1/telemetry', '{"floor":99}', { qos: 1 });
    await closed; // MQTT 3.1.1: an unauthorised publish ends the connection
    expect(received.some((r) => r.includes('"floor":99'))).toBe(false);
    expect(await refusals('publish')).toBe(1);
  });

  it('refuses subscriptions to other devices, # and $SYS', async () => {
    const device = await connect('c02/parking/park-1', FIXTURE_SECRET);
    const error = (await device
      .subscribeAsync(['#', '$SYS/#', 'compounds/c01/+/+/telemetry', 'compounds/c02/parking/park-1/command'])
      .then(() => undefined, (e: unknown) => e)) as { packet?: { granted: number[] } };
    expect(error.packet?.granted).toEqual([128, 128, 128, 0]);
    expect(await refusals('subscribe')).toBe(3);
  });

  it('stops promptly with devices still connected', async () => {
    const other = new EmbeddedBroker(
      { host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 },
      { registry: fixtureRegistry(), metrics: createHubMetrics(), logger: pino({ level: 'silent' }) },
    );
    await other.start();
    const client = mqtt.connect(other.url, { username: 'c01/elevator/elev-1', password: FIXTURE_SECRET, reconnectPeriod: 0 });
    clients.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await other.stop();
    await closed;
    expect(other.listening).toBe(false);
  });

  it('names the setting to change when its port is taken', async () => {
    const second = new EmbeddedBroker(
      { host: '127.0.0.1', port: Number(new URL(broker.url).port), topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 },
      { registry: fixtureRegistry(), metrics: createHubMetrics(), logger: pino({ level: 'silent' }) },
    );
    const error = await second.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).message).toMatch(/^MQTT_PORT: .* already in use/);
    await second.stop();
  });
});
