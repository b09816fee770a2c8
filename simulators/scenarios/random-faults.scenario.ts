/**
 * Random faults: each device now and then falls into one of its type's faults (Poisson
 * arrivals over simulated time) and recovers after a while.
 */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import { FAULTS } from '../behaviours/index.ts';
import { exponential, pick } from '../prng.ts';
import type { Scenario } from './scenario.types.ts';

export interface RandomFaultsOptions {
  name?: string;
  description?: string;
  /** Mean simulated time a device runs between faults. */
  meanTimeToFaultMs: number;
  /** Mean time a fault lasts before the device recovers. */
  meanFaultDurationMs: number;
  /** Types that may fault (default: all). */
  types?: readonly DeviceType[];
}

export function randomFaultsScenario(options: RandomFaultsOptions): Scenario {
  const { meanTimeToFaultMs, meanFaultDurationMs } = options;
  if (!(meanTimeToFaultMs > 0) || !(meanFaultDurationMs > 0)) throw new Error('random faults: mean times must be positive');
  return {
    name: options.name ?? 'faults',
    description:
      options.description ??
      `every device now and then falls into a fault of its type (about every ${Math.round(meanTimeToFaultMs / 60_000)} min) and recovers after about ${Math.round(meanFaultDurationMs / 60_000)} min`,
    start() {
      /** Per device: the simulated time of its next change (fault or recovery). */
      const next = new Map<string, number>();
      return {
        beforeStep(device, elapsedMs) {
          const { behaviour, scenarioRng: rng, key } = device;
          if (options.types && !options.types.includes(behaviour.type)) return;
          let due = next.get(key);
          if (due === undefined) {
            due = elapsedMs + exponential(rng, meanTimeToFaultMs);
            next.set(key, due);
          }
          if (elapsedMs < due) return;
          if (behaviour.activeFault() === undefined) {
            behaviour.fault(pick(rng, FAULTS[behaviour.type]));
            // One-shot faults leave no active fault; the next one is then a fault away.
            const active = behaviour.activeFault() !== undefined;
            next.set(key, elapsedMs + exponential(rng, active ? Math.max(meanFaultDurationMs, 1) : meanTimeToFaultMs));
          } else {
            behaviour.recover();
            next.set(key, elapsedMs + exponential(rng, meanTimeToFaultMs));
          }
        },
      };
    },
  };
}
