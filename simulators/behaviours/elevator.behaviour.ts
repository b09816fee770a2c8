/** An elevator travelling between floors: doors open at stops, load varies, faults trap passengers. */
import { between, chance, intBetween, round, type Rng } from '../prng.ts';
import type { Behaviour, Emission } from './behaviour.types.ts';

export function elevatorBehaviour(rng: Rng): Behaviour {
  const topFloor = intBetween(rng, 6, 30);
  let floor = 1;
  let target = 1;
  let doorOpen = false;
  let loadPct = 0;
  let fault: string | undefined;
  let announced = false;

  return {
    type: 'elevator',
    step(): Emission {
      const events: Emission['events'] = [];
      if (fault === 'trapped') {
        if (!announced) events.push({ event: 'trapped' }, { event: 'stopped_outside_door_zone' });
        announced = true;
        return { telemetry: { floor, direction: 'idle', doorOpen: false, moving: false, speed: 0, loadPct, occupied: true, mode: 'normal' }, events };
      }
      if (fault === 'power_loss') {
        if (!announced) events.push({ event: 'power_loss' });
        announced = true;
        return { telemetry: { floor, direction: 'idle', doorOpen: false, moving: false, speed: 0, loadPct, occupied: loadPct > 0, mode: 'normal' }, events };
      }
      let moving = false;
      if (doorOpen) {
        doorOpen = false;
        loadPct = round(Math.max(0, Math.min(110, loadPct + between(rng, -30, 30))), 1);
      } else if (floor !== target) {
        moving = true;
        floor += floor < target ? 1 : -1;
        if (floor === target) doorOpen = true;
      } else if (chance(rng, 0.5)) {
        target = intBetween(rng, 1, topFloor);
      }
      const direction = moving ? (target > floor || (floor === target && doorOpen) ? 'up' : 'down') : 'idle';
      let speed = moving ? round(between(rng, 1.0, 1.75), 2) : 0;
      if (fault === 'overspeed' && moving) {
        speed = round(between(rng, 2.5, 3.5), 2);
        events.push({ event: 'overspeed' });
      }
      if (fault === 'door_open_while_moving' && moving) events.push({ event: 'door_open_while_moving' });
      return {
        telemetry: {
          floor,
          direction,
          doorOpen: doorOpen || (fault === 'door_open_while_moving' && moving),
          moving,
          speed,
          loadPct,
          occupied: loadPct > 0,
          mode: 'normal',
        },
        events,
      };
    },
    fault(name) {
      fault = name;
      announced = false;
      if (name === 'trapped') loadPct = Math.max(loadPct, 15);
    },
    recover() {
      fault = undefined;
    },
  };
}
