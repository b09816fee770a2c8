import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES } from '../../src/contracts/device-types.ts';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../../src/contracts/payloads.ts';
import { createRng } from '../prng.ts';
import { BEHAVIOURS, FAULTS } from './index.ts';

describe('device behaviours', () => {
  it.each(DEVICE_TYPES)('%s: 10,000 steps all validate against the contract, faults included', (type) => {
    const rng = createRng(42);
    const behaviour = BEHAVIOURS[type](rng);
    const faults = FAULTS[type];
    let events = 0;
    for (let i = 0; i < 10_000; i += 1) {
      if (i % 1000 === 500) behaviour.fault(faults[(i / 1000) % faults.length | 0]!);
      if (i % 1000 === 700) behaviour.recover();
      const { telemetry, events: emitted } = behaviour.step(5000);
      const t = TELEMETRY_SCHEMAS[type].safeParse({ ts: 1, seq: i, ...telemetry });
      expect(t.success, JSON.stringify(t.error?.issues)).toBe(true);
      for (const e of emitted) {
        events += 1;
        expect(EVENT_SCHEMAS[type].safeParse({ ts: 1, ...e }).success).toBe(true);
      }
    }
    expect(events).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const b = BEHAVIOURS.elevator(createRng(seed));
      return Array.from({ length: 50 }, () => b.step(1000));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('an elevator fault traps a passenger between floors, once announced', () => {
    const b = BEHAVIOURS.elevator(createRng(1));
    b.step(1000);
    b.fault('trapped');
    const first = b.step(1000);
    expect(first.events.map((e) => e.event)).toEqual(['trapped', 'stopped_outside_door_zone']);
    expect(first.telemetry).toMatchObject({ moving: false, doorOpen: false, occupied: true });
    expect(b.step(1000).events).toEqual([]);
  });

  it('a manhole tilt fault reports a tilt above 15° and an impact', () => {
    const b = BEHAVIOURS.manhole(createRng(1));
    b.fault('tilt');
    const step = b.step(1000);
    expect(step.telemetry.tiltDeg).toBeGreaterThan(15);
    expect(step.telemetry.displaced).toBe(true);
    expect(step.events).toEqual([{ event: 'impact' }]);
  });

  it('a blocked fire lane stays occupied by a car until it recovers', () => {
    const b = BEHAVIOURS.fire_lane(createRng(3));
    b.fault('blocked');
    const steps = Array.from({ length: 20 }, () => b.step(60_000));
    expect(steps.every((s) => s.telemetry.occupied === true && s.telemetry.objectType === 'car')).toBe(true);
    b.recover();
    const after = Array.from({ length: 50 }, () => b.step(60_000));
    expect(after.some((s) => s.events.some((e) => e.event === 'cleared'))).toBe(true);
  });
});
