import { describe, expect, it } from 'vitest';
import { alertsConfigSchema, callOrder, onShift } from './sla.config.ts';

// 2026-11-23 is a Monday. Times are China time (UTC+8).
const china = (day: number, hh: number, mm = 0) => Date.UTC(2026, 10, day, hh - 8, mm);

describe('on-duty shifts', () => {
  const grid = alertsConfigSchema.parse({
    grids: [{
      id: 'g1', compounds: ['c01'], workers: ['wang', 'li', 'chen'],
      shifts: [
        { worker: 'li', from: '08:00', to: '20:00', days: [1, 2, 3, 4, 5] },
        { worker: 'chen', from: '20:00', to: '08:00' },
      ],
    }],
  }).grids[0]!;

  it('calls the worker on shift first, then the others as backups', () => {
    expect(callOrder(grid, china(23, 10), 480)).toEqual(['li', 'wang', 'chen']);
    expect(callOrder(grid, china(23, 22), 480)).toEqual(['chen', 'wang', 'li']);
    expect(callOrder(grid, china(24, 3), 480)).toEqual(['chen', 'wang', 'li']);
    // Saturday daytime: li is off, nobody is on shift: the list order holds.
    expect(callOrder(grid, china(28, 10), 480)).toEqual(['wang', 'li', 'chen']);
  });

  it('ends a shift at its end time and puts overnight mornings on the day the shift began', () => {
    const night = { worker: 'x', from: '20:00', to: '08:00', days: [5] }; // Friday night
    expect(onShift(night, china(27, 21), 480)).toBe(true); // Friday 21:00
    expect(onShift(night, china(28, 7, 59), 480)).toBe(true); // Saturday 07:59
    expect(onShift(night, china(28, 8), 480)).toBe(false);
    expect(onShift(night, china(26, 7), 480)).toBe(false); // Thursday morning belongs to Wednesday night
  });

  it('refuses times that are not HH:MM', () => {
    expect(alertsConfigSchema.safeParse({ grids: [{ id: 'g', compounds: ['c'], workers: ['w'], shifts: [{ worker: 'w', from: '8am', to: '20:00' }] }] }).success).toBe(false);
  });
});

describe('reminders, call trees and arrival settings', () => {
  it('defaults to reminders every 1/5/20/60 min, call trees for critical (2 min) and major (5 min), arrival 30 min in a city and 60 in a county', () => {
    const config = alertsConfigSchema.parse({});
    expect(config.remindMin).toEqual({ critical: 1, major: 5, minor: 20, info: 60 });
    expect(config.callTree).toEqual({ critical: { ringMin: 2, mode: 'serial' }, major: { ringMin: 5, mode: 'serial' } });
    expect(config.arrival).toEqual({ cityMin: 30, countyMin: 60 });
  });

  it('takes severities left out as none, a call tree without a mode as serial, an arrival time left out as the default', () => {
    const config = alertsConfigSchema.parse({ remindMin: { critical: 3 }, callTree: { minor: { ringMin: 10 } }, arrival: { countyMin: 90 } });
    expect(config.remindMin).toEqual({ critical: 3 });
    expect(config.callTree).toEqual({ minor: { ringMin: 10, mode: 'serial' } });
    expect(config.arrival).toEqual({ cityMin: 30, countyMin: 90 });
  });

  it('refuses unknown severities and modes, times that are not positive, and unknown keys', () => {
    for (const bad of [
      { remindMin: { urgent: 1 } },
      { remindMin: { critical: 0 } },
      { callTree: { critical: { ringMin: 2, mode: 'round-robin' } } },
      { callTree: { critical: { ringMin: -1 } } },
      { arrival: { cityMin: 0 } },
      { arrival: { townMin: 10 } },
    ]) {
      expect(alertsConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
