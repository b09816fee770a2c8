/**
 * One simulated device: its behaviour (seeded from the run seed and its device key), its
 * clock and its per-device `seq`. It turns behaviour steps into contract payloads with
 * `ts` (ms) and `seq`, addressed with the topic grammar of src/contracts/topics.ts. Used
 * by the MQTT runner and by the offline runner alike.
 */
import { type DeviceRef, deviceKey } from '../src/contracts/device-types.ts';
import type { EventPayload, TelemetryPayload } from '../src/contracts/payloads.ts';
import { DEFAULT_TOPIC_ROOT, deviceTopic } from '../src/contracts/topics.ts';
import { createBehaviour, type Behaviour } from './behaviours/index.ts';
import { streamFor, type Rng } from './prng.ts';

/** What a simulated device needs to know about itself. `FleetDevice` is one. */
export interface SimDeviceSpec extends DeviceRef {
  building?: string;
  zone?: string;
}

export type SimMessage =
  | { channel: 'telemetry'; ref: DeviceRef; topic: string; payload: TelemetryPayload }
  | { channel: 'event'; ref: DeviceRef; topic: string; payload: EventPayload };

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
  /**
   * Steps the behaviour up to `nowMs` and returns the events of that interval (each stamped
   * with when it happened) followed by the telemetry sample at `nowMs`; `seq` increases by
   * one per message. A `nowMs` behind the clock counts as no time passing. No two messages
   * of a device share a millisecond (InfluxDB keeps one point per series and time): a
   * message that would is stamped a millisecond after the one before.
   */
  advance(nowMs: number): SimMessage[];
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
  let clock = Math.round(options.startMs);
  let seq = 0;
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
    advance(nowMs) {
      const now = Math.max(clock, Math.round(nowMs));
      const { telemetry, events } = behaviour.step((now - clock) * scale);
      const messages: SimMessage[] = [];
      for (const { atMs, ...event } of events) {
        const ts = stamp(Math.min(now, clock + Math.round(atMs / scale)));
        seq += 1;
        messages.push({ channel: 'event', ref, topic: eventTopic, payload: { ts, seq, ...event } });
      }
      seq += 1;
      messages.push({ channel: 'telemetry', ref, topic: telemetryTopic, payload: { ts: stamp(now), seq, ...telemetry } });
      clock = now;
      return messages;
    },
  };
}
