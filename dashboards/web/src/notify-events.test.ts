import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../../src/alerts/alert.types.ts';
import { AlertNewsWatch } from './notify-events.ts';

const T0 = 1_800_000_000_000;
const event = (kind: AlertEvent['kind'], extra: Partial<AlertEvent> = {}): AlertEvent => ({ alertId: 'a1', kind, at: T0, actor: 'hub', ...extra });

function alert(id: string, history: AlertEvent[]): Alert {
  return {
    id, ruleId: 'elevator-trapped', name: { zh: '电梯困人', en: 'Passenger trapped' }, severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1',
    workflow: 'dispatched', condition: 'active', raisedAt: T0, lastSeenAt: T0, count: 1, escalationLevel: 0, assignee: 'wang',
    history: history.map((e) => ({ ...e, alertId: id })),
  };
}
const raised = [event('raised'), event('dispatched', { assignee: 'wang' })];
const kinds = (news: ReturnType<AlertNewsWatch['news']>) => news.map((n) => `${n.alert.id}:${n.event.kind}`);

describe('AlertNewsWatch: what calls for a system notification', () => {
  it('takes the first list as seen, then tells each alert handed to the person once', () => {
    const watch = new AlertNewsWatch('wang');
    expect(watch.news([alert('a1', raised)])).toEqual([]);
    // The same list again (a reconnect's snapshot): nothing new.
    expect(watch.news([alert('a1', raised)])).toEqual([]);
    expect(kinds(watch.news([alert('a1', raised), alert('a2', raised)]))).toEqual(['a2:dispatched']);
    expect(watch.news([alert('a1', raised), alert('a2', raised)])).toEqual([]);
  });

  it('tells escalations, reassignments, reminders and calls to the person, the latest when several came at once', () => {
    const watch = new AlertNewsWatch('wang');
    watch.news([alert('a1', raised)]);
    expect(kinds(watch.news([alert('a1', [...raised, event('reminded', { assignee: 'wang' })])]))).toEqual(['a1:reminded']);
    const later = [...raised, event('reminded', { assignee: 'wang' }), event('escalated', { assignee: 'wang' }), event('called', { assignee: 'wang' })];
    expect(kinds(watch.news([alert('a1', later)]))).toEqual(['a1:called']);
    expect(kinds(watch.news([alert('a1', [...later, event('reassigned', { assignee: 'wang', actor: 'zhao' })])]))).toEqual(['a1:reassigned']);
  });

  it('does not tell what is for someone else, what the person did, or other steps', () => {
    const watch = new AlertNewsWatch('wang');
    watch.news([alert('a1', raised)]);
    const history = [...raised, event('called', { assignee: 'li' }), event('reassigned', { assignee: 'wang', actor: 'wang' }), event('commented', { actor: 'zhao', note: '注意安全' }), event('accepted', { actor: 'wang' })];
    expect(watch.news([alert('a1', history)])).toEqual([]);
  });

  it('tells an alert that comes back to the person after it left their list', () => {
    const watch = new AlertNewsWatch('wang');
    watch.news([alert('a1', raised)]);
    expect(watch.news([])).toEqual([]);
    const back = [...raised, event('reassigned', { assignee: 'li', actor: 'zhao' }), event('reassigned', { assignee: 'wang', actor: 'zhao' })];
    expect(kinds(watch.news([alert('a1', back)]))).toEqual(['a1:reassigned']);
  });
});
