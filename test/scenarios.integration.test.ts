/**
 * Named scenarios through the real pipeline with a controlled clock: simulated devices
 * (offline runner, seeded) → ingest and validation → rules → correlator → alerts, wired as the
 * hub wires them (src/testing/controlled-hub.fixture.ts). Each scenario must
 * produce exactly the alerts a person would expect, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { buildFleet, fleetToRegistry } from '../simulators/fleet.ts';
import { runOffline } from '../simulators/offline.runner.ts';
import type { AlertBook } from '../src/alerts/alert-book.ts';
import { controlledHub } from '../src/testing/controlled-hub.fixture.ts';

const START = Date.UTC(2026, 10, 20, 1, 0, 0);
const STEP = 5000;

async function play(scenario: string, durationMs: number, act?: (book: AlertBook, at: number) => void) {
  const devices = buildFleet({ compounds: 1, perCompound: { elevator: 2, manhole: 2, fire_lane: 2, parking: 2 }, fleetKey: 'k', reportIntervalSec: 5 });
  const hub = await controlledHub({ registry: fleetToRegistry(devices), alerts: { grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }] }, start: START });
  hub.play(runOffline({ devices, seed: 7, scenario, startMs: START, stepMs: STEP, durationMs }), act && ((now) => act(hub.alerts, now)));
  expect(hub.deadLetters.total).toBe(0); // the simulators speak the contract
  const book = hub.alerts;
  const summary = book.list().map((a) => `${a.ruleId} ${a.device} ${a.workflow}/${a.condition}`);
  return { book, summary };
}

describe('named scenarios → alerts', () => {
  it('normal operation raises nothing', async () => {
    expect((await play('normal', 30 * 60_000)).summary).toEqual([]);
  });

  it('trapped passenger: critical alert to the worker on duty, escalated to the backup when nobody accepts in 5 min', async () => {
    const { book, summary } = await play('trapped-passenger', 12 * 60_000);
    // The one-off events (stopped outside the door zone, alarm button) clear after 10 quiet minutes;
    // the trapped condition holds for 30.
    expect(summary).toEqual(['elevator-trapped elev-01 dispatched/active', 'elevator-stopped-outside-door-zone elev-01 dispatched/cleared', 'elevator-alarm-button elev-01 dispatched/cleared']);
    const trapped = book.list().find((a) => a.ruleId === 'elevator-trapped')!;
    // Reminded every minute (critical), li rung by the call tree at 2 min, then it escalates to li (the chain's last) every 5 min, li reminded in between.
    expect(trapped.history.map((e) => `${e.kind}${e.assignee ? `>${e.assignee}` : ''}`)).toEqual([
      'raised', 'dispatched>wang',
      'reminded>wang', 'reminded>wang', 'called>li', 'reminded>wang', 'reminded>wang',
      'escalated>li', 'reminded>li', 'reminded>li', 'reminded>li', 'reminded>li',
      'escalated>li', 'reminded>li',
    ]);
  });

  it('trapped passenger handled in time: accepted, resolved and closed once quiet', async () => {
    const { book } = await play('trapped-passenger', 60 * 60_000 + 60_000, (alerts, at) => {
      for (const a of alerts.list({ open: true })) {
        if (a.workflow === 'dispatched' && at - a.raisedAt >= 2 * 60_000) alerts.accept(a.id, 'wang', at);
        if (a.workflow === 'accepted' && at - a.raisedAt >= 15 * 60_000) alerts.resolve(a.id, 'wang', '救出乘客', at);
      }
    });
    const trapped = book.list().find((a) => a.ruleId === 'elevator-trapped')!;
    expect(trapped.workflow).toBe('closed');
    expect(trapped.escalationLevel).toBe(0);
  });

  it('fire lane blocked 20 min: a major alert at 5 min, critical at 15 min, both cleared when the car leaves', async () => {
    const { summary } = await play('fire-lane-blocked', 25 * 60_000);
    expect(summary.sort()).toEqual(['fire-lane-blocked fl-01 dispatched/cleared', 'fire-lane-blocked-long fl-01 dispatched/cleared']);
  });

  it('a tilted manhole cover alarms once it has stayed tilted 30 s', async () => {
    const { summary, book } = await play('manhole-tilted', 3 * 60_000);
    // Displacement alarms after 5 s, the tilt after 30 s.
    expect(summary).toEqual(['manhole-displaced mh-01 dispatched/active', 'manhole-tilt mh-01 dispatched/active']);
    const tilt = book.list().find((a) => a.ruleId === 'manhole-tilt')!;
    expect(tilt.raisedAt - START).toBeGreaterThanOrEqual(40_000);
  });

  it('a flapping sensor under 5 min raises no fire-lane alert', async () => {
    expect((await play('flapping-sensor', 10 * 60_000)).summary).toEqual([]);
  });

  it('an elevator in maintenance mode raises no fault alert', async () => {
    expect((await play('maintenance-mode', 20 * 60_000)).summary).toEqual([]);
  });
});
