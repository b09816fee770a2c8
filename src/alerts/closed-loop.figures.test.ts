import { describe, expect, it } from 'vitest';
import { closedLoopReport } from './closed-loop.figures.ts';
import { defaultAlertsConfig } from './sla.config.ts';
import type { StoredAlertEvent } from './alert.types.ts';

const T0 = Date.UTC(2026, 10, 24, 2, 0, 0); // 10:00 in Hangzhou
const MIN = 60_000;
const base = { actor: 'hub', ruleId: 'elevator-trapped', severity: 'critical' as const, compound: 'c01', type: 'elevator' as const, device: 'e1' };
const NO_RATINGS = { ratings: 0, mean: null, satisfied: 0, rate: null };
const ev = (alertId: string, kind: StoredAlertEvent['kind'], at: number, extra: Partial<StoredAlertEvent> = {}): StoredAlertEvent => ({ ...base, alertId, kind, at, ...extra });

describe('closed-loop figures', () => {
  it('computes counts, time to accept/resolve and SLA kept per compound, worker and rule', () => {
    const events = [
      // a1: accepted in 2 min, resolved in 20 min: kept
      ev('a1', 'raised', T0), ev('a1', 'accepted', T0 + 2 * MIN, { actor: 'wang' }), ev('a1', 'resolved', T0 + 20 * MIN, { actor: 'wang' }), ev('a1', 'closed', T0 + 25 * MIN),
      // a2: accepted in 8 min (late), resolved in 28 min: not kept
      ev('a2', 'raised', T0 + 60 * MIN), ev('a2', 'escalated', T0 + 65 * MIN), ev('a2', 'accepted', T0 + 68 * MIN, { actor: 'li' }), ev('a2', 'resolved', T0 + 88 * MIN, { actor: 'li' }),
      // a3: another compound, a major alert never accepted, its deadlines long past: settled, not kept
      ev('a3', 'raised', T0 + 16 * 60 * MIN, { compound: 'c02', ruleId: 'manhole-tilt', severity: 'major', type: 'manhole' }),
    ];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0 - MIN, to: T0 + 48 * 60 * MIN }, T0 + 48 * 60 * MIN);
    expect(report.overall).toEqual({
      alerts: 3, accepted: 2, resolved: 2, closed: 1, escalated: 1,
      timeToAccept: { mean: 300, p90: 480 },
      timeToResolve: { mean: 1440, p90: 1680 },
      slaCounted: 3,
      slaMissed: 2,
      slaKept: 1 / 3,
      // a3 is still not accepted, long past its deadline.
      openOverdue: 1,
      // Without an arrival policy nothing is a rescue.
      rescues: 0, arrived: 0, timeToArrive: { mean: null, p90: null }, arrivalCounted: 0, arrivedInTime: 0, arrivalRate: null,
      // Nothing handed over, nothing rated.
      handedOver: 0,
      satisfaction: { ...NO_RATINGS, byParty: { manager: NO_RATINGS, committee: NO_RATINGS } },
    });
    expect(report.byStreet).toEqual({});
    expect(Object.keys(report.byCompound)).toEqual(['c01', 'c02']);
    expect(report.byWorker.wang).toMatchObject({ alerts: 1, slaKept: 1 });
    expect(report.byWorker.li).toMatchObject({ alerts: 1, slaKept: 0 });
    expect(report.byRule['manhole-tilt']).toMatchObject({ alerts: 1, accepted: 0, timeToAccept: { mean: null, p90: null } });
    // a3 was raised at 02:00 the next day in Hangzhou (18:00 UTC).
    expect(report.perDay).toEqual({ '2026-11-24': 2, '2026-11-25': 1 });
  });

  it('leaves alerts whose deadlines have not passed out of the SLA share, and filters by range and compound', () => {
    const events = [ev('a1', 'raised', T0), ev('a2', 'raised', T0 + 10 * MIN, { compound: 'c02' })];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0, to: T0 + MIN, compound: 'c01' }, T0 + 2 * MIN);
    expect(report.overall).toMatchObject({ alerts: 1, slaKept: null });
  });

  it('counts an alert still open past its deadline as missed at once, and one accepted late as missed before it is resolved', () => {
    const events = [
      // Not accepted, 6 min after a 5 min accept deadline: missed and overdue now.
      ev('a1', 'raised', T0),
      // Accepted late (8 min), its 30 min resolve deadline not yet past: missed, but not overdue now.
      ev('a2', 'raised', T0 + MIN), ev('a2', 'accepted', T0 + 9 * MIN, { actor: 'wang' }),
      // Accepted in time, not yet resolved, deadline ahead: not counted yet.
      ev('a3', 'raised', T0 + 2 * MIN), ev('a3', 'accepted', T0 + 3 * MIN, { actor: 'wang' }),
    ];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0 - MIN, to: T0 + 60 * MIN }, T0 + 11 * MIN);
    expect(report.overall).toMatchObject({ alerts: 3, slaCounted: 2, slaMissed: 2, slaKept: 0, openOverdue: 1 });
  });

  it('measures rescues: time from dispatch to arrival on site and the share on site in time (30 分钟到达率), per compound, worker and street', () => {
    // Rescues need arrival within 30 min in the city compound c01, 60 min in the county compound c02.
    const context = {
      arrivalMinutes: (rule: string, compound: string) => (rule === 'elevator-trapped' ? (compound === 'c02' ? 60 : 30) : undefined),
      streetOf: (compound: string) => ({ c01: 'wenxin', c02: 'qiandaohu' })[compound],
    };
    const rescue = (id: string, at: number, compound = 'c01') => [ev(id, 'raised', at, { compound }), ev(id, 'dispatched', at, { compound, assignee: 'wang' })];
    const events = [
      // r1: on site 12 min after dispatch: in time.
      ...rescue('r1', T0), ev('r1', 'accepted', T0 + 2 * MIN, { actor: 'wang' }), ev('r1', 'arrived', T0 + 12 * MIN, { actor: 'wang' }),
      // r2: on site after 40 min: late.
      ...rescue('r2', T0 + 60 * MIN), ev('r2', 'accepted', T0 + 63 * MIN, { actor: 'li' }), ev('r2', 'arrived', T0 + 100 * MIN, { actor: 'li' }),
      // r3: the county compound, on site after 50 min: in time (1 h).
      ...rescue('r3', T0 + 100 * MIN, 'c02'), ev('r3', 'accepted', T0 + 101 * MIN, { actor: 'wang', compound: 'c02' }), ev('r3', 'arrived', T0 + 150 * MIN, { actor: 'wang', compound: 'c02' }),
      // r4: nobody on site 200 min after its dispatch, still open: missed.
      ...rescue('r4', T0 + 200 * MIN),
      // r5: dispatched 10 min ago: not known yet.
      ...rescue('r5', T0 + 390 * MIN),
      // r6: resolved without going there before its deadline: not counted.
      ...rescue('r6', T0 + 300 * MIN), ev('r6', 'accepted', T0 + 301 * MIN, { actor: 'li' }), ev('r6', 'resolved', T0 + 310 * MIN, { actor: 'li' }),
      // Not a rescue.
      ev('m1', 'raised', T0, { ruleId: 'manhole-tilt', severity: 'major', type: 'manhole' }),
    ];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0 - MIN, to: T0 + 400 * MIN }, T0 + 400 * MIN, context);
    // Arrival times 720 s, 2400 s, 3000 s.
    expect(report.overall).toMatchObject({ alerts: 7, rescues: 6, arrived: 3, timeToArrive: { mean: 2040, p90: 3000 }, arrivalCounted: 4, arrivedInTime: 2, arrivalRate: 0.5 });
    expect(report.byCompound.c01).toMatchObject({ rescues: 5, arrived: 2, timeToArrive: { mean: 1560, p90: 2400 }, arrivalCounted: 3, arrivedInTime: 1, arrivalRate: 1 / 3 });
    expect(report.byCompound.c02).toMatchObject({ rescues: 1, arrived: 1, timeToArrive: { mean: 3000, p90: 3000 }, arrivalCounted: 1, arrivedInTime: 1, arrivalRate: 1 });
    expect(Object.keys(report.byStreet)).toEqual(['qiandaohu', 'wenxin']);
    expect(report.byStreet.wenxin).toEqual(report.byCompound.c01);
    expect(report.byStreet.qiandaohu).toEqual(report.byCompound.c02);
    expect(report.byWorker.wang).toMatchObject({ rescues: 2, arrivalCounted: 2, arrivedInTime: 2, arrivalRate: 1 });
    expect(report.byWorker.li).toMatchObject({ rescues: 2, arrived: 1, arrivalCounted: 1, arrivedInTime: 0, arrivalRate: 0 });
    expect(report.byRule['manhole-tilt']).toMatchObject({ rescues: 0, arrivalRate: null });
  });

  it('counts a rescue on site exactly at its deadline as in time, and one resolved after it without a check-in as missed', () => {
    const context = { arrivalMinutes: () => 30 };
    const events = [
      ev('r1', 'raised', T0), ev('r1', 'dispatched', T0, { assignee: 'wang' }), ev('r1', 'arrived', T0 + 30 * MIN, { actor: 'wang' }),
      ev('r2', 'raised', T0), ev('r2', 'dispatched', T0, { assignee: 'wang' }), ev('r2', 'accepted', T0 + MIN, { actor: 'wang' }), ev('r2', 'resolved', T0 + 31 * MIN, { actor: 'wang' }),
    ];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0 - MIN, to: T0 + 60 * MIN }, T0 + 60 * MIN, context);
    expect(report.overall).toMatchObject({ rescues: 2, arrived: 1, timeToArrive: { mean: 1800, p90: 1800 }, arrivalCounted: 2, arrivedInTime: 1, arrivalRate: 0.5 });
  });

  it('counts hand-overs per party and the ratings after closing, once per party, per compound, worker and party', () => {
    const events = [
      ev('a1', 'raised', T0), ev('a1', 'accepted', T0 + MIN, { actor: 'wang' }), ev('a1', 'resolved', T0 + 10 * MIN, { actor: 'wang' }), ev('a1', 'closed', T0 + 20 * MIN),
      ev('a1', 'evaluated', T0 + 30 * MIN, { actor: 'mgr', party: 'manager', score: 5 }),
      ev('a1', 'evaluated', T0 + 31 * MIN, { actor: 'chen', party: 'committee', score: 3 }),
      // A second rating of one party (it cannot happen through the book) counts once.
      ev('a1', 'evaluated', T0 + 32 * MIN, { actor: 'mgr2', party: 'manager', score: 1 }),
      ev('a2', 'raised', T0 + MIN, { ruleId: 'fire-lane-blocked', type: 'fire_lane' }), ev('a2', 'handed_over', T0 + 20 * MIN, { party: 'fire-desk', assignee: 'fire-1' }),
      ev('a2', 'accepted', T0 + 21 * MIN, { actor: 'fire-1' }), ev('a2', 'resolved', T0 + 40 * MIN, { actor: 'fire-1' }), ev('a2', 'closed', T0 + 50 * MIN),
      ev('a2', 'evaluated', T0 + 60 * MIN, { actor: 'mgr', party: 'manager', score: 4 }),
    ];
    const report = closedLoopReport(events, defaultAlertsConfig(), { from: T0 - MIN, to: T0 + 60 * MIN }, T0 + 90 * MIN);
    expect(report.overall.handedOver).toBe(1);
    expect(report.overall.satisfaction).toEqual({
      ratings: 3, mean: 4, satisfied: 2, rate: 2 / 3,
      byParty: { manager: { ratings: 2, mean: 4.5, satisfied: 2, rate: 1 }, committee: { ratings: 1, mean: 3, satisfied: 0, rate: 0 } },
    });
    expect(Object.keys(report.byParty)).toEqual(['fire-desk']);
    expect(report.byParty['fire-desk']!.satisfaction).toMatchObject({ ratings: 1, mean: 4 });
    expect(report.byWorker['fire-1']!.satisfaction).toMatchObject({ ratings: 1, mean: 4 });
    expect(report.byWorker.wang!.satisfaction).toMatchObject({ ratings: 2, mean: 4 });
    expect(report.byCompound.c01!.satisfaction.ratings).toBe(3);
  });
});
