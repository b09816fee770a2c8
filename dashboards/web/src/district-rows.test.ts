import { describe, expect, it } from 'vitest';
import type { Figures } from '../../../src/contracts/api.ts';
import type { CompoundSummary } from '../../../src/contracts/live-events.ts';
import { compoundRows, filterRows, pageRows, sortRows, stateCounts, streetsOf, worstState } from './district-rows.ts';
import { chinaDay, perDaySeries, periodRange } from './district-period.ts';

const summary = (id: string, name: string, street: [string, string], over: Partial<CompoundSummary> = {}): CompoundSummary => ({
  id,
  name,
  district: { id: 'xihu', name: '西湖区' },
  street: { id: street[0], name: street[1] },
  community: { id: `${street[0]}-1`, name: `${street[1]}一社区` },
  deviceCount: 10,
  online: 10,
  openAlerts: { critical: 0, major: 0, minor: 0, info: 0 },
  ...over,
});
const figures = (over: Partial<Figures>): Figures => ({
  alerts: 1, accepted: 1, resolved: 1, closed: 0, escalated: 0,
  timeToAccept: { mean: 60, p90: 60 }, timeToResolve: { mean: 600, p90: 600 },
  slaCounted: 1, slaMissed: 0, slaKept: 1, openOverdue: 0,
  rescues: 0, arrived: 0, timeToArrive: { mean: null, p90: null }, arrivalCounted: 0, arrivedInTime: 0, arrivalRate: null,
  handedOver: 0, satisfaction: { ratings: 0, mean: null, satisfied: 0, rate: null, byParty: { manager: { ratings: 0, mean: null, satisfied: 0, rate: null }, committee: { ratings: 0, mean: null, satisfied: 0, rate: null } } },
  ...over,
});

const compounds = [
  summary('c1', '翠苑花园', ['wenxin', '文新街道'], { openAlerts: { critical: 1, major: 2, minor: 0, info: 0 } }),
  summary('c2', '文鼎花园', ['wenxin', '文新街道'], { online: 0 }),
  summary('c3', '嘉绿花园', ['xixi', '西溪街道'], { online: 5, openAlerts: { critical: 0, major: 1, minor: 3, info: 0 } }),
  summary('c4', '古荡新村', ['xixi', '西溪街道'], { online: 9 }),
];
const rows = compoundRows(compounds, { c1: figures({ timeToAccept: { mean: 300, p90: 300 }, slaKept: 0.5 }), c3: figures({ slaKept: 0.9 }) }, new Map([['c1', 2]]));

describe('district rows', () => {
  it('the worst state: critical, then major, then no device online, else ok', () => {
    expect(rows.map((r) => r.state)).toEqual(['critical', 'offline', 'major', 'ok']);
    expect(worstState({ deviceCount: 0, online: 0, openAlerts: { critical: 0, major: 0, minor: 0, info: 0 } })).toBe('ok');
    expect(worstState({ deviceCount: 5, online: 0, openAlerts: { critical: 0, major: 1, minor: 0, info: 0 } })).toBe('major');
    expect(stateCounts(rows)).toEqual({ critical: 1, major: 1, offline: 1, ok: 1 });
  });

  it('rows carry live totals and the period figures', () => {
    expect(rows[0]).toMatchObject({ id: 'c1', onlineShare: 1, openTotal: 3, overdue: 2, mtta: 300, slaKept: 0.5 });
    expect(rows[2]).toMatchObject({ onlineShare: 0.5, mtta: 60, mttr: 600, slaKept: 0.9 });
    expect(rows[3]).toMatchObject({ overdue: 0, mtta: null, slaKept: null });
  });

  it('sorts by any column both ways, ties by state, figures missing last', () => {
    expect(sortRows(rows, { key: 'state', dir: 'asc' }).map((r) => r.id)).toEqual(['c1', 'c3', 'c2', 'c4']);
    expect(sortRows(rows, { key: 'online', dir: 'asc' }).map((r) => r.id)).toEqual(['c2', 'c3', 'c4', 'c1']);
    expect(sortRows(rows, { key: 'online', dir: 'desc' }).map((r) => r.id)).toEqual(['c1', 'c4', 'c3', 'c2']);
    expect(sortRows(rows, { key: 'sla', dir: 'asc' }).map((r) => r.id)).toEqual(['c1', 'c3', 'c2', 'c4']);
    expect(sortRows(rows, { key: 'sla', dir: 'desc' }).map((r) => r.id)).toEqual(['c3', 'c1', 'c2', 'c4']);
    expect(sortRows(rows, { key: 'minor', dir: 'desc' })[0]!.id).toBe('c3');
    // By name in Chinese (pinyin order): 翠 cui, 古 gu, 嘉 jia, 文 wen.
    expect(sortRows(rows, { key: 'name', dir: 'asc' }).map((r) => r.name)).toEqual(['翠苑花园', '古荡新村', '嘉绿花园', '文鼎花园']);
    expect(sortRows(rows, { key: 'name', dir: 'desc' })[0]!.name).toBe('文鼎花园');
  });

  it('filters by text (name, id, street, community) and by street and state', () => {
    expect(filterRows(rows, { q: '花园' }).map((r) => r.id)).toEqual(['c1', 'c2', 'c3']);
    expect(filterRows(rows, { q: ' C4 ' }).map((r) => r.id)).toEqual(['c4']);
    expect(filterRows(rows, { q: '西溪' }).map((r) => r.id)).toEqual(['c3', 'c4']);
    expect(filterRows(rows, { street: 'wenxin' }).map((r) => r.id)).toEqual(['c1', 'c2']);
    expect(filterRows(rows, { street: 'wenxin', q: '文鼎' }).map((r) => r.id)).toEqual(['c2']);
    expect(filterRows(rows, { state: 'offline' }).map((r) => r.id)).toEqual(['c2']);
    expect(filterRows(rows, { q: '没有' })).toEqual([]);
    expect(streetsOf(rows)).toEqual([{ id: 'wenxin', name: '文新街道' }, { id: 'xixi', name: '西溪街道' }]);
  });

  it('pages, clamped into range', () => {
    const many = compoundRows(Array.from({ length: 120 }, (_, i) => summary(`c${i}`, `小区${i}`, ['s', '街道'])), undefined, new Map());
    expect(pageRows(many, 0, 50)).toMatchObject({ page: 0, pages: 3, total: 120, first: 1, last: 50 });
    expect(pageRows(many, 2, 50)).toMatchObject({ page: 2, first: 101, last: 120 });
    expect(pageRows(many, 2, 50).rows).toHaveLength(20);
    expect(pageRows(many, 9, 50).page).toBe(2);
    expect(pageRows([], 0, 50)).toMatchObject({ page: 0, pages: 1, total: 0, first: 0, last: 0 });
  });
});

describe('district periods', () => {
  // 2026-12-02 10:00 in China.
  const now = Date.parse('2026-12-02T10:00:00+08:00');
  it('today starts at China midnight; 7 and 30 days go back from now', () => {
    expect(periodRange('today', now)).toEqual({ kind: 'today', from: Date.parse('2026-12-02T00:00:00+08:00'), to: now });
    expect(periodRange('7d', now)).toEqual({ kind: '7d', from: now - 7 * 86_400_000, to: now });
    expect(periodRange('30d', now)!.from).toBe(now - 30 * 86_400_000);
  });
  it('custom days, both included, up to now; nonsense gives none', () => {
    expect(periodRange('custom', now, { from: '2026-11-01', to: '2026-11-03' })).toEqual({
      kind: 'custom', from: Date.parse('2026-11-01T00:00:00+08:00'), to: Date.parse('2026-11-04T00:00:00+08:00') - 1,
    });
    expect(periodRange('custom', now, { from: '2026-12-01', to: '2026-12-05' })!.to).toBe(now);
    expect(periodRange('custom', now, { from: '2026-11-05', to: '2026-11-03' })).toBeUndefined();
    expect(periodRange('custom', now, { from: '2026-02-30', to: '2026-03-01' })).toBeUndefined();
    expect(periodRange('custom', now, { from: '', to: '2026-03-01' })).toBeUndefined();
    expect(periodRange('custom', now, { from: '2027-01-01', to: '2027-01-02' })).toBeUndefined();
    expect(periodRange('custom', now, { from: '2024-01-01', to: '2026-01-02' })).toBeUndefined();
  });
  it('alerts per day over every day of the period, zeros included', () => {
    const p = periodRange('custom', now, { from: '2026-11-29', to: '2026-12-02' })!;
    expect(perDaySeries(p, { '2026-11-30': 4, '2026-12-02': 1, '2026-10-01': 9 })).toEqual([['2026-11-29', 0], ['2026-11-30', 4], ['2026-12-01', 0], ['2026-12-02', 1]]);
    expect(perDaySeries(periodRange('7d', now)!, {})).toHaveLength(8);
    expect(chinaDay(Date.parse('2026-12-01T16:30:00Z'))).toBe('2026-12-02');
  });
});
