/**
 * Payloads of the load generator: contract-valid telemetry of every device type with `seq`
 * and `ts` (or without `ts`, for devices that leave the time to the hub), cheap to make (the generator must outrun the hub), and with a share of values
 * that the default rule pack acts on: an elevator alarm button and gas in a manhole raise an
 * alert at once; a blocked fire lane and a taken fire-engine space start a duration clock.
 */
import type { DeviceType } from '../src/contracts/device-types.ts';
import type { EventPayload, TelemetryPayload } from '../src/contracts/payloads.ts';
import type { Rng } from './prng.ts';

export interface LoadMessage {
  channel: 'telemetry' | 'event';
  payload: TelemetryPayload | EventPayload;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const tenths = (x: number) => Math.round(x * 10) / 10;

const NORMAL: Record<DeviceType, (rng: Rng) => TelemetryPayload> = {
  elevator: (rng) => {
    const moving = rng() < 0.5;
    return {
      floor: Math.floor(rng() * 30) - 2,
      direction: moving ? pick(rng, ['up', 'down']) : 'idle',
      doorOpen: !moving && rng() < 0.3,
      moving,
      speed: moving ? tenths(1 + rng()) : 0,
      loadPct: tenths(rng() * 80),
      occupied: rng() < 0.6,
      mode: 'normal',
    };
  },
  manhole: (rng) => ({
    tiltDeg: tenths(rng() * 3),
    displaced: false,
    open: false,
    waterLevelCm: tenths(20 + rng() * 40),
    gasPpm: tenths(rng() * 200),
    h2sPpm: tenths(rng() * 2),
    batteryPct: tenths(60 + rng() * 40),
  }),
  fire_lane: (rng) => ({ occupied: false, objectType: 'unknown', confidence: tenths(rng()) }),
  parking: (rng) => ({ occupied: rng() < 0.7, spaceKind: pick(rng, ['resident', 'visitor', 'charging']) }),
};

/** One message the default rule pack acts on. */
const ALERTING: Record<DeviceType, (rng: Rng) => LoadMessage> = {
  elevator: () => ({ channel: 'event', payload: { event: 'alarm_button' } }),
  manhole: (rng) => ({ channel: 'telemetry', payload: { ...NORMAL.manhole(rng), gasPpm: 6000 } }),
  fire_lane: () => ({ channel: 'telemetry', payload: { occupied: true, objectType: 'car', confidence: 0.9 } }),
  parking: () => ({ channel: 'telemetry', payload: { occupied: true, spaceKind: 'fire' } }),
};

/** The next message of a device; `alerting` picks a value that raises an alert. Without `ts` (undefined) the hub stamps it. */
export function loadMessage(type: DeviceType, rng: Rng, alerting: boolean, seq: number, ts: number | undefined): LoadMessage {
  const message = alerting ? ALERTING[type](rng) : { channel: 'telemetry' as const, payload: NORMAL[type](rng) };
  message.payload.seq = seq;
  if (ts !== undefined) message.payload.ts = ts;
  return message;
}
