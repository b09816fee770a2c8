import { describe, expect, it } from 'vitest';
import { closedLoopReport } from './closed-loop.figures.ts';
import { defaultAlertsConfig } from './sla.config.ts';
import type { StoredAlertEvent } from './alert.types.ts';

const T0 = Date.UTC(2026, 10, 24, 2, 0, 0); // 10:00 in Hangzhou
const MIN = 60_000;
const base = { actor: 'hub', ruleId: 'elevator-trapped', severity: 'critical' as const, compound: 'c01', type: 'elevator' as const, device: 'e1' };
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
    });
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
});
