/**
 * Scenarios drive behaviours over time. `normal`: devices behave; `faults`: now and
 * then a device is forced into one of its type's faults and recovers later.
 * (Named incident scenarios — trapped passenger, blocked fire lane, … — build on this.)
 */
import { chance, pick, type Rng } from './prng.ts';
import { FAULTS, type Behaviour } from './behaviours/index.ts';

export interface Scenario {
  name: string;
  /** Called before each step of a device. */
  beforeStep(behaviour: Behaviour, rng: Rng, state: { faulted: boolean }): void;
}

const normal: Scenario = { name: 'normal', beforeStep: () => undefined };

const faults: Scenario = {
  name: 'faults',
  beforeStep(behaviour, rng, state) {
    if (!state.faulted && chance(rng, 0.01)) {
      behaviour.fault(pick(rng, FAULTS[behaviour.type]));
      state.faulted = true;
    } else if (state.faulted && chance(rng, 0.05)) {
      behaviour.recover();
      state.faulted = false;
    }
  },
};

export const SCENARIOS: Record<string, Scenario> = { normal, faults };
export type ScenarioName = keyof typeof SCENARIOS;
