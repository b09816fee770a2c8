/**
 * A manhole-cover sensor: the cover rests with a small tilt and sensor noise, the water in
 * the well and the gas readings drift around their own levels, and the battery drains by
 * about 1 % a day.
 *
 * Faults: `tilt` (the cover is knocked to ~30°, displaced: an `impact` event), `open`
 * (lifted off: `tamper`), `flood` (storm water pours in: the level rises towards the rim,
 * past 150 cm within a minute), `gas` (methane and H2S build up), `low_battery` (a cell near
 * its end). Recovering puts the cover back, lets the water drain back (below 120 cm within
 * about five minutes) and the gas disperse, and replaces a low battery.
 */
import { between, clamp, gaussian, round, type Rng } from '../prng.ts';
import { assertFault, type Behaviour, type BehaviourEvent, type Emission, type FaultName } from './behaviour.types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How fast storm water fills a well, and how fast it drains once the inflow stops. */
const FLOOD_RISE_TAU_MS = 20_000;
const DRAIN_TAU_MS = 2 * 60_000;
/** Water this far above the well's own level is storm water still draining. */
const DRAINING_ABOVE_CM = 20;

/** Moves `value` towards `target` over `dtMs` with time constant `tauMs`, plus scaled noise. */
function drift(rng: Rng, value: number, target: number, dtMs: number, tauMs: number, noise: number): number {
  const pull = 1 - Math.exp(-dtMs / tauMs);
  return value + (target - value) * pull + gaussian(rng) * noise * Math.sqrt(pull);
}

export function manholeBehaviour(rng: Rng): Behaviour<'manhole'> {
  const restTilt = between(rng, 0.2, 1.5);
  const baseWater = between(rng, 8, 60);
  const baseGas = between(rng, 0, 15);
  const baseH2s = between(rng, 0, 1);
  const drainPerMs = between(rng, 0.6, 1.4) / DAY_MS;
  let battery = between(rng, 55, 100);
  let water = baseWater;
  let gas = baseGas;
  let h2s = baseH2s;
  let fault: FaultName<'manhole'> | undefined;
  let faultTilt = 0;
  let floodLevel = 0;
  let pending: Array<Omit<BehaviourEvent<'manhole'>, 'atMs'>> = [];

  function recover() {
    if (fault === 'low_battery') battery = 100; // the crew replaced it
    fault = undefined;
  }

  return {
    type: 'manhole',
    step(dtMs): Emission<'manhole'> {
      const events: Array<BehaviourEvent<'manhole'>> = pending.map((e) => ({ ...e, atMs: 0 }));
      pending = [];
      const waterTarget = fault === 'flood' ? floodLevel : baseWater;
      const waterTau = fault === 'flood' ? FLOOD_RISE_TAU_MS : water > baseWater + DRAINING_ABOVE_CM ? DRAIN_TAU_MS : HOUR_MS;
      water = clamp(drift(rng, water, waterTarget, dtMs, waterTau, 3), 0, 400);
      gas = clamp(drift(rng, gas, fault === 'gas' ? 9000 : baseGas, dtMs, fault === 'gas' ? 2 * 60_000 : 30 * 60_000, 2), 0, 50_000);
      h2s = clamp(drift(rng, h2s, fault === 'gas' ? 25 : baseH2s, dtMs, fault === 'gas' ? 2 * 60_000 : 30 * 60_000, 0.2), 0, 500);
      battery = clamp(battery - drainPerMs * dtMs, 0, 100);

      const displaced = fault === 'tilt' || fault === 'open';
      const tiltDeg = displaced ? faultTilt + gaussian(rng) * 0.5 : restTilt + Math.abs(gaussian(rng)) * 0.2;
      return {
        telemetry: {
          tiltDeg: round(clamp(tiltDeg, 0, 180), 1),
          displaced,
          open: fault === 'open',
          waterLevelCm: round(water, 1),
          gasPpm: round(gas, 1),
          h2sPpm: round(h2s, 2),
          batteryPct: round(battery, 1),
        },
        events,
      };
    },
    fault(name) {
      assertFault('manhole', name);
      if (fault) recover();
      fault = name;
      if (name === 'tilt') {
        faultTilt = between(rng, 29, 31);
        pending.push({ event: 'impact' });
      } else if (name === 'open') {
        faultTilt = between(rng, 60, 85);
        pending.push({ event: 'tamper' });
      } else if (name === 'flood') {
        floodLevel = between(rng, 180, 260);
      } else if (name === 'low_battery') {
        battery = Math.min(battery, between(rng, 4, 9));
      }
    },
    recover,
    activeFault: () => fault,
  };
}
