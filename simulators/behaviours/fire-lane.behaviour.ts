/** A fire-lane camera: mostly clear, now and then a vehicle or goods stop in the lane. */
import { between, chance, pick, round, type Rng } from '../prng.ts';
import type { Behaviour, Emission } from './behaviour.types.ts';

const OBJECTS = ['car', 'ebike', 'goods', 'unknown'] as const;

export function fireLaneBehaviour(rng: Rng): Behaviour {
  let occupiedFor = 0;
  let objectType: (typeof OBJECTS)[number] = 'unknown';
  let forced = false;

  return {
    type: 'fire_lane',
    step(dtMs): Emission {
      const events: Emission['events'] = [];
      const wasOccupied = occupiedFor > 0;
      if (forced) {
        occupiedFor += dtMs;
        objectType = 'car';
      } else if (wasOccupied) {
        occupiedFor = chance(rng, 0.3) ? 0 : occupiedFor + dtMs; // short stops clear soon
      } else if (chance(rng, 0.02)) {
        occupiedFor = dtMs;
        objectType = pick(rng, OBJECTS);
      }
      const occupied = occupiedFor > 0;
      if (occupied && !wasOccupied) events.push({ event: 'blocked' });
      if (!occupied && wasOccupied) events.push({ event: 'cleared' });
      return {
        telemetry: occupied
          ? { occupied, objectType, confidence: round(between(rng, 0.8, 0.99), 2) }
          : { occupied, confidence: round(between(rng, 0.9, 1), 2) },
        events,
      };
    },
    fault(name) {
      if (name === 'blocked') forced = true;
    },
    recover() {
      forced = false;
    },
  };
}
