/** The named scenarios (`--scenario NAME`) and the building blocks for new ones. */
import { normalScenario } from './normal.scenario.ts';
import { randomFaultsScenario } from './random-faults.scenario.ts';
import type { Scenario } from './scenario.types.ts';
import { INCIDENT_SCENARIOS } from './incidents.scenario.ts';

const MINUTE_MS = 60_000;

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  normal: normalScenario,
  faults: randomFaultsScenario({ name: 'faults', meanTimeToFaultMs: 60 * MINUTE_MS, meanFaultDurationMs: 5 * MINUTE_MS }),
  ...INCIDENT_SCENARIOS,
};

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

/** A scenario by name (throws naming the known ones), or the scenario itself. */
export function resolveScenario(scenario: string | Scenario | undefined): Scenario {
  if (scenario === undefined) return normalScenario;
  if (typeof scenario !== 'string') return scenario;
  const found = Object.hasOwn(SCENARIOS, scenario) ? SCENARIOS[scenario] : undefined;
  if (!found) throw new Error(`unknown scenario "${scenario}" (known: ${scenarioNames().join(', ')})`);
  return found;
}

export { normalScenario, randomFaultsScenario };
export { timelineScenario, matchesDevice, type DeviceMatch, type TimelineStep } from './timeline.scenario.ts';
export type { Scenario, ScenarioDevice, ScenarioDriver } from './scenario.types.ts';
export type { RandomFaultsOptions } from './random-faults.scenario.ts';
