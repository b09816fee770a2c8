/**
 * An elevator in a residential block: it waits for calls, travels to the caller at its
 * rated speed, opens its doors, carries passengers (mostly to or from the lobby) and waits
 * again. Time is continuous: a step of any length replays every phase change inside it.
 *
 * Faults: `trapped` (stops between floors with passengers, doors shut; the passengers press
 * the alarm button after a while), `power_loss`, `controller_fault` (a `fault` event with a
 * vendor code, out of service), `door_open_while_moving` and `overspeed` (on every run while
 * forced), one-shot `alarm_button` and `ebike`, and the modes `maintenance` and `fire_mode`
 * (fire-service recall to the lobby, doors open).
 */
import { between, chance, exponential, intBetween, pick, round, weighted, type Rng } from '../prng.ts';
import { assertFault, type Behaviour, type BehaviourEvent, type Emission, type FaultName } from './behaviour.types.ts';

const FLOOR_HEIGHT_M = 3;
/** A passenger's share of a 1000 kg car. */
const PASSENGER_PCT = 7.5;
const FAULT_CODES = ['E30', 'E35', 'E51', 'E62'] as const;

type Phase = 'idle' | 'doors' | 'moving' | 'stopped';
type Mode = 'normal' | 'inspection' | 'maintenance' | 'fire';
type ElevatorFault = FaultName<'elevator'>;

interface Trip {
  pickup: number;
  destination: number;
  boarded: boolean;
}

export function elevatorBehaviour(rng: Rng): Behaviour<'elevator'> {
  // The building: an optional garage level below the lobby (there is no floor 0), 6–33 floors.
  const basement = chance(rng, 0.5) ? (chance(rng, 0.3) ? 2 : 1) : 0;
  const top = weighted(rng, [
    [intBetween(rng, 6, 11), 3],
    [intBetween(rng, 12, 18), 4],
    [intBetween(rng, 19, 33), 3],
  ] as const);
  const floors = [...Array.from({ length: basement }, (_, i) => i - basement), ...Array.from({ length: top }, (_, i) => i + 1)];
  const lobby = basement;
  const lastLevel = floors.length - 1;
  const ratedSpeed = top > 18 ? 2.5 : top > 11 ? 1.75 : 1.0;
  const meanCallGapMs = between(rng, 20_000, 60_000);

  let level = lobby; // position as a (fractional) index into `floors`
  let phase: Phase = 'idle';
  let remainingMs = exponential(rng, meanCallGapMs);
  let target = lobby;
  let trip: Trip | undefined;
  let loadPct = 0;
  let mode: Mode = 'normal';
  let fault: ElevatorFault | undefined;
  let runSpeed = ratedSpeed;
  let pending: Array<Omit<BehaviourEvent<'elevator'>, 'atMs'>> = [];
  let trappedMs = 0;
  let alarmAfterMs = 0;
  let alarmPressed = false;

  const randomLevelOtherThan = (avoid: number) => {
    if (lastLevel === 0) return avoid;
    const l = intBetween(rng, 0, lastLevel - 1);
    return l >= avoid ? l + 1 : l;
  };
  const passengers = () => weighted(rng, [[1, 5], [2, 3], [3, 2], [4, 1], [6, 0.5]] as const);
  const nearestLevel = () => Math.max(0, Math.min(lastLevel, Math.round(level)));

  function startRun(to: number, atMs: number, events: Array<BehaviourEvent<'elevator'>>) {
    target = to;
    phase = 'moving';
    runSpeed = fault === 'overspeed' ? ratedSpeed * between(rng, 1.25, 1.4) : ratedSpeed * between(rng, 0.96, 1.01);
    if (fault === 'overspeed') events.push({ event: 'overspeed', atMs });
    if (fault === 'door_open_while_moving') events.push({ event: 'door_open_while_moving', atMs });
  }

  function openDoors(holdMs = between(rng, 4000, 8000)) {
    phase = 'doors';
    remainingMs = holdMs;
    if (trip && !trip.boarded && Math.round(level) === trip.pickup) {
      trip.boarded = true;
      loadPct = passengers() * PASSENGER_PCT + between(rng, -2, 2);
    } else if (trip?.boarded && Math.round(level) === trip.destination) {
      loadPct = 0;
      trip = undefined;
    } else if (!trip) {
      loadPct = 0;
    }
  }

  function goIdle() {
    phase = 'idle';
    remainingMs = mode === 'normal' ? exponential(rng, meanCallGapMs) : Number.POSITIVE_INFINITY;
  }

  function afterDoors(atMs: number, events: Array<BehaviourEvent<'elevator'>>) {
    if (trip?.boarded && nearestLevel() !== trip.destination) startRun(trip.destination, atMs, events);
    else goIdle();
  }

  function call(atMs: number, events: Array<BehaviourEvent<'elevator'>>) {
    const here = nearestLevel();
    const pickup = chance(rng, 0.55) ? lobby : randomLevelOtherThan(lobby);
    const destination = pickup === lobby ? randomLevelOtherThan(lobby) : chance(rng, 0.8) ? lobby : randomLevelOtherThan(pickup);
    trip = { pickup, destination, boarded: false };
    if (pickup === here) openDoors();
    else startRun(pickup, atMs, events);
  }

  function arrive() {
    level = target;
    if (mode === 'fire') openDoors(Number.POSITIVE_INFINITY);
    else openDoors();
  }

  /** Stops the car where it is; between floors unless it already stands level at one. */
  function stopBetweenFloors() {
    phase = 'stopped';
    const base = Math.floor(level);
    if (Math.abs(level - Math.round(level)) < 0.05) {
      level = base < lastLevel ? base + between(rng, 0.3, 0.7) : base - between(rng, 0.3, 0.7);
    }
  }

  function releaseStop() {
    // Re-level at the nearest floor and let everyone out.
    level = nearestLevel();
    trip = undefined;
    loadPct = 0;
    openDoors(6000);
  }

  function recover() {
    const was = fault;
    fault = undefined;
    if (was === 'trapped' || was === 'power_loss' || was === 'controller_fault') releaseStop();
    else if (was === 'maintenance' || was === 'fire_mode') {
      mode = 'normal';
      if (phase === 'idle') goIdle();
      else if (phase === 'doors' && !Number.isFinite(remainingMs)) remainingMs = 5000;
    } else if (was === 'overspeed' && phase === 'moving') runSpeed = ratedSpeed;
  }

  return {
    type: 'elevator',
    step(dtMs): Emission<'elevator'> {
      const events: Array<BehaviourEvent<'elevator'>> = pending.map((e) => ({ ...e, atMs: 0 }));
      pending = [];
      let t = 0;
      while (t < dtMs) {
        const left = dtMs - t;
        if (phase === 'stopped') {
          if (fault === 'trapped' && !alarmPressed && trappedMs + left >= alarmAfterMs) {
            events.push({ event: 'alarm_button', atMs: t + Math.max(0, alarmAfterMs - trappedMs) });
            alarmPressed = true;
          }
          trappedMs += left;
          t = dtMs;
        } else if (phase === 'idle' || phase === 'doors') {
          if (remainingMs > left) {
            remainingMs -= left;
            t = dtMs;
          } else {
            t += remainingMs;
            remainingMs = 0;
            if (phase === 'idle') call(t, events);
            else afterDoors(t, events);
          }
        } else {
          const levelsPerMs = runSpeed / FLOOR_HEIGHT_M / 1000;
          const needMs = Math.abs(target - level) / levelsPerMs;
          if (needMs > left) {
            level += Math.sign(target - level) * levelsPerMs * left;
            t = dtMs;
          } else {
            t += needMs;
            arrive();
          }
        }
      }
      const moving = phase === 'moving';
      const index = phase === 'stopped' ? Math.floor(level) : nearestLevel();
      return {
        telemetry: {
          floor: floors[Math.max(0, Math.min(lastLevel, index))]!,
          direction: moving ? (target > level ? 'up' : 'down') : 'idle',
          doorOpen: phase === 'doors' || (moving && fault === 'door_open_while_moving'),
          moving,
          speed: moving ? round(runSpeed, 2) : 0,
          loadPct: round(Math.max(0, loadPct), 1),
          occupied: loadPct > 0,
          mode,
        },
        events: events.sort((a, b) => a.atMs - b.atMs),
      };
    },
    fault(name) {
      assertFault('elevator', name);
      if (name === 'alarm_button') {
        pending.push({ event: 'alarm_button' });
        return;
      }
      if (name === 'ebike') {
        pending.push({ event: 'ebike_detected' });
        return;
      }
      if (fault) recover();
      fault = name;
      switch (name) {
        case 'trapped':
          stopBetweenFloors();
          loadPct = Math.max(loadPct, passengers() * PASSENGER_PCT);
          trappedMs = 0;
          alarmAfterMs = between(rng, 20_000, 90_000);
          alarmPressed = false;
          pending.push({ event: 'trapped' }, { event: 'stopped_outside_door_zone' });
          break;
        case 'power_loss': {
          const wasBetween = phase === 'moving' && Math.abs(level - Math.round(level)) >= 0.05;
          phase = 'stopped';
          trappedMs = 0;
          alarmPressed = true; // the passengers' alarm is the trapped event's story, not this one
          pending.push({ event: 'power_loss' });
          if (wasBetween) {
            pending.push({ event: 'stopped_outside_door_zone' });
            if (loadPct > 0) pending.push({ event: 'trapped' });
          }
          break;
        }
        case 'controller_fault':
          level = nearestLevel();
          phase = 'stopped';
          alarmPressed = true;
          trip = undefined;
          loadPct = 0;
          pending.push({ event: 'fault', code: pick(rng, FAULT_CODES) });
          break;
        case 'maintenance':
          mode = 'maintenance';
          if (phase === 'idle') remainingMs = Number.POSITIVE_INFINITY;
          break;
        case 'fire_mode':
          mode = 'fire';
          trip = undefined;
          if (nearestLevel() === lobby && phase !== 'moving') openDoors(Number.POSITIVE_INFINITY);
          else {
            phase = 'moving';
            target = lobby;
            runSpeed = ratedSpeed;
          }
          break;
        case 'overspeed':
        case 'door_open_while_moving':
          if (phase === 'moving') {
            if (name === 'overspeed') runSpeed = ratedSpeed * between(rng, 1.25, 1.4);
            pending.push({ event: name });
          }
          break;
      }
    },
    recover,
    activeFault: () => fault,
  };
}
