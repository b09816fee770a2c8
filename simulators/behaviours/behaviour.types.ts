/** What every device behaviour offers the runner: a step over simulated time, and faults. */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import type { FieldValue } from '../../src/contracts/payloads.ts';

export interface Emission {
  /** Telemetry fields of this step (without ts/seq, which the runner adds). */
  telemetry: Record<string, FieldValue>;
  /** Discrete events raised during this step. */
  events: Array<{ event: string; code?: string }>;
}

export interface Behaviour {
  readonly type: DeviceType;
  /** Advances the device by `dtMs` of simulated time. */
  step(dtMs: number): Emission;
  /** Forces a named fault (see FAULTS); the next step reflects it. */
  fault(name: string): void;
  /** Returns to normal operation. */
  recover(): void;
}

/** Faults each device type can be forced into. */
export const FAULTS: Record<DeviceType, readonly string[]> = {
  elevator: ['trapped', 'door_open_while_moving', 'overspeed', 'power_loss'],
  manhole: ['tilt', 'open', 'flood', 'gas'],
  fire_lane: ['blocked'],
  parking: ['zombie'],
};
