import { describe, expect, it } from 'vitest';
import { Silences } from './silences.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';

const T0 = 1_800_000_000_000;
const change = (over: Partial<ConditionChange> = {}): ConditionChange => ({
  change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at: T0, count: 1, ...over,
});

describe('Silences', () => {
  it('matches by compound, device, type and rule within its window only', () => {
    const silences = new Silences();
    const s = silences.add({ compound: 'c01', type: 'elevator', from: T0, until: T0 + 60_000, reason: '年检', actor: 'zhao' }).silence;
    expect(silences.matches(change())?.id).toBe(s.id);
    expect(silences.matches(change({ compound: 'c02', deviceKey: 'c02/elevator/e1' }))).toBeUndefined();
    expect(silences.matches(change({ type: 'manhole' }))).toBeUndefined();
    expect(silences.matches(change({ at: T0 + 60_000 }))).toBeUndefined();
    expect(silences.matches(change({ at: T0 - 1 }))).toBeUndefined();
  });

  it('refuses a silence that would match everything or ends before it starts, and forgets expired ones', () => {
    const silences = new Silences();
    expect(() => silences.add({ from: T0, until: T0 + 1, reason: 'x', actor: 'a' })).toThrow(/at least one/);
    expect(() => silences.add({ compound: 'c01', from: T0, until: T0, reason: 'x', actor: 'a' })).toThrow(/until/);
    const s = silences.add({ deviceKey: 'c01/elevator/e1', from: T0, until: T0 + 10, reason: 'x', actor: 'a' }).silence;
    expect(silences.list(T0)).toHaveLength(1);
    expect(silences.list(T0 + 10)).toHaveLength(0);
    expect(() => silences.remove(s.id)).toThrow(/does not exist/);
  });
});
