/** A parking-space sensor: vehicles come and go; a zombie car never leaves. */
import { chance, pick, type Rng } from '../prng.ts';
import type { Behaviour, Emission } from './behaviour.types.ts';

const KINDS = ['resident', 'resident', 'resident', 'resident', 'visitor', 'visitor', 'charging', 'fire'] as const;

export function parkingBehaviour(rng: Rng): Behaviour {
  const spaceKind = pick(rng, KINDS);
  let occupied = chance(rng, 0.6);
  let zombie = false;

  return {
    type: 'parking',
    step(): Emission {
      const events: Emission['events'] = [];
      const next = zombie ? true : chance(rng, 0.05) ? !occupied : occupied;
      if (next !== occupied) events.push({ event: next ? 'vehicle_in' : 'vehicle_out' });
      occupied = next;
      return { telemetry: { occupied, spaceKind }, events };
    },
    fault(name) {
      if (name === 'zombie') {
        zombie = true;
      }
    },
    recover() {
      zombie = false;
    },
  };
}
