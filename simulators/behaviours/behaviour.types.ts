/**
 * What every device behaviour offers: a step over simulated time that yields one telemetry
 * sample and the events that happened during the step, plus forced faults (the hook that
 * scenarios drive). Payload shapes come from src/contracts/payloads.ts; `ts` and `seq` are
 * added by the simulated device (sim.device.ts), not by behaviours.
 */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import type { EventPayload, TelemetryPayload } from '../../src/contracts/payloads.ts';
import type { Rng } from '../prng.ts';

/** Telemetry fields of a type, without the common `ts`/`seq`. */
export type TelemetryFields<T extends DeviceType = DeviceType> = Omit<TelemetryPayload<T>, 'ts' | 'seq'>;

/** An event that happened during a step, `atMs` into it (0 ≤ atMs ≤ dtMs). */
export type BehaviourEvent<T extends DeviceType = DeviceType> = Omit<EventPayload<T>, 'ts' | 'seq'> & { atMs: number };

export interface Emission<T extends DeviceType = DeviceType> {
  /** The state at the end of the step. */
  telemetry: TelemetryFields<T>;
  /** Events raised during the step, in time order. */
  events: Array<BehaviourEvent<T>>;
}

/**
 * Faults (and forced modes) each type can be put into. A forced fault shows from the next
 * step; one-shot faults (an alarm button press, an e-bike at the door) clear themselves.
 */
export const FAULTS = {
  elevator: [
    'trapped',
    'power_loss',
    'door_open_while_moving',
    'overspeed',
    'alarm_button',
    'ebike',
    'controller_fault',
    'maintenance',
    'fire_mode',
  ],
  manhole: ['tilt', 'open', 'flood', 'gas', 'low_battery'],
  fire_lane: ['blocked', 'goods'],
  parking: ['zombie'],
} as const satisfies Record<DeviceType, readonly [string, ...string[]]>;

export type FaultName<T extends DeviceType = DeviceType> = (typeof FAULTS)[T][number];

export function isFaultName<T extends DeviceType>(type: T, name: string): name is FaultName<T> {
  return (FAULTS[type] as readonly string[]).includes(name);
}

export interface Behaviour<T extends DeviceType = DeviceType> {
  readonly type: T;
  /** Advances the device by `dtMs` (≥ 0) of simulated time. */
  step(dtMs: number): Emission<T>;
  /**
   * Forces a fault of this type (throws on a name of another type). It takes effect at the
   * start of the next step: that step's events begin with the fault's (at `atMs` 0).
   */
  fault(name: FaultName<T>): void;
  /** Ends the forced fault from the start of the next step; the device then returns to normal. */
  recover(): void;
  /** The fault currently forced, if any. */
  activeFault(): FaultName<T> | undefined;
}

export type BehaviourFactory<T extends DeviceType = DeviceType> = (rng: Rng) => Behaviour<T>;

export function assertFault<T extends DeviceType>(type: T, name: string): asserts name is FaultName<T> {
  if (!isFaultName(type, name)) {
    throw new Error(`unknown ${type} fault "${name}" (known: ${FAULTS[type].join(', ')})`);
  }
}
