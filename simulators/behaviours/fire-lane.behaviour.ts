/**
 * A fire-lane camera: the lane is mostly clear; now and then a car, an e-bike or goods stop
 * in it, mostly briefly (deliveries), sometimes for long. Every change is an event (`blocked`
 * when something stops, `cleared` when it leaves), even when both happen inside one step.
 *
 * Faults: `blocked` (a car parks in the lane and stays), `goods` (goods are piled there and
 * stay). Recovering clears the lane.
 */
import { between, exponential, weighted, type Rng } from '../prng.ts';
import { assertFault, type Behaviour, type BehaviourEvent, type Emission, type FaultName } from './behaviour.types.ts';

const MINUTE_MS = 60_000;
type ObjectType = 'car' | 'ebike' | 'goods' | 'unknown';

export function fireLaneBehaviour(rng: Rng): Behaviour<'fire_lane'> {
  const meanClearMs = between(rng, 20, 60) * MINUTE_MS;
  const stopDuration = () =>
    weighted(rng, [
      [between(rng, 0.5, 3), 80],
      [between(rng, 3, 10), 15],
      [between(rng, 10, 40), 5],
    ] as const) * MINUTE_MS;

  let occupied = false;
  let objectType: ObjectType = 'unknown';
  let remainingMs = exponential(rng, meanClearMs);
  let fault: FaultName<'fire_lane'> | undefined;
  let pending: Array<Omit<BehaviourEvent<'fire_lane'>, 'atMs'>> = [];

  function recover() {
    if (!fault) return;
    fault = undefined;
    if (occupied) {
      occupied = false;
      remainingMs = exponential(rng, meanClearMs);
      pending.push({ event: 'cleared' });
    }
  }

  return {
    type: 'fire_lane',
    step(dtMs): Emission<'fire_lane'> {
      const events: Array<BehaviourEvent<'fire_lane'>> = pending.map((e) => ({ ...e, atMs: 0 }));
      pending = [];
      let t = 0;
      while (!fault && t + remainingMs <= dtMs) {
        t += remainingMs;
        occupied = !occupied;
        if (occupied) {
          objectType = weighted(rng, [['car', 50], ['ebike', 25], ['goods', 15], ['unknown', 10]] as const);
          remainingMs = stopDuration();
          events.push({ event: 'blocked', atMs: t });
        } else {
          remainingMs = exponential(rng, meanClearMs);
          events.push({ event: 'cleared', atMs: t });
        }
      }
      if (!fault) remainingMs -= dtMs - t;
      return {
        telemetry: occupied
          ? { occupied, objectType, confidence: Number(between(rng, 0.75, 0.99).toFixed(2)) }
          : { occupied, confidence: Number(between(rng, 0.9, 1).toFixed(2)) },
        events,
      };
    },
    fault(name) {
      assertFault('fire_lane', name);
      if (fault) recover();
      fault = name;
      objectType = name === 'goods' ? 'goods' : 'car';
      if (!occupied) {
        occupied = true;
        pending.push({ event: 'blocked' });
      }
    },
    recover,
    activeFault: () => fault,
  };
}
