/**
 * Scenarios as data: "at 30 s trap the elevators of building b1 in c01 until 2 min". Each
 * step forces a fault on the matching devices once the run reaches `atMs` (at each
 * device's next step) and, with `untilMs`, lets them recover then.
 */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import { FAULTS, isFaultName, type FaultName } from '../behaviours/index.ts';
import type { SimDeviceSpec } from '../sim.device.ts';
import type { Scenario, ScenarioDevice } from './scenario.types.ts';

/** Which devices a step applies to: every given field must match. */
export interface DeviceMatch {
  compound?: string;
  type?: DeviceType;
  device?: string;
  building?: string;
  zone?: string;
}

export interface TimelineStep {
  /** Simulated time since the start of the run. */
  atMs: number;
  /** When the devices recover; omitted: they stay faulted. */
  untilMs?: number;
  match: DeviceMatch;
  /** A fault of the matched type (devices of types without this fault are skipped). */
  fault: FaultName;
}

export function matchesDevice(match: DeviceMatch, spec: SimDeviceSpec): boolean {
  return (
    (match.compound === undefined || match.compound === spec.compound) &&
    (match.type === undefined || match.type === spec.type) &&
    (match.device === undefined || match.device === spec.device) &&
    (match.building === undefined || match.building === spec.building) &&
    (match.zone === undefined || match.zone === spec.zone)
  );
}

export function timelineScenario(name: string, description: string, steps: readonly TimelineStep[]): Scenario {
  steps.forEach((step, i) => {
    const types = step.match.type ? [step.match.type] : (Object.keys(FAULTS) as DeviceType[]);
    if (!types.some((type) => isFaultName(type, step.fault))) {
      throw new Error(`${name}: step ${i}: "${step.fault}" is not a fault of ${types.join(' or ')}`);
    }
    if (step.untilMs !== undefined && step.untilMs <= step.atMs) throw new Error(`${name}: step ${i}: untilMs must be after atMs`);
  });
  return {
    name,
    description,
    start() {
      /** Per device key: the indexes of steps applied, and of steps recovered. */
      const applied = new Map<string, Set<number>>();
      const recovered = new Map<string, Set<number>>();
      const setOf = (map: Map<string, Set<number>>, key: string) => {
        let set = map.get(key);
        if (!set) map.set(key, (set = new Set()));
        return set;
      };
      return {
        beforeStep(device: ScenarioDevice, elapsedMs: number) {
          steps.forEach((step, i) => {
            if (elapsedMs < step.atMs || !matchesDevice(step.match, device.spec)) return;
            if (!isFaultName(device.behaviour.type, step.fault)) return;
            const done = setOf(applied, device.key);
            if (!done.has(i)) {
              done.add(i);
              if (step.untilMs === undefined || elapsedMs < step.untilMs) device.behaviour.fault(step.fault);
            }
            const over = setOf(recovered, device.key);
            if (step.untilMs !== undefined && elapsedMs >= step.untilMs && !over.has(i)) {
              over.add(i);
              if (device.behaviour.activeFault() === step.fault) device.behaviour.recover();
            }
          });
        },
      };
    },
  };
}
