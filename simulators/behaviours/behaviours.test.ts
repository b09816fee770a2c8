import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES, type DeviceType } from '../../src/contracts/device-types.ts';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../../src/contracts/payloads.ts';
import { createRng } from '../prng.ts';
import { createSimDevice, type SimMessage } from '../sim.device.ts';
import { BEHAVIOURS, FAULTS, createBehaviour, type Behaviour, type Emission, type FaultName } from './index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1);

function device(type: DeviceType, seed = 42) {
  return createSimDevice({ compound: 'c01', type, device: 'd-01' }, { seed, startMs: T0 });
}

/** Steps a behaviour `n` times by `dtMs` and collects the emissions. */
function run<T extends DeviceType>(b: Behaviour<T>, n: number, dtMs: number): Array<Emission<T>> {
  return Array.from({ length: n }, () => b.step(dtMs));
}
const eventNames = (emissions: Emission[]) => emissions.flatMap((e) => e.events.map((x) => x.event));

describe('device behaviours', () => {
  it.each(DEVICE_TYPES)('%s: 10,000 steps of contract-valid payloads with increasing seq, faults included', (type) => {
    const sim = device(type);
    const jitter = createRng(9);
    const faults = FAULTS[type] as readonly FaultName[];
    let now = T0;
    let lastSeq = 0;
    let lastTs = 0;
    const seen = { telemetry: 0, events: 0 };
    for (let i = 0; i < 10_000; i += 1) {
      if (i % 500 === 200) sim.behaviour.fault(faults[Math.floor(i / 500) % faults.length]!);
      if (i % 500 === 400) sim.behaviour.recover();
      now += 200 + Math.floor(jitter() * 60_000);
      for (const m of sim.advance(now)) {
        const schema = m.channel === 'telemetry' ? TELEMETRY_SCHEMAS[type] : EVENT_SCHEMAS[type];
        const result = schema.safeParse(m.payload);
        expect(result.success, `${JSON.stringify(m.payload)}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        expect(m.payload.seq).toBe(lastSeq + 1);
        expect(m.payload.ts).toBeGreaterThanOrEqual(lastTs);
        expect(m.payload.ts).toBeLessThanOrEqual(now);
        lastSeq = m.payload.seq!;
        lastTs = m.payload.ts!;
        seen[m.channel === 'telemetry' ? 'telemetry' : 'events'] += 1;
      }
    }
    expect(seen.telemetry).toBe(10_000);
    expect(seen.events).toBeGreaterThan(0);
  });

  it.each(DEVICE_TYPES)('%s: the same seed gives the same run, another seed another', (type) => {
    const messages = (seed: number) => {
      const sim = device(type, seed);
      const out: SimMessage[] = [];
      for (let i = 1; i <= 2000; i += 1) {
        if (i === 1000) sim.behaviour.fault(FAULTS[type][0]);
        out.push(...sim.advance(T0 + i * 30_000));
      }
      return out;
    };
    expect(messages(7)).toEqual(messages(7));
    expect(messages(7)).not.toEqual(messages(8));
  });

  it('refuses a fault of another type', () => {
    expect(() => createBehaviour('parking', createRng(1)).fault('trapped')).toThrow(/unknown parking fault "trapped" \(known: zombie\)/);
  });

  it('a step of any length replays what happened inside it, in time order', () => {
    const b = BEHAVIOURS.parking(createRng(5));
    let occupied = b.step(0).telemetry.occupied;
    const long = b.step(48 * HOUR);
    expect(long.events.length).toBeGreaterThan(2);
    for (const e of long.events) {
      expect(e.event).toBe(occupied ? 'vehicle_out' : 'vehicle_in');
      occupied = !occupied;
      expect(e.atMs).toBeGreaterThanOrEqual(0);
      expect(e.atMs).toBeLessThanOrEqual(48 * HOUR);
    }
    expect(long.telemetry.occupied).toBe(occupied);
    expect(long.events.map((e) => e.atMs)).toEqual(long.events.map((e) => e.atMs).sort((x, y) => x - y));
  });
});

describe('elevator', () => {
  it('travels between floors, opens its doors at stops and carries varying loads', () => {
    const b = BEHAVIOURS.elevator(createRng(11));
    const samples = run(b, 5000, 2000).map((e) => e.telemetry);
    const floors = new Set(samples.map((s) => s.floor));
    expect(floors.size).toBeGreaterThan(4);
    expect(samples.some((s) => s.moving)).toBe(true);
    expect(samples.some((s) => s.doorOpen)).toBe(true);
    expect(new Set(samples.map((s) => s.loadPct)).size).toBeGreaterThan(5);
    for (const s of samples) {
      expect(s.mode).toBe('normal');
      expect(s.doorOpen && s.moving).toBe(false); // never in normal operation
      expect(s.moving ? (s.speed as number) > 0.5 && s.direction !== 'idle' : s.speed === 0 && s.direction === 'idle').toBe(true);
      expect(s.occupied).toBe((s.loadPct as number) > 0);
    }
    // Consecutive samples 2 s apart move at most two floors (speed ≤ 2.5 m/s, 3 m per floor).
    for (let i = 1; i < samples.length; i += 1) {
      expect(Math.abs((samples[i]!.floor as number) - (samples[i - 1]!.floor as number))).toBeLessThanOrEqual(3);
    }
    expect(eventNames(run(b, 1000, 5000))).toEqual([]);
  });

  it('trapped: stops between floors with passengers, doors shut; they press the alarm; recovery lets them out', () => {
    const b = BEHAVIOURS.elevator(createRng(1));
    run(b, 30, 1000);
    b.fault('trapped');
    const first = b.step(1000);
    expect(first.events.map((e) => e.event)).toEqual(['trapped', 'stopped_outside_door_zone']);
    expect(first.telemetry).toMatchObject({ moving: false, doorOpen: false, occupied: true, speed: 0, direction: 'idle' });
    const later = run(b, 120, 1000);
    expect(later.every((e) => e.telemetry.moving === false && e.telemetry.doorOpen === false && e.telemetry.floor === first.telemetry.floor)).toBe(true);
    expect(eventNames(later)).toEqual(['alarm_button']);
    expect(b.activeFault()).toBe('trapped');
    b.recover();
    const after = b.step(1000);
    expect(after.telemetry).toMatchObject({ doorOpen: true, occupied: false });
    expect(b.activeFault()).toBeUndefined();
  });

  it('controller fault: a fault event with a vendor code, out of service until recovered', () => {
    const b = BEHAVIOURS.elevator(createRng(2));
    b.fault('controller_fault');
    const step = b.step(1000);
    expect(step.events).toHaveLength(1);
    expect(step.events[0]).toMatchObject({ event: 'fault', code: expect.stringMatching(/^E\d+$/) });
    expect(run(b, 600, 1000).every((e) => !e.telemetry.moving)).toBe(true);
    b.recover();
    expect(run(b, 600, 1000).some((e) => e.telemetry.moving)).toBe(true);
  });

  it('overspeed and door-open-while-moving show on every run while forced', () => {
    const b = BEHAVIOURS.elevator(createRng(4));
    b.fault('overspeed');
    const over = run(b, 2000, 1000);
    expect(eventNames(over).filter((e) => e === 'overspeed').length).toBeGreaterThan(3);
    expect(over.filter((e) => e.telemetry.moving).every((e) => (e.telemetry.speed as number) > 1.2)).toBe(true);
    b.fault('door_open_while_moving');
    const doors = run(b, 2000, 1000);
    expect(eventNames(doors)).toContain('door_open_while_moving');
    expect(doors.some((e) => e.telemetry.moving && e.telemetry.doorOpen)).toBe(true);
  });

  it('maintenance and fire modes show in the mode field; fire recall parks at the lobby with doors open', () => {
    const b = BEHAVIOURS.elevator(createRng(6));
    b.fault('maintenance');
    const maintenance = run(b, 300, 1000);
    expect(maintenance.at(-1)!.telemetry).toMatchObject({ mode: 'maintenance', moving: false });
    b.fault('fire_mode');
    const fire = run(b, 300, 1000).at(-1)!.telemetry;
    expect(fire).toMatchObject({ mode: 'fire', floor: 1, doorOpen: true, moving: false, occupied: false });
    b.recover();
    expect(run(b, 10, 1000).at(-1)!.telemetry.mode).toBe('normal');
  });

  it('one-shot faults raise one event and leave no fault behind', () => {
    const b = BEHAVIOURS.elevator(createRng(8));
    b.fault('alarm_button');
    b.fault('ebike');
    expect(eventNames([b.step(1000)])).toEqual(['alarm_button', 'ebike_detected']);
    expect(b.activeFault()).toBeUndefined();
    expect(eventNames(run(b, 100, 1000))).toEqual([]);
  });
});

describe('manhole', () => {
  it('rests with a small tilt, drifting water and a battery that drains about 1 % a day', () => {
    const b = BEHAVIOURS.manhole(createRng(3));
    const day = run(b, 24 * 60, MIN).map((e) => e.telemetry);
    expect(day.every((s) => (s.tiltDeg as number) < 3 && s.displaced === false && s.open === false)).toBe(true);
    expect(new Set(day.map((s) => s.waterLevelCm)).size).toBeGreaterThan(100);
    const drained = (day[0]!.batteryPct as number) - (day.at(-1)!.batteryPct as number);
    expect(drained).toBeGreaterThan(0.4);
    expect(drained).toBeLessThan(1.6);
  });

  it('tilt: about 30°, displaced, one impact event; recovery puts the cover back', () => {
    const b = BEHAVIOURS.manhole(createRng(3));
    b.fault('tilt');
    const during = run(b, 60, 1000);
    expect(eventNames(during)).toEqual(['impact']);
    for (const e of during) {
      expect(e.telemetry.tiltDeg).toBeGreaterThan(27);
      expect(e.telemetry.tiltDeg).toBeLessThan(33);
      expect(e.telemetry.displaced).toBe(true);
    }
    b.recover();
    expect(b.step(1000).telemetry).toMatchObject({ displaced: false, tiltDeg: expect.any(Number) });
    expect(b.step(1000).telemetry.tiltDeg as number).toBeLessThan(3);
  });

  it.each([1, 2, 3, 4, 5])('flood (seed %i): storm water fills the well past 150 cm within a minute and stays; recovered, it drains below 120 cm within 5 min', (seed) => {
    const b = BEHAVIOURS.manhole(createRng(seed));
    const dry = run(b, 60, MIN).map((e) => e.telemetry.waterLevelCm as number);
    expect(dry.every((cm) => cm < 80)).toBe(true);
    b.fault('flood');
    const rising = run(b, 12, 5000).map((e) => e.telemetry.waterLevelCm as number);
    expect(rising.at(-1)).toBeGreaterThan(150);
    expect(run(b, 20 * 12, 5000).every((e) => (e.telemetry.waterLevelCm as number) > 150)).toBe(true);
    b.recover();
    const draining = run(b, 10 * 12, 5000).map((e) => e.telemetry.waterLevelCm as number);
    expect(draining.slice(5 * 12 - 1)).toHaveLength(5 * 12 + 1);
    expect(draining.slice(5 * 12 - 1).every((cm) => cm < 120)).toBe(true);
    expect(draining[0]).toBeGreaterThan(150);
  });

  it('open, flood, gas and low battery show in the readings', () => {
    const b = BEHAVIOURS.manhole(createRng(5));
    b.fault('open');
    const open = b.step(1000);
    expect(open.events.map((e) => e.event)).toEqual(['tamper']);
    expect(open.telemetry).toMatchObject({ open: true, displaced: true });
    b.fault('flood');
    expect(run(b, 60, MIN).at(-1)!.telemetry.waterLevelCm as number).toBeGreaterThan(150);
    b.fault('gas');
    const gas = run(b, 30, MIN).at(-1)!.telemetry;
    expect(gas.gasPpm as number).toBeGreaterThan(5000);
    expect(gas.h2sPpm as number).toBeGreaterThan(10);
    b.fault('low_battery');
    expect(b.step(1000).telemetry.batteryPct as number).toBeLessThan(10);
    b.recover();
    expect(b.step(1000).telemetry.batteryPct as number).toBeGreaterThan(99);
  });
});

describe('fire lane', () => {
  it('is mostly clear; every stop is a blocked event and every departure a cleared one', () => {
    const b = BEHAVIOURS.fire_lane(createRng(12));
    const steps = run(b, 7 * 24 * 60, MIN);
    let occupied = false;
    let occupiedSamples = 0;
    for (const { telemetry, events } of steps) {
      for (const e of events) {
        expect(e.event).toBe(occupied ? 'cleared' : 'blocked');
        occupied = !occupied;
      }
      expect(telemetry.occupied).toBe(occupied);
      expect('objectType' in telemetry).toBe(occupied);
      if (occupied) occupiedSamples += 1;
    }
    expect(eventNames(steps).length).toBeGreaterThan(50);
    expect(occupiedSamples / steps.length).toBeLessThan(0.25);
  });

  it('blocked: a car stays until recovered, then the lane clears', () => {
    const b = BEHAVIOURS.fire_lane(createRng(3));
    b.fault('blocked');
    const held = run(b, 180, MIN);
    expect(eventNames(held)).toEqual(['blocked']);
    expect(held.every((s) => s.telemetry.occupied === true && s.telemetry.objectType === 'car')).toBe(true);
    b.recover();
    const after = b.step(1000);
    expect(after.events.map((e) => e.event)).toEqual(['cleared']);
    expect(after.telemetry.occupied).toBe(false);
  });
});

describe('parking', () => {
  it('vehicles come and go: vehicle_in/vehicle_out match the occupancy; the space kind never changes', () => {
    const b = BEHAVIOURS.parking(createRng(21));
    let occupied = b.step(0).telemetry.occupied as boolean;
    const steps = run(b, 14 * 24 * 12, 5 * MIN);
    for (const { telemetry, events } of steps) {
      for (const e of events) {
        expect(e.event).toBe(occupied ? 'vehicle_out' : 'vehicle_in');
        occupied = !occupied;
      }
      expect(telemetry.occupied).toBe(occupied);
    }
    expect(eventNames(steps).length).toBeGreaterThan(10);
    expect(new Set(steps.map((s) => s.telemetry.spaceKind)).size).toBe(1);
  });

  it('a zombie car never leaves until it is towed', () => {
    const b = BEHAVIOURS.parking(createRng(2));
    const wasOccupied = b.step(0).telemetry.occupied;
    b.fault('zombie');
    const month = run(b, 30 * 24, HOUR);
    expect(eventNames(month)).toEqual(wasOccupied ? [] : ['vehicle_in']);
    expect(month.every((s) => s.telemetry.occupied === true)).toBe(true);
    b.recover();
    expect(b.step(1000).events.map((e) => e.event)).toEqual(['vehicle_out']);
  });
});
