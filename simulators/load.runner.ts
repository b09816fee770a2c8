/**
 * The load generator (compound-sim --rate): every device of a fleet on its own MQTT
 * connection (or one shared connection), publishing contract-valid telemetry with a
 * per-device `seq` (and `ts`, unless `ts: false`) at a fixed total rate, or as fast as the broker acknowledges
 * (`rate: 'max'`). A device keeps at most `inflight` messages unacknowledged; at the end
 * the run waits for what is in flight and reports, per device, how many messages the
 * broker accepted, so a benchmark can count them again where they were stored.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceType } from '../src/contracts/device-types.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { FleetDevice } from './fleet.ts';
import { loadMessage, type LoadMessage } from './load.payloads.ts';
import { streamFor, type Rng } from './prng.ts';

export interface LoadSpec {
  url: string;
  devices: readonly FleetDevice[];
  qos: 0 | 1;
  /** Messages per second over the whole fleet, or 'max': as fast as the broker takes them. */
  rate: number | 'max';
  durationMs: number;
  /** Share of messages that carry values the default rules act on (0..1). */
  alertShare: number;
  /** Unacknowledged messages per device before it waits. */
  inflight: number;
  topicRoot: string;
  seed: number;
  connectConcurrency: number;
  connection: 'per-device' | 'shared';
  username?: string;
  password?: string;
  /**
   * How long to wait at the end for messages in flight and for the goodbye (default 60 s):
   * at QoS 0 a broker that pauses reading holds the last messages in the socket until then.
   */
  drainMs?: number;
  /**
   * Send `ts` (default true). false: messages without `ts`, as devices without a clock send
   * them; the hub stamps them on receipt, so a burst puts many in one millisecond.
   */
  ts?: boolean;
  /** Each message the broker took (QoS 1: acknowledged; QoS 0: written), with its device key (e.g. a delivery ledger). */
  onAcked?: (deviceKey: string, message: LoadMessage) => void;
}

export interface LoadStats {
  devices: number;
  connected: number;
  /** Messages handed to a connection. */
  sent: number;
  /** Messages the broker acknowledged (QoS 1), or that were written to the socket (QoS 0). */
  acked: number;
  errors: number;
  /** Times a device was due to publish but had `inflight` messages unacknowledged. */
  waits: number;
  lastError?: string;
}

export interface LoadReport extends LoadStats {
  qos: 0 | 1;
  rate: number | 'max';
  /** When the first message went out, ms epoch. */
  startedAt: number;
  /** From the first message to the last acknowledgement. */
  elapsedMs: number;
  /** Acknowledged messages per second over `elapsedMs`. */
  achievedRate: number;
  /** Device key → messages acknowledged (their `seq` run from 1 to this number). */
  perDevice: Record<string, number>;
}

export interface LoadRun {
  /** Resolves once every device is connected (rejects if one is refused). */
  readonly ready: Promise<void>;
  /** Resolves when the run has ended and drained. */
  readonly done: Promise<LoadReport>;
  stats(): LoadStats;
  /** Ends the run early (the report still comes through `done`). */
  stop(): void;
}

interface Publisher {
  device: FleetDevice;
  type: DeviceType;
  client?: MqttClient;
  telemetryTopic: string;
  eventTopic: string;
  rng: Rng;
  seq: number;
  lastTs: number;
  inflight: number;
  acked: number;
  /** A pump is scheduled (max rate). */
  scheduled: boolean;
}

const TICK_MS = 5;

export function startLoad(spec: LoadSpec): LoadRun {
  const stats: LoadStats = { devices: spec.devices.length, connected: 0, sent: 0, acked: 0, errors: 0, waits: 0 };
  const publishers: Publisher[] = spec.devices.map((device) => ({
    device,
    type: device.type,
    telemetryTopic: deviceTopic(spec.topicRoot, device, 'telemetry'),
    eventTopic: deviceTopic(spec.topicRoot, device, 'event'),
    rng: streamFor(`${device.key}#load`, spec.seed),
    seq: 0,
    lastTs: 0,
    inflight: 0,
    acked: 0,
    scheduled: false,
  }));
  const clients: MqttClient[] = [];
  let stopping = false;
  let stopNow: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopNow = resolve));
  const drained = new Set<() => void>();

  const fail = (error: Error) => {
    stats.errors += 1;
    stats.lastError = error.message;
  };

  const connect = async (clientId: string, username: string | undefined, password: string | undefined) => {
    const client = await mqtt.connectAsync(spec.url, {
      clientId,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      clean: true,
    });
    client.on('error', fail);
    clients.push(client);
    stats.connected += 1;
    return client;
  };

  const ready = (async () => {
    if (spec.connection === 'shared') {
      const client = await connect(`compound-load-${process.pid}`, spec.username, spec.password);
      for (const p of publishers) p.client = client;
      return;
    }
    let next = 0;
    const worker = async () => {
      while (next < publishers.length && !stopping) {
        const p = publishers[next++]!;
        p.client = await connect(p.device.key, p.device.key, p.device.secret);
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.connectConcurrency, publishers.length) }, worker));
  })();

  const withTs = spec.ts !== false;
  const publish = (p: Publisher) => {
    p.seq += 1;
    if (withTs) p.lastTs = Math.max(Date.now(), p.lastTs + 1);
    const message = loadMessage(p.type, p.rng, p.rng() < spec.alertShare, p.seq, withTs ? p.lastTs : undefined);
    p.inflight += 1;
    stats.sent += 1;
    p.client!.publish(message.channel === 'event' ? p.eventTopic : p.telemetryTopic, JSON.stringify(message.payload), { qos: spec.qos }, (error) => {
      p.inflight -= 1;
      if (error) fail(error);
      else {
        p.acked += 1;
        stats.acked += 1;
        spec.onAcked?.(p.device.key, message);
      }
      if (stopping && p.inflight === 0) for (const check of drained) check();
      if (spec.rate === 'max' && !stopping && p.inflight <= spec.inflight / 2) schedule(p);
    });
  };

  /** As fast as accepted: fill the device's window; it is filled again when half empty. */
  const pump = (p: Publisher) => {
    // Counted before the loop: at QoS 0 the client may call back at once.
    for (let room = spec.inflight - p.inflight; room > 0 && !stopping; room -= 1) publish(p);
  };
  const schedule = (p: Publisher) => {
    if (p.scheduled) return;
    p.scheduled = true;
    setImmediate(() => {
      p.scheduled = false;
      pump(p);
    });
  };

  const done = (async (): Promise<LoadReport> => {
    await ready;
    const started = Date.now();
    let lastAckAt = started;
    let timer: NodeJS.Timeout | undefined;
    if (spec.rate === 'max') {
      for (const p of publishers) pump(p);
    } else {
      const perMs = spec.rate / 1000;
      let cursor = 0;
      timer = setInterval(() => {
        let due = Math.floor((Date.now() - started) * perMs) - stats.sent - stats.waits;
        let tried = 0;
        while (due > 0 && tried < publishers.length) {
          const p = publishers[cursor]!;
          cursor = (cursor + 1) % publishers.length;
          if (p.inflight >= spec.inflight) {
            stats.waits += 1;
            tried += 1;
            due -= 1;
            continue;
          }
          tried = 0;
          due -= 1;
          publish(p);
        }
      }, TICK_MS);
    }
    let end: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((resolve) => (end = setTimeout(resolve, spec.durationMs)))]);
    stopping = true;
    clearInterval(timer);
    clearTimeout(end);
    // Wait for what is in flight, then say goodbye.
    const inflight = () => publishers.reduce((n, p) => n + p.inflight, 0);
    const drainUntil = Date.now() + (spec.drainMs ?? 60_000);
    if (inflight() > 0) {
      await new Promise<void>((resolve) => {
        const check = () => inflight() === 0 && resolve();
        drained.add(check);
        setTimeout(resolve, drainUntil - Date.now()).unref();
      });
    }
    // At QoS 0 nothing says the broker has read what was written. One QoS 1 message after the
    // rest (the device's own retained-style status) is acknowledged only once the broker has
    // handled everything before it on that connection; hanging up sooner cuts off the tail.
    if (spec.qos === 0) {
      const markers = publishers.filter((p, i) => p.client?.connected && (spec.connection === 'per-device' || i === 0));
      const acked = Promise.all(markers.map((p) => p.client!.publishAsync(deviceTopic(spec.topicRoot, p.device, 'status'), 'online', { qos: 1 }).catch(fail)));
      await Promise.race([acked, new Promise((resolve) => setTimeout(resolve, Math.max(0, drainUntil - Date.now())).unref())]);
    }
    lastAckAt = Date.now();
    // A connection the broker dropped is closed at once; the others say goodbye (within 5 s).
    const goodbyes = Promise.all(clients.map((c) => c.endAsync(!c.connected).catch(() => undefined)));
    await Promise.race([goodbyes, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    for (const c of clients) if (!c.disconnected) c.end(true); // whoever has not said goodbye by now
    const elapsedMs = Math.max(1, lastAckAt - started);
    return {
      ...stats,
      qos: spec.qos,
      rate: spec.rate,
      startedAt: started,
      elapsedMs,
      achievedRate: Math.round((stats.acked * 1000) / elapsedMs),
      perDevice: Object.fromEntries(publishers.map((p) => [p.device.key, p.acked])),
    };
  })();

  // A refused connection ends the run; `ready` carries the reason.
  ready.catch(() => stopNow());

  return {
    ready,
    done,
    stats: () => ({ ...stats }),
    stop: () => stopNow(),
  };
}
