/**
 * A scenario drives device behaviours over time: before each step of each device, its
 * driver may force a fault or end one, or cut the device off (its power, its uplink) and
 * restore it. Scenarios are data (see timeline.scenario.ts) or
 * small functions; each run calls `start()` for a driver with its own state, so one
 * scenario can drive many runs at once and nothing lives in module state.
 */
import type { Behaviour } from '../behaviours/index.ts';
import type { Rng } from '../prng.ts';
import type { Outage, SimDeviceSpec } from '../sim.device.ts';

/** What a driver sees of a device. */
export interface ScenarioDevice {
  readonly spec: SimDeviceSpec;
  /** `compound/type/device`. */
  readonly key: string;
  readonly behaviour: Behaviour;
  /** This device's stream for scenario decisions (reproducible from the run seed). */
  readonly scenarioRng: Rng;
  /** The outage the device is in, if any (sim.device.ts says what each one does). */
  readonly outage: Outage | undefined;
  /** Cuts the device off from the start of this step (the runner drops its link or keeps it quiet). */
  cut(outage: Outage): void;
  /** Ends its outage from the start of this step. */
  restore(): void;
}

export interface ScenarioDriver {
  /**
   * Called before every step of `device`. `elapsedMs` is the simulated time, since the run
   * started, at which the step begins (wall time × time scale for the MQTT runner): what
   * the driver forces takes effect from then, and its events carry that time.
   */
  beforeStep(device: ScenarioDevice, elapsedMs: number): void;
}

export interface Scenario {
  readonly name: string;
  /** One line for `--help` and the docs. */
  readonly description: string;
  /** A fresh driver for one run. */
  start(): ScenarioDriver;
}
