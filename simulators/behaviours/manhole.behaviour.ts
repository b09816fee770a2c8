/** A manhole cover: small tilt noise, water level and gas drifting, battery slowly draining. */
import { between, round, type Rng } from '../prng.ts';
import type { Behaviour, Emission } from './behaviour.types.ts';

export function manholeBehaviour(rng: Rng): Behaviour {
  let water = between(rng, 5, 40);
  let battery = between(rng, 60, 100);
  let fault: string | undefined;
  let announced = false;

  return {
    type: 'manhole',
    step(dtMs): Emission {
      const events: Emission['events'] = [];
      water = Math.max(0, Math.min(300, water + between(rng, -1, 1)));
      battery = Math.max(0, battery - dtMs / 3_600_000 / 24); // about 1 % a day
      let tiltDeg = round(between(rng, 0, 2), 1);
      let open = false;
      let gasPpm = round(between(rng, 0, 20), 1);
      if (fault === 'tilt') {
        tiltDeg = round(between(rng, 25, 35), 1);
        if (!announced) events.push({ event: 'impact' });
      } else if (fault === 'open') {
        open = true;
        tiltDeg = round(between(rng, 40, 90), 1);
        if (!announced) events.push({ event: 'tamper' });
      } else if (fault === 'flood') {
        water = Math.max(water, between(rng, 180, 250));
      } else if (fault === 'gas') {
        gasPpm = round(between(rng, 5000, 12_000), 1);
      }
      announced = fault !== undefined;
      return {
        telemetry: {
          tiltDeg,
          displaced: fault === 'tilt' || fault === 'open',
          open,
          waterLevelCm: round(water, 1),
          gasPpm,
          h2sPpm: round(between(rng, 0, 2), 2),
          batteryPct: round(battery, 1),
        },
        events,
      };
    },
    fault(name) {
      fault = name;
      announced = false;
    },
    recover() {
      fault = undefined;
    },
  };
}
