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

function connect(username: string, password: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(broker.url, { username, password, reconnectPeriod: 0, clientId: username, ...options });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

async function refusals(action: string, reason?: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'compound_hub_broker_refused_total');
  const values = metric?.values.filter((v) => v.labels.action === action && (reason === undefined || v.labels.reason === reason)) ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
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
    expect(await refusals('connect', 'bad_credentials')).toBe(2);
  });

  it("refuses another device's client id, a Last Will outside its own status topic and keepalive 0 at CONNECT", async () => {
    await expect(connect('c01/manhole/mh-1', FIXTURE_SECRET, { clientId: 'c01/elevator/elev-1' })).rejects.toThrow(/Identifier rejected/i);
    await expect(
      connect('c01/manhole/mh-1', FIXTURE_SECRET, { will: { topic: 'compounds/c01/elevator/elev-1/status', payload: Buffer.from('offline'), qos: 1, retain: true } }),
    ).rejects.toThrow(/Not authorized/i);
    await expect(connect('c01/manhole/mh-1', FIXTURE_SECRET, { keepalive: 0 })).rejects.toThrow(/Identifier rejected/i);
    expect([await refusals('connect', 'client_id'), await refusals('connect', 'will_topic'), await refusals('connect', 'keepalive')]).toEqual([1, 1, 1]);
    const own = await connect('c01/manhole/mh-1', FIXTURE_SECRET, { will: { topic: 'compounds/c01/manhole/mh-1/status', payload: Buffer.from('offline'), qos: 1, retain: true } });
    expect(own.connected).toBe(true);
    await own.endAsync();
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
    // Counted once per connection and reason, however many filters it was refused.
    expect(await refusals('subscribe', 'acl')).toBe(1);
  });

  it('stops promptly with devices still connected', async () => {
    const other = new EmbeddedBroker(
      { host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 },
      { registry: fixtureRegistry(), metrics: createHubMetrics(), logger: pino({ level: 'silent' }) },
    );
    await other.start();
    const client = mqtt.connect(other.url, { username: 'c01/elevator/elev-1', clientId: 'c01/elevator/elev-1', password: FIXTURE_SECRET, reconnectPeriod: 0 });
    clients.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await other.stop();
    await closed;
    expect(other.listening).toBe(false);
  });

  it('hands every QoS 1 message it acknowledged to the subscribers before it stops, when stopped in the middle of a burst', async () => {
    // Aedes sends a PUBACK before it hands the message on: a stop in between lost acknowledged messages.
    const burst = 20;
    let admitted = 0;
    let stopped: Promise<void> | undefined;
    const other: EmbeddedBroker = new EmbeddedBroker(
      { host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 },
      {
        registry: fixtureRegistry(),
        metrics: createHubMetrics(),
        logger: pino({ level: 'silent' }),
        // Asked as each publish is let through. With the last of the burst the hub is stopped (SIGTERM), after that
        // publish's PUBACK is sent and before Aedes hands it on (Aedes does that in a setImmediate queued after this one).
        whenReady: () => {
          admitted += 1;
          if (admitted === burst) setImmediate(() => (stopped = other.stop()));
          return undefined;
        },
      },
    );
    await other.start();
    const taken = new Set<string>();
    await other.subscribe('compounds/+/+/+/telemetry', (_topic, payload, done) => {
      taken.add(payload.toString());
      done();
    });
    const device = mqtt.connect(other.url, { username: 'c01/elevator/elev-1', clientId: 'c01/elevator/elev-1', password: FIXTURE_SECRET, reconnectPeriod: 0 });
    clients.push(device);
    await new Promise((resolve) => device.once('connect', resolve));
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const acknowledged: string[] = [];
    for (let seq = 0; seq < burst; seq += 1) {
      const payload = `{"seq":${seq}}`;
      device.publish('compounds/c01/elevator/elev-1/telemetry', payload, { qos: 1 }, (error) => error || acknowledged.push(payload));
    }
    await expect.poll(() => stopped !== undefined).toBe(true);
    await stopped;
    await closed;
    expect(acknowledged).toHaveLength(burst);
    expect(acknowledged.filter((payload) => !taken.has(payload))).toEqual([]);
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
