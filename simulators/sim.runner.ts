/**
 * Runs a simulated fleet against an MQTT broker. One connection per device (as real
 * devices do: the broker authenticates each one) or one shared connection (for brokers
 * without per-device accounts). Devices announce `online` (retained) with an `offline`
 * Last Will, publish telemetry every interval with jitter and events as they happen,
 * reconnect with jittered backoff, and say `offline` when stopped.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DEFAULT_TOPIC_ROOT, deviceTopic } from '../src/contracts/topics.ts';
import type { DeviceType } from '../src/contracts/device-types.ts';
import { BEHAVIOURS, type Behaviour } from './behaviours/index.ts';
import { createRng, seedFrom, type Rng } from './prng.ts';
import { SCENARIOS } from './scenarios.ts';
import type { FleetDevice } from './fleet.ts';

export interface SimulationOptions {
  url: string;
  devices: FleetDevice[];
  /** Overrides each device's report interval. */
  intervalMs?: number;
  scenario?: string;
  seed?: number;
  topicRoot?: string;
  qos?: 0 | 1;
  connection?: 'per-device' | 'shared';
  /** Credentials of the shared connection. */
  username?: string;
  password?: string;
  durationMs?: number;
  connectConcurrency?: number;
  logger?: Logger;
}

export interface SimulationStats {
  devices: number;
  connected: number;
  published: number;
  events: number;
  errors: number;
  byType: Record<DeviceType, number>;
}

export interface Simulation {
  /** Resolves once every device has connected once. */
  ready: Promise<void>;
  /** Resolves when the run ends (stop() or duration). */
  done: Promise<void>;
  stats(): SimulationStats;
  /** Forces a fault on a device (by key) right away. */
  fault(deviceKey: string, name: string): void;
  stop(): Promise<void>;
}

interface SimDevice {
  spec: FleetDevice;
  behaviour: Behaviour;
  rng: Rng;
  seq: number;
  faulted: { faulted: boolean };
  client?: MqttClient;
  timer?: NodeJS.Timeout;
  lastStep: number;
}

export function startSimulation(options: SimulationOptions): Simulation {
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const qos = options.qos ?? 1;
  const seed = options.seed ?? 1;
  const scenario = SCENARIOS[options.scenario ?? 'normal'];
  if (!scenario) throw new Error(`unknown scenario "${options.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const stats: SimulationStats = {
    devices: options.devices.length,
    connected: 0,
    published: 0,
    events: 0,
    errors: 0,
    byType: { elevator: 0, manhole: 0, fire_lane: 0, parking: 0 },
  };
  const devices: SimDevice[] = options.devices.map((spec) => {
    const rng = createRng(seedFrom(spec.key, seed));
    return { spec, rng, behaviour: BEHAVIOURS[spec.type](rng), seq: 0, faulted: { faulted: false }, lastStep: Date.now() };
  });
  const byKey = new Map(devices.map((d) => [d.spec.key, d]));
  let stopped = false;
  let shared: MqttClient | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const clientOf = (d: SimDevice) => d.client ?? shared;
  const publish = (d: SimDevice, channel: 'telemetry' | 'event', body: Record<string, unknown>) => {
    const client = clientOf(d);
    if (!client?.connected) return;
    d.seq += 1;
    const payload = JSON.stringify({ ts: Date.now(), seq: d.seq, ...body });
    client.publish(deviceTopic(root, d.spec, channel), payload, { qos }, (error) => {
      if (error) stats.errors += 1;
    });
    stats.published += 1;
    if (channel === 'event') stats.events += 1;
    else stats.byType[d.spec.type] += 1;
  };
  const tick = (d: SimDevice) => {
    if (stopped) return;
    const now = Date.now();
    scenario.beforeStep(d.behaviour, d.rng, d.faulted);
    const { telemetry, events } = d.behaviour.step(now - d.lastStep);
    d.lastStep = now;
    for (const event of events) publish(d, 'event', event);
    publish(d, 'telemetry', telemetry);
  };
  const schedule = (d: SimDevice) => {
    const interval = options.intervalMs ?? d.spec.reportIntervalSec * 1000;
    // First sample soon after connecting, then every interval with ±10 % jitter.
    const next = (delay: number) => {
      d.timer = setTimeout(() => {
        tick(d);
        next(interval * (0.9 + d.rng() * 0.2));
      }, delay);
    };
    next(Math.min(interval, 1000) * d.rng());
  };
  const connect = (username: string | undefined, password: string | undefined, clientId: string, will?: { topic: string }) =>
    mqtt.connect(options.url, {
      username,
      password,
      clientId,
      clean: true,
      reconnectPeriod: 1000 + Math.floor(Math.random() * 2000),
      connectTimeout: 10_000,
      ...(will ? { will: { topic: will.topic, payload: Buffer.from('offline'), qos: 1, retain: true } } : {}),
    });
  const onceConnected = (client: MqttClient) =>
    new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });

  const ready = (async () => {
    if (options.connection === 'shared') {
      shared = connect(options.username, options.password, `sim-shared-${seed}-${process.pid}`);
      shared.on('error', (error) => {
        stats.errors += 1;
        options.logger?.warn({ err: error.message }, 'simulator connection error');
      });
      shared.on('connect', () => {
        stats.connected = devices.length;
        for (const d of devices) shared?.publish(deviceTopic(root, d.spec, 'status'), 'online', { qos: 1, retain: true });
      });
      shared.on('close', () => (stats.connected = 0));
      await onceConnected(shared);
      for (const d of devices) schedule(d);
      return;
    }
    const queue = [...devices];
    const worker = async () => {
      for (let d = queue.shift(); d && !stopped; d = queue.shift()) {
        const device = d;
        const statusTopic = deviceTopic(root, device.spec, 'status');
        const client = connect(device.spec.key, device.spec.secret, `sim-${device.spec.compound}-${device.spec.type}-${device.spec.device}`, { topic: statusTopic });
        device.client = client;
        client.on('connect', () => {
          stats.connected += 1;
          client.publish(statusTopic, 'online', { qos: 1, retain: true });
        });
        client.on('offline', () => (stats.connected = Math.max(0, stats.connected - 1)));
        client.on('error', (error) => {
          stats.errors += 1;
          options.logger?.warn({ device: device.spec.key, err: error.message }, 'simulated device connection error');
        });
        await onceConnected(client);
        schedule(device);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.connectConcurrency ?? 50) }, worker));
  })();

  const stop = async () => {
    if (stopped) return done;
    stopped = true;
    for (const d of devices) clearTimeout(d.timer);
    const goodbye = async (client: MqttClient, topics: string[]) => {
      if (client.connected) {
        await Promise.all(topics.map((t) => client.publishAsync(t, 'offline', { qos: 1, retain: true }).catch(() => undefined)));
      }
      await client.endAsync(!client.connected);
    };
    if (shared) await goodbye(shared, devices.map((d) => deviceTopic(root, d.spec, 'status')));
    await Promise.all(devices.filter((d) => d.client).map((d) => goodbye(d.client!, [deviceTopic(root, d.spec, 'status')])));
    stats.connected = 0;
    finish();
  };
  if (options.durationMs !== undefined) setTimeout(() => void stop(), options.durationMs).unref();

  return {
    ready,
    done,
    stats: () => ({ ...stats, byType: { ...stats.byType } }),
    fault(key, name) {
      const d = byKey.get(key);
      if (!d) throw new Error(`no simulated device ${key}`);
      d.behaviour.fault(name);
      tick(d);
    },
    stop,
  };
}
