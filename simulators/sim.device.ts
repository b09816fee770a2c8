/**
 * One simulated device: its behaviour (seeded from the run seed and its device key), its
 * clock, its per-device `seq` and its outages. It turns behaviour steps into contract
 * payloads with `ts` (ms) and `seq`, addressed with the topic grammar of
 * src/contracts/topics.ts. Used by the MQTT runner and by the offline runner alike.
 */
import { type DeviceRef, deviceKey } from '../src/contracts/device-types.ts';
import type { EventPayload, TelemetryPayload } from '../src/contracts/payloads.ts';
import { DEFAULT_TOPIC_ROOT, deviceTopic, type DeviceStatus } from '../src/contracts/topics.ts';
import { createBehaviour, type Behaviour } from './behaviours/index.ts';
import { streamFor, type Rng } from './prng.ts';

/** What a simulated device needs to know about itself. `FleetDevice` is one. */
export interface SimDeviceSpec extends DeviceRef {
  building?: string;
  zone?: string;
}

/** What a device reports. */
export type SimMessage =
  | { channel: 'telemetry'; ref: DeviceRef; topic: string; payload: TelemetryPayload }
  | { channel: 'event'; ref: DeviceRef; topic: string; payload: EventPayload };

/** A status change on the broker: retained, the plain word on the wire. `ts`: when it is published (a status carries no time of its own). */
export interface SimStatusMessage {
  channel: 'status';
  ref: DeviceRef;
  topic: string;
  payload: DeviceStatus;
  ts: number;
}

/** What a run shows on the broker: the devices' reports and the changes of their status. */
export type RunMessage = SimMessage | SimStatusMessage;

/** A message's body on the wire: JSON, or the plain `online` / `offline` of a status. */
export function messageBody(message: RunMessage): string {
  return message.channel === 'status' ? message.payload : JSON.stringify(message.payload);
}

/** When a message was sent (a device stamps every message it makes). */
export function messageTime(message: RunMessage): number {
  return message.channel === 'status' ? message.ts : message.payload.ts!;
}

/**
 * Why a device sends nothing for a while (scenarios cut it off and restore it):
 * - `power`: its mains supply is off. It stops, and its MQTT connection ends without a
 *   goodbye, so the broker publishes its Last Will (`offline`); when the power is back it
 *   boots, reconnects, says `online` and reports again.
 * - `uplink`: the gateway or network between it and the broker is down. It runs on, but
 *   nothing it sends arrives and nothing is said for it (a dead gateway sends nothing, not
 *   even a will): the hub can only notice the silence. When the uplink is back it reports again.
 *
 * A device in either outage still steps its behaviour (an unpowered elevator stands where
 * it stopped, water keeps rising in a well), but what it would have sent is lost.
 */
export type Outage = 'power' | 'uplink';

/**
 * What the broker publishes on a device's status topic when its outage changes from
 * `before` to `after`: its will `offline` when its power goes, its own `online` when the
 * power is back; nothing for an uplink (an outage replaces the one before).
 */
export function statusChange(before: Outage | undefined, after: Outage | undefined): DeviceStatus | undefined {
  if (before !== 'power' && after === 'power') return 'offline';
  if (before === 'power' && after !== 'power') return 'online';
  return undefined;
}

export interface SimDeviceOptions {
  /** Run seed: the same seed and device key give the same behaviour. */
  seed: number;
  /** The device clock at creation, ms epoch. */
  startMs: number;
  topicRoot?: string;
  /** Simulated time per wall-clock time (default 1): 60 runs an hour of behaviour per minute. */
  timeScale?: number;
}

export interface SimDevice {
  readonly spec: SimDeviceSpec;
  readonly key: string;
  readonly behaviour: Behaviour;
  /** A stream for scenario decisions about this device, apart from the behaviour's own. */
  readonly scenarioRng: Rng;
  /** The last `seq` used; 0 before the first message. */
  readonly seq: number;
  /** The device clock: the time of the last step, ms epoch. */
  readonly clockMs: number;
  /** The outage the device is in, if any. */
  readonly outage: Outage | undefined;
  /**
   * Cuts the device off from its clock time on (the start of its next step), replacing an
   * outage it is in. A device whose power is cut still sends what it raised at that instant
   * (its last gasp: an elevator's monitoring unit reports `power_loss` from its backup cell).
   */
  cut(outage: Outage): void;
  /** Ends the outage from its clock time on: its next step is reported again. */
  restore(): void;
  /**
   * Steps the behaviour up to `nowMs` and returns the events of that interval (each stamped
   * with when it happened) followed by the telemetry sample at `nowMs`; `seq` increases by
   * one per message. A `nowMs` behind the clock counts as no time passing. No two messages
   * of a device share a millisecond (InfluxDB keeps one point per series and time): a
   * message that would is stamped a millisecond after the one before. In an outage the
   * behaviour steps all the same and nothing is returned (but a last gasp).
   */
  advance(nowMs: number): SimMessage[];
  /** A status message of this device, stamped at `atMs` (or just after its last message). */
  statusMessage(status: DeviceStatus, atMs: number): SimStatusMessage;
}

export function createSimDevice(spec: SimDeviceSpec, options: SimDeviceOptions): SimDevice {
  const key = deviceKey(spec);
  const ref: DeviceRef = { compound: spec.compound, type: spec.type, device: spec.device };
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new Error(`timeScale must be positive, got ${scale}`);
  const behaviour = createBehaviour(spec.type, streamFor(key, options.seed));
  const scenarioRng = streamFor(`${key}#scenario`, options.seed);
  const telemetryTopic = deviceTopic(root, ref, 'telemetry');
  const eventTopic = deviceTopic(root, ref, 'event');
  const statusTopic = deviceTopic(root, ref, 'status');
  let clock = Math.round(options.startMs);
  let seq = 0;
  let outage: Outage | undefined;
  /** The power was cut at the clock time, since the last step: that step's first instant is its last gasp. */
  let gasping = false;
  let lastTs = -Infinity;
  const stamp = (ts: number) => (lastTs = Math.max(ts, lastTs + 1));

  return {
    spec,
    key,
    behaviour,
    scenarioRng,
    get seq() {
      return seq;
    },
    get clockMs() {
      return clock;
    },
    get outage() {
      return outage;
    },
    cut(next) {
      gasping = next === 'power' && outage === undefined;
      outage = next;
    },
    restore() {
      outage = undefined;
      gasping = false;
    },
    advance(nowMs) {
      const now = Math.max(clock, Math.round(nowMs));
      const { telemetry, events } = behaviour.step((now - clock) * scale);
      const messages: SimMessage[] = [];
      for (const { atMs, ...event } of events) {
        if (outage && !(gasping && atMs === 0)) continue;
        const ts = stamp(Math.min(now, clock + Math.round(atMs / scale)));
        seq += 1;
        messages.push({ channel: 'event', ref, topic: eventTopic, payload: { ts, seq, ...event } });
      }
      if (!outage) {
        seq += 1;
        messages.push({ channel: 'telemetry', ref, topic: telemetryTopic, payload: { ts: stamp(now), seq, ...telemetry } });
      }
      gasping = false;
      clock = now;
      return messages;
    },
    statusMessage(status, atMs) {
      return { channel: 'status', ref, topic: statusTopic, payload: status, ts: stamp(Math.round(atMs)) };
    },
  };
}
