/** A report's receipt from its alert: the coarse steps and their times (reopen, hand-over and escalation move it back), spam, and nothing copied beyond the listed fields. */
import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import { reportProgress } from './report-progress.ts';

const T = 1_800_000_000_000;
const ev = (kind: AlertEvent['kind'], at: number, extra: Partial<AlertEvent> = {}): AlertEvent => ({ alertId: 'a1', kind, at, actor: 'wang', ...extra });
const alertOf = (history: AlertEvent[], over: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  ruleId: 'resident-report',
  name: { zh: '居民报告', en: 'Resident report' },
  severity: 'minor',
  deviceKey: 'c01/report/a1',
  compound: 'c01',
  type: 'parking',
  device: 'report-a1',
  workflow: 'new',
  condition: 'active',
  raisedAt: T,
  lastSeenAt: T,
  count: 1,
  escalationLevel: 0,
  assignee: 'wang',
  report: { id: 'a1', category: 'parking', building: 'b1', text: '僵尸车 王先生', tokenHash: 'f'.repeat(64) },
  history,
  ...over,
});
const names = { compound: '翠苑一区', building: '1号楼' };

describe('reportProgress', () => {
  it('lists each change of the coarse state once, with its time; reopen and hand-over move it back', () => {
    const history = [ev('raised', T), ev('dispatched', T, { assignee: 'wang' }), ev('accepted', T + 1), ev('arrived', T + 2), ev('commented', T + 3, { note: '车主电话 139' }), ev('resolved', T + 4, { note: '已拖走' }), ev('reopened', T + 5, { note: '还在' }), ev('handed_over', T + 6, { party: 'desk', assignee: 'x' }), ev('accepted', T + 7), ev('resolved', T + 8), ev('closed', T + 9)];
    const answer = reportProgress(alertOf(history, { workflow: 'closed' }), names);
    expect(answer).toEqual({
      id: 'a1',
      category: 'parking',
      compound: { name: '翠苑一区' },
      building: { name: '1号楼' },
      createdAt: T,
      state: 'fixed',
      steps: [
        { state: 'reported', at: T },
        { state: 'in_progress', at: T + 1 },
        { state: 'fixed', at: T + 4 },
        { state: 'in_progress', at: T + 5 },
        { state: 'reported', at: T + 6 },
        { state: 'in_progress', at: T + 7 },
        { state: 'fixed', at: T + 8 },
      ],
    });
    expect(JSON.stringify(answer)).not.toMatch(/wang|王先生|139|已拖走|c01|b1|report-a1|desk|f{64}/);
  });

  it('an escalation of an accepted report keeps it in progress; of one not accepted, it stays reported', () => {
    const history = [ev('raised', T), ev('dispatched', T), ev('escalated', T + 1, { assignee: 'li' }), ev('accepted', T + 2), ev('escalated', T + 3, { assignee: 'zhao' })];
    expect(reportProgress(alertOf(history, { workflow: 'accepted' }), names).steps).toEqual([
      { state: 'reported', at: T },
      { state: 'in_progress', at: T + 2 },
    ]);
  });

  it('ends at closed_as_spam when a manager marked it as spam', () => {
    const history = [ev('raised', T), ev('dispatched', T), ev('accepted', T + 1), ev('marked_spam', T + 2, { actor: 'zhao' }), ev('condition_cleared', T + 2), ev('closed', T + 2, { note: 'spam' })];
    const answer = reportProgress(alertOf(history, { workflow: 'closed', report: { id: 'a1', category: 'parking', building: 'b1', text: 'x', spam: true } }), names);
    expect(answer.state).toBe('closed_as_spam');
    expect(answer.steps).toEqual([
      { state: 'reported', at: T },
      { state: 'in_progress', at: T + 1 },
      { state: 'closed_as_spam', at: T + 2 },
    ]);
  });
});
