import { describe, expect, it } from 'vitest';
import { ActiveConditions } from './active-conditions.ts';
import type { ConditionChange } from './rules.engine.ts';

const offline = (change: ConditionChange['change'], at: number): ConditionChange => ({
  change, ruleId: 'device-offline', kind: 'absence', severity: 'major', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at, count: 1,
});

describe('ActiveConditions', () => {
  it('keeps what holds a condition back until it is held no more or clears; a hold of a condition not active is ignored', () => {
    const conditions = new ActiveConditions();
    conditions.hold({ deviceKey: 'c01/elevator/e1', ruleId: 'device-offline' }, { reason: 'waiting', until: 60 });
    conditions.apply(offline('raised', 1));
    expect(conditions.list()[0]!.held).toBeUndefined();
    conditions.hold({ deviceKey: 'c01/elevator/e1', ruleId: 'device-offline' }, { reason: 'inhibited', inhibit: 'power-cut', source: { id: 'elevator-power-loss', deviceKey: 'c01/elevator/e2' } });
    conditions.apply(offline('repeated', 2));
    expect(conditions.list()[0]).toMatchObject({ lastAt: 2, held: { reason: 'inhibited', inhibit: 'power-cut' } });
    conditions.hold({ deviceKey: 'c01/elevator/e1', ruleId: 'device-offline' }, undefined);
    expect(conditions.list()[0]).not.toHaveProperty('held');
    conditions.apply(offline('cleared', 3));
    expect(conditions.list()).toEqual([]);
  });
});
