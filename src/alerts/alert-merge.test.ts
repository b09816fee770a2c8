import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from './alert.types.ts';
import { mergeAlert } from './alert-merge.ts';

const ev = (kind: AlertEvent['kind'], at: number, actor = 'hub', extra: Partial<AlertEvent> = {}): AlertEvent => ({ alertId: 'a1', kind, at, actor, ...extra });

const base: Alert = {
  id: 'a1',
  ruleId: 'manhole-tilt',
  name: { zh: '井盖倾斜', en: 'Manhole tilted' },
  severity: 'major',
  deviceKey: 'c1/manhole/m1',
  compound: 'c1',
  type: 'manhole',
  device: 'm1',
  workflow: 'dispatched',
  condition: 'active',
  raisedAt: 1000,
  lastSeenAt: 1000,
  count: 1,
  assignee: 'w1',
  escalationLevel: 0,
  dueAt: 5000,
  history: [ev('raised', 1000), ev('dispatched', 1000, 'hub', { assignee: 'w1' })],
};
const copy = (a: Alert): Alert => structuredClone(a);

describe('mergeAlert', () => {
  it('keeps a step taken elsewhere and the owner’s condition change made meanwhile', () => {
    const stored = copy(base);
    stored.workflow = 'accepted';
    stored.dueAt = 9000;
    stored.history.push(ev('accepted', 2000, 'w1'));
    const mine = copy(base);
    mine.condition = 'cleared';
    mine.clearedAt = 2500;
    mine.history.push(ev('condition_cleared', 2500));

    const merged = mergeAlert(base, stored, mine);
    expect(merged.workflow).toBe('accepted');
    expect(merged.dueAt).toBe(9000);
    expect(merged.condition).toBe('cleared');
    expect(merged.clearedAt).toBe(2500);
    expect(merged.history.map((e) => e.kind)).toEqual(['raised', 'dispatched', 'accepted', 'condition_cleared']);
  });

  it('keeps the owner’s own workflow change when the other side changed something else', () => {
    const stored = copy(base);
    stored.history.push(ev('commented', 2000, 'm1', { note: 'on my way' }));
    const mine = copy(base);
    mine.workflow = 'closed';
    mine.history.push(ev('closed', 3000));
    const merged = mergeAlert(base, stored, mine);
    expect(merged.workflow).toBe('closed');
    expect(merged.history.map((e) => e.kind)).toEqual(['raised', 'dispatched', 'commented', 'closed']);
  });

  it('lets the step written first win a field both changed, and counts each event once', () => {
    const stored = copy(base);
    stored.assignee = 'w2';
    stored.history.push(ev('reassigned', 2000, 'm1', { assignee: 'w2' }));
    const mine = copy(base);
    mine.assignee = 'w3';
    mine.escalationLevel = 1;
    mine.history.push(ev('escalated', 2000, 'hub', { assignee: 'w3' }));
    const merged = mergeAlert(base, stored, mine);
    expect(merged.assignee).toBe('w2');
    // The reassignment's workflow stands whole: the owner's escalation of it does not.
    expect(merged.escalationLevel).toBe(0);
    expect(merged.history).toHaveLength(4);
    expect(mergeAlert(base, merged, merged).history).toHaveLength(4);
  });

  it('drops a field one side removed', () => {
    const stored = copy(base);
    delete stored.dueAt;
    const merged = mergeAlert(base, stored, copy(base));
    expect('dueAt' in merged).toBe(false);
  });
});

describe('mergeAlert: the workflow as one', () => {
  it('keeps an accept whole when the owner escalated the same alert meanwhile', () => {
    const stored = copy(base);
    stored.workflow = 'accepted';
    stored.dueAt = 9000;
    stored.history.push(ev('accepted', 5000, 'w1'));
    const mine = copy(base);
    mine.assignee = 'w2';
    mine.escalationLevel = 1;
    mine.overdue = { step: 'accept', since: 5000 };
    mine.history.push(ev('escalated', 5000, 'hub', { assignee: 'w2', note: 'accept deadline missed' }));
    const merged = mergeAlert(base, stored, mine);
    expect(merged).toMatchObject({ workflow: 'accepted', assignee: 'w1', escalationLevel: 0, dueAt: 9000 });
    expect(merged.overdue).toBeUndefined();
    // What happened stays in the history.
    expect(merged.history.map((e) => e.kind)).toContain('escalated');
  });
});
