/**
 * Runs simulated devices against an MQTT broker.
 *
 * - `per-device` (default): one connection per device, as real devices do: username
 *   `compound/type/device`, password its secret, client id `sim-<compound>-<type>-<device>`,
 *   Last Will a retained `offline` on its status topic. Connections open with bounded
 *   concurrency so a large fleet does not stampede the broker.
 * - `shared`: one connection publishes for every device (brokers without device accounts,
 *   load generation). It announces each device's status but cannot carry a will per device.
 *
 * Each device announces a retained `online`, sends its first sample soon after connecting,
 * then one every interval (±10 % jitter) plus its behaviour's events; it reconnects with
 * jittered backoff when the broker goes away. `stop()` says `offline` and disconnects.
 *
 * Outages a scenario puts a device in (sim.device.ts): while cut off it publishes nothing.
 * When its power goes, its connection drops without a goodbye once its last gasp is
 * acknowledged, so the broker publishes its Last Will (`shared`: the connection says
 * `offline` for it, as the will would); when the power is back it reconnects, says
 * `online` and reports again. An uplink outage keeps the connection (keepalive only):
 * nothing reaches the broker, so only the silence tells.
 */
import type { MqttClient } from 'mqtt';
import type { DeviceType } from '../src/contracts/device-types.ts';
import { DEFAULT_TOPIC_ROOT, deviceTopic } from '../src/contracts/topics.ts';
import type { FaultName } from './behaviours/index.ts';
import { openLink, type Backoff, type ClientFactory, type Link, type LinkOptions } from './mqtt.link.ts';
import { streamFor, type Rng } from './prng.ts';
import { resolveScenario, type Scenario } from './scenarios/index.ts';
import { createSimDevice, statusChange, type SimDevice, type SimDeviceSpec, type SimMessage } from './sim.device.ts';

/** A device to run: a `FleetDevice` is one. */
export interface RunnableDevice extends SimDeviceSpec {
  /** MQTT password in per-device mode. */
  secret?: string;
  /** Used when `intervalMs` is not given (default 60). */
  reportIntervalSec?: number;
}

export type ConnectionMode = 'per-device' | 'shared';

/** The slice of a pino logger the runner uses. */
export interface SimLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SimulationOptions {
  url: string;
  devices: readonly RunnableDevice[];
  /** Report interval of every device; default each device's `reportIntervalSec`. */
  intervalMs?: number;
  /** A scenario name (`normal`, `faults`) or a scenario; default `normal`. */
  scenario?: string | Scenario;
  /** Default 1. */
  seed?: number;
  topicRoot?: string;
  /** QoS of telemetry and events (status is always QoS 1); default 1. */
  qos?: 0 | 1;
  connection?: ConnectionMode;
  /** Credentials and client id of the shared connection. */
  username?: string;
  password?: string;
  clientId?: string;
  /** TLS on mqtts:// and wss://: the CA to trust; the shared connection's certificate and key. */
  tls?: LinkOptions['tls'];
  /** Stop on its own after this long. */
  durationMs?: number;
  /** Connection attempts in flight at once (per-device mode); default 50. */
  connectConcurrency?: number;
  /** Simulated time per wall-clock time for behaviours and scenarios; default 1. */
  timeScale?: number;
  reconnect?: Backoff;
  logger?: SimLogger;
  /** Each telemetry or event message the broker took (QoS 1: once acknowledged), with its device key. */
  onPublished?: (deviceKey: string, message: SimMessage) => void;
  /** For tests: how MQTT clients are made (default mqtt.connect). */
  createClient?: ClientFactory;
}

export interface SimulationStats {
  devices: number;
  /** Devices whose connection is up (all of them or none in shared mode). */
  connected: number;
  /** Telemetry and event messages the broker took (QoS 1: acknowledged). */
  published: number;
  /** Of which events. */
  events: number;
  /** Telemetry messages published, per device type. */
  byType: Record<DeviceType, number>;
  /** Connection errors and failed publishes. */
  errors: number;
  /** Messages not sent because the device's connection was down. */
  dropped: number;
  /** Times a connection came back after being up. */
  reconnects: number;
  lastError?: string;
}

export interface Simulation {
  /**
   * Resolves once every device (or the shared connection) has connected once. Rejects with
   * a ConnectionRefusedError if the broker refuses credentials, or with an Error if the run
   * is stopped first.
   */
  ready: Promise<void>;
  /** Resolves when the run has ended (stop() or durationMs). */
  done: Promise<void>;
  stats(): SimulationStats;
  /**
   * Forces a fault on a device (`compound/type/device`) and steps it at once: the fault
   * takes effect from the device's last sample, and its events and sample go out now.
   */
  fault(deviceKey: string, name: FaultName): void;
  /** Ends a device's forced fault, likewise. */
  recover(deviceKey: string): void;
  stop(): Promise<void>;
}

/** `ready` rejects with this when the broker refuses a device's (or the shared) credentials. */
export class ConnectionRefusedError extends Error {
  override name = 'ConnectionRefusedError';
}

interface Running {
  sim: SimDevice;
  statusTopic: string;
  secret: string | undefined;
  intervalMs: number;
  timing: Rng;
  link?: Link;
  timer?: NodeJS.Timeout;
  everUp: boolean;
  /** What it reported on the step its power came back, before its link was up again: sent once it is. */
  backlog: SimMessage[];
}

export function startSimulation(options: SimulationOptions): Simulation {
  if (options.devices.length === 0) throw new Error('no devices to simulate');
  if (options.intervalMs !== undefined && !(options.intervalMs > 0)) throw new Error('intervalMs must be positive');
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const qos = options.qos ?? 1;
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  const mode = options.connection ?? 'per-device';
  const driver = resolveScenario(options.scenario).start();
  const log = options.logger;
  const startedAt = Date.now();

  const stats: SimulationStats = {
    devices: options.devices.length,
    connected: 0,
    published: 0,
    events: 0,
    byType: { elevator: 0, manhole: 0, fire_lane: 0, parking: 0 },
    errors: 0,
    dropped: 0,
    reconnects: 0,
  };
  const running: Running[] = options.devices.map((spec) => {
    const sim = createSimDevice(spec, { seed, startMs: startedAt, topicRoot: root, timeScale });
    return {
      sim,
      statusTopic: deviceTopic(root, spec, 'status'),
      secret: spec.secret,
      intervalMs: options.intervalMs ?? (spec.reportIntervalSec ?? 60) * 1000,
      timing: streamFor(`${sim.key}#timing`, seed),
      everUp: false,
      backlog: [],
    };
  });
  const byKey = new Map(running.map((d) => [d.sim.key, d]));
  if (byKey.size !== running.length) throw new Error('devices: the same device is listed twice');

  let stopped = false;
  let shared: Link | undefined;
  let connectedOnce = 0;
  let settleReady!: (error?: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    let settled = false;
    settleReady = (error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
  });
  // Callers that never await `ready` (a demo) must not see an unhandled rejection.
  ready.catch(() => undefined);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const noteError = (message: string) => {
    stats.errors += 1;
    stats.lastError = message;
  };

  const linkOf = (d: Running) => (mode === 'shared' ? shared : d.link);

  /** Settles when the broker took the message (or it failed). */
  const publish = (client: MqttClient, d: Running, message: SimMessage) =>
    new Promise<void>((resolve) => {
      client.publish(message.topic, JSON.stringify(message.payload), { qos }, (error) => {
        resolve();
        if (error) {
          noteError(`${d.sim.key}: publish failed: ${error.message}`);
          return;
        }
        stats.published += 1;
        if (message.channel === 'event') stats.events += 1;
        else stats.byType[d.sim.spec.type] += 1;
        options.onPublished?.(d.sim.key, message);
      });
    });

  /** The shared connection speaks for a device whose own will it cannot carry. */
  const sayForDevice = (d: Running, status: 'online' | 'offline') => {
    if (shared?.connected) shared.client.publish(d.statusTopic, status, { qos: 1, retain: true });
  };

  /** Its power went (and it has had its last gasp): its link drops without a goodbye, so the broker publishes its will. */
  const powerOff = (d: Running) => {
    if (stopped || d.sim.outage !== 'power') return; // back already
    if (mode === 'shared') sayForDevice(d, 'offline');
    else d.link?.cut();
  };

  /** Its power is back: it boots and reconnects (`onUp` says `online`). */
  const powerOn = (d: Running) => {
    if (mode === 'shared') sayForDevice(d, 'online');
    else d.link?.restore();
  };

  /** One step of a device: the scenario, the behaviour, and its messages if it is online. */
  const tick = (d: Running) => {
    const before = d.sim.outage;
    driver.beforeStep(d.sim, (d.sim.clockMs - startedAt) * timeScale);
    const status = statusChange(before, d.sim.outage);
    if (status === 'online') powerOn(d);
    const messages = d.sim.advance(Date.now());
    const link = linkOf(d);
    if (status === 'online' && !link?.connected) {
      d.backlog = messages; // its first report after booting goes out once it has reconnected
      return;
    }
    if (!link?.connected) {
      stats.dropped += messages.length;
      if (status === 'offline') powerOff(d);
      return;
    }
    const sent = messages.map((message) => publish(link.client, d, message));
    if (status === 'offline') void Promise.all(sent).then(() => powerOff(d));
  };

  const schedule = (d: Running, delayMs: number) => {
    d.timer = setTimeout(() => {
      if (stopped) return;
      tick(d);
      schedule(d, d.intervalMs * (0.9 + d.timing() * 0.2));
    }, delayMs);
  };
  /** The first sample comes soon after the first connect. */
  const firstUp = (d: Running) => {
    if (d.everUp) return;
    d.everUp = true;
    connectedOnce += 1;
    schedule(d, d.timing() * Math.min(d.intervalMs, 1000));
  };

  const refusedError = (who: string, error: Error, hint: string) =>
    new ConnectionRefusedError(`${who}: the broker at ${options.url} refused the connection (${error.message}); ${hint}`);

  if (mode === 'shared') {
    shared = openLink({
      url: options.url,
      clientId: options.clientId ?? `sim-shared-${seed}-${process.pid}`,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      rng: streamFor('shared#backoff', seed),
      ...(options.reconnect ? { backoff: options.reconnect } : {}),
      ...(options.createClient ? { createClient: options.createClient } : {}),
      onUp(client, again) {
        stats.connected = running.length;
        if (again) stats.reconnects += 1;
        for (const d of running) client.publish(d.statusTopic, 'online', { qos: 1, retain: true });
        for (const d of running) firstUp(d);
        settleReady();
        log?.info({ devices: running.length, again }, 'shared simulator connection up');
      },
      onDown() {
        stats.connected = 0;
        log?.warn({}, 'shared simulator connection down; reconnecting');
      },
      onError(error, refused) {
        noteError(`shared connection: ${error.message}`);
        if (refused) settleReady(refusedError('shared connection', error, 'check --username/--password'));
      },
    });
  } else {
    const queue = [...running];
    const worker = async () => {
      for (let d = queue.shift(); d && !stopped; d = queue.shift()) {
        const device = d;
        device.link = openLink({
          url: options.url,
          // A device is only itself: its client id is its key, as its username (the embedded broker refuses any other).
          clientId: device.sim.key,
          username: device.sim.key,
          ...(device.secret !== undefined ? { password: device.secret } : {}),
          will: { topic: device.statusTopic, payload: 'offline' },
          // The CA only: a certificate names one device, and each device logs in as itself.
          ...(options.tls?.ca ? { tls: { ca: options.tls.ca } } : {}),
          rng: streamFor(`${device.sim.key}#backoff`, seed),
          ...(options.reconnect ? { backoff: options.reconnect } : {}),
          ...(options.createClient ? { createClient: options.createClient } : {}),
          onUp(client, again) {
            stats.connected += 1;
            if (again) stats.reconnects += 1;
            client.publish(device.statusTopic, 'online', { qos: 1, retain: true });
            for (const message of device.backlog.splice(0)) void publish(client, device, message);
            firstUp(device);
            if (connectedOnce === running.length) settleReady();
          },
          onDown() {
            stats.connected -= 1;
          },
          onError(error, refused) {
            noteError(`${device.sim.key}: ${error.message}`);
            log?.debug({ device: device.sim.key, err: error.message }, 'simulated device connection error');
            if (refused) {
              settleReady(refusedError(device.sim.key, error, "do the device secrets (--fleet-key) match the hub's registry?"));
            }
          },
        });
        await device.link.firstAttempt;
      }
    };
    const workers = Math.max(1, Math.min(options.connectConcurrency ?? 50, running.length));
    void Promise.all(Array.from({ length: workers }, worker));
  }

  let stopping: Promise<void> | undefined;
  const stopTimer = options.durationMs === undefined ? undefined : setTimeout(() => void stop(), options.durationMs);

  function stop(): Promise<void> {
    stopping ??= (async () => {
      stopped = true;
      clearTimeout(stopTimer);
      for (const d of running) clearTimeout(d.timer);
      settleReady(new Error('the simulation stopped before every device had connected'));
      if (shared) {
        await shared.close(running.map((d) => ({ topic: d.statusTopic, payload: 'offline' })));
      } else {
        await Promise.all(running.map((d) => d.link?.close([{ topic: d.statusTopic, payload: 'offline' }])));
      }
      stats.connected = 0;
      log?.info({ published: stats.published, errors: stats.errors }, 'simulation stopped');
      finish();
    })();
    return stopping;
  }

  const find = (key: string) => {
    const d = byKey.get(key);
    if (!d) throw new Error(`no simulated device ${key}`);
    return d;
  };

  return {
    ready,
    done,
    stats: () => ({ ...stats, byType: { ...stats.byType } }),
    fault(key, name) {
      const d = find(key);
      d.sim.behaviour.fault(name);
      if (!stopped) tick(d);
    },
    recover(key) {
      const d = find(key);
      d.sim.behaviour.recover();
      if (!stopped) tick(d);
    },
    stop,
  };
}
