/**
 * A parking-space sensor. Each space has a kind (resident, visitor, charging, fire-service
 * reserve) that sets how long cars stay and how long it stands empty; every arrival and
 * departure is an event (`vehicle_in` / `vehicle_out`), even when both happen in one step.
 *
 * Fault: `zombie` (a car arrives, or the one there stays, and never leaves; the rule "space
 * occupied for 7 days" is about these). Recovering tows it away.
 */
import { between, chance, exponential, weighted, type Rng } from '../prng.ts';
import { assertFault, type Behaviour, type BehaviourEvent, type Emission, type FaultName } from './behaviour.types.ts';

const HOUR_MS = 3_600_000;
type SpaceKind = 'resident' | 'visitor' | 'charging' | 'fire';

/** Mean stay, mean vacancy (hours) and the share of time occupied at start, per kind. */
const PROFILE: Record<SpaceKind, { stayH: number; emptyH: number; occupiedAtStart: number }> = {
  resident: { stayH: 6, emptyH: 2, occupiedAtStart: 0.7 },
  visitor: { stayH: 1.5, emptyH: 1, occupiedAtStart: 0.4 },
  charging: { stayH: 2, emptyH: 1.5, occupiedAtStart: 0.5 },
  fire: { stayH: 0.1, emptyH: 12, occupiedAtStart: 0.02 },
};

export function parkingBehaviour(rng: Rng): Behaviour<'parking'> {
  const spaceKind = weighted<SpaceKind>(rng, [['resident', 60], ['visitor', 20], ['charging', 12], ['fire', 8]]);
  const profile = PROFILE[spaceKind];
  const speed = between(rng, 0.7, 1.3);
  const stay = () => exponential(rng, profile.stayH * HOUR_MS * speed);
  const vacancy = () => exponential(rng, profile.emptyH * HOUR_MS * speed);

  let occupied = chance(rng, profile.occupiedAtStart);
  let remainingMs = occupied ? stay() : vacancy();
  let fault: FaultName<'parking'> | undefined;
  let pending: Array<Omit<BehaviourEvent<'parking'>, 'atMs'>> = [];

  function recover() {
    if (!fault) return;
    fault = undefined;
    occupied = false;
    remainingMs = vacancy();
    pending.push({ event: 'vehicle_out' });
  }

  return {
    type: 'parking',
    step(dtMs): Emission<'parking'> {
      const events: Array<BehaviourEvent<'parking'>> = pending.map((e) => ({ ...e, atMs: 0 }));
      pending = [];
      let t = 0;
      while (!fault && t + remainingMs <= dtMs) {
        t += remainingMs;
        occupied = !occupied;
        remainingMs = occupied ? stay() : vacancy();
        events.push({ event: occupied ? 'vehicle_in' : 'vehicle_out', atMs: t });
      }
      if (!fault) remainingMs -= dtMs - t;
      return { telemetry: { occupied, spaceKind }, events };
    },
    fault(name) {
      assertFault('parking', name);
      if (fault) return;
      fault = name;
      if (!occupied) {
        occupied = true;
        pending.push({ event: 'vehicle_in' });
      }
    },
    recover,
    activeFault: () => fault,
  };
}
