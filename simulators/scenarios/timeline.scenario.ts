/**
 * Scenarios as data: "at 30 s trap the elevators of building b1 in c01 until 2 min", "at
 * 10 s cut the power of building b1 until 10 min". Each step forces a fault on the
 * matching devices, or cuts them off (an outage), once the run reaches `atMs` (at each
 * device's next step) and, with `untilMs`, lets them recover or restores them then.
 */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import { FAULTS, isFaultName, type FaultName } from '../behaviours/index.ts';
import type { Outage, SimDeviceSpec } from '../sim.device.ts';
import type { Scenario, ScenarioDevice } from './scenario.types.ts';

/** Which devices a step applies to: every given field must match. */
export interface DeviceMatch {
  compound?: string;
  type?: DeviceType;
  device?: string;
  building?: string;
  zone?: string;
}

interface StepTiming {
  /** Simulated time since the start of the run. */
  atMs: number;
  /** When the devices recover (or are restored); omitted: they stay faulted (cut off). */
  untilMs?: number;
  match: DeviceMatch;
}

export type TimelineStep = StepTiming &
  (
    | {
        /** A fault of the matched type (devices of types without this fault are skipped). */
        fault: FaultName;
        outage?: never;
      }
    | {
        /** An outage of every matched device, whatever its type (sim.device.ts). */
        outage: Outage;
        fault?: never;
      }
  );

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
    if (step.fault !== undefined && !types.some((type) => isFaultName(type, step.fault))) {
      throw new Error(`${name}: step ${i}: "${step.fault}" is not a fault of ${types.join(' or ')}`);
    }
    if (step.outage !== undefined && step.outage !== 'power' && step.outage !== 'uplink') {
      throw new Error(`${name}: step ${i}: "${String(step.outage)}" is not an outage (power or uplink)`);
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
            if (step.fault !== undefined && !isFaultName(device.behaviour.type, step.fault)) return;
            const done = setOf(applied, device.key);
            if (!done.has(i)) {
              done.add(i);
              if (step.untilMs === undefined || elapsedMs < step.untilMs) {
                if (step.fault !== undefined) device.behaviour.fault(step.fault);
                else device.cut(step.outage);
              }
            }
            const over = setOf(recovered, device.key);
            if (step.untilMs !== undefined && elapsedMs >= step.untilMs && !over.has(i)) {
              over.add(i);
              if (step.fault !== undefined) {
                if (device.behaviour.activeFault() === step.fault) device.behaviour.recover();
              } else if (device.outage === step.outage) device.restore();
            }
          });
        },
      };
    },
  };
}
