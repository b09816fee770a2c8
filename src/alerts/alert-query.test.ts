import { describe, expect, it } from 'vitest';
import { deskMatcher, deskOrder, deskPage, incidentPlace, sourcesOf, type DeskKey, type DeskNames } from './alert-query.ts';

const key = (id: string, over: Partial<DeskKey> = {}): DeskKey => ({
  id,
  compound: 'c01',
  deviceKey: 'c01/elevator/elev-01',
  ruleId: 'elevator-trapped',
  severity: 'critical',
  workflow: 'dispatched',
  raisedAt: 1000,
  ...over,
});

const names: DeskNames = {
  inScope: (c) => c !== 'secret',
  compoundName: (c) => ({ c01: '翠苑一区', c02: '西溪花园', c03: '阿里巴巴' })[c],
  deviceName: (k) => (k === 'c01/elevator/elev-01' ? '1号楼 1号电梯' : undefined),
  buildingOf: (k) => (k.startsWith('c01/elevator/') ? 'b1' : incidentPlace(k)),
  ruleName: (r) => (r === 'elevator-trapped' ? { zh: '电梯困人', en: 'Passenger trapped in elevator' } : undefined),
};

describe('alert desk query', () => {
  it('reads open alerts, the archive or both by state', () => {
    expect(sourcesOf()).toEqual({ open: true, closed: false });
    expect(sourcesOf('closed')).toEqual({ open: false, closed: true, workflow: 'closed' });
    expect(sourcesOf('all')).toEqual({ open: true, closed: true });
    expect(sourcesOf('accepted')).toEqual({ open: true, closed: false, workflow: 'accepted' });
  });

  it('finds the place of an incident in its key', () => {
    expect(incidentPlace('c01/incident/power-cut-building@b2')).toBe('b2');
    expect(incidentPlace('c01/elevator/elev-01')).toBeUndefined();
  });

  it('matches text in device names and ids, rule names and alert ids, case aside', () => {
    const match = (q: string) => deskMatcher({ q }, names)(key('a-xyz'));
    expect(['电梯困人', 'TRAPPED in', '1号楼', 'ELEV-01', 'a-xy'].map(match)).toEqual([true, true, true, true, true]);
    expect(match('井盖')).toBe(false);
  });

  it('holds to scope, building and time range', () => {
    expect(deskMatcher({}, names)(key('a', { compound: 'secret' }))).toBe(false);
    expect(deskMatcher({ building: 'b2' }, names)(key('a', { deviceKey: 'c01/incident/power-cut-building@b2' }))).toBe(true);
    expect(deskMatcher({ building: 'b2' }, names)(key('a'))).toBe(false);
    expect(deskMatcher({ from: 1000, to: 1001 }, names)(key('a'))).toBe(true);
    expect(deskMatcher({ to: 1000 }, names)(key('a'))).toBe(false);
  });

  it('orders by severity, workflow, compound name or time, then newest first, then id', () => {
    const keys = [key('x', { severity: 'minor', raisedAt: 3 }), key('y', { severity: 'critical', raisedAt: 1 }), key('z', { severity: 'critical', raisedAt: 2 })];
    expect([...keys].sort(deskOrder('severity', 'desc', names)).map((k) => k.id)).toEqual(['z', 'y', 'x']);
    expect([...keys].sort(deskOrder('severity', 'asc', names)).map((k) => k.id)).toEqual(['x', 'z', 'y']);
    const places = [key('p', { compound: 'c02' }), key('q', { compound: 'c03' }), key('r', { compound: 'c01' })];
    // zh-CN collation by name: 阿里巴巴 (a), 翠苑一区 (cui), 西溪花园 (xi).
    expect([...places].sort(deskOrder('compound', 'asc', names)).map((k) => k.id)).toEqual(['q', 'r', 'p']);
    const steps = [key('s', { workflow: 'resolved' }), key('t', { workflow: 'new' }), key('u', { workflow: 'accepted' })];
    expect([...steps].sort(deskOrder('workflow', 'asc', names)).map((k) => k.id)).toEqual(['t', 'u', 's']);
  });

  it('pages open and archived alerts together, counting an alert in both once', () => {
    const open = [key('a', { raisedAt: 5 }), key('b', { raisedAt: 3 })];
    const archived = [key('c', { raisedAt: 4, workflow: 'closed' }), key('a', { raisedAt: 5, workflow: 'closed' }), key('d', { raisedAt: 1, workflow: 'closed' })];
    const all = { state: 'all' as const, limit: 2 };
    expect(deskPage(open, archived, { ...all, offset: 0 }, names)).toEqual({ page: [open[0], archived[0]], total: 4 });
    expect(deskPage(open, archived, { ...all, offset: 2 }, names).page.map((k) => k.id)).toEqual(['b', 'd']);
  });
});
