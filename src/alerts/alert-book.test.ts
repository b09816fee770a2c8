import { describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { AlertEvent, StoredAlertEvent } from './alert.types.ts';
import { isHubError } from '../errors.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

async function setup(grids = [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }]) {
  let n = 0;
  const config = alertsConfigSchema.parse({
    grids,
    groups: [{ id: 'community-duty', name: '社区值班', members: ['zhou'] }, { id: 'street-desk', name: '街道应急值守', members: ['sun'] }],
    escalation: ['community-duty', 'street-desk'],
    // Reminders and call trees have their own tests (alert-book.workflow.test.ts).
    remindMin: {},
    callTree: {},
  });
  const book = new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
  const events: AlertEvent[] = [];
  book.onEvent((e) => events.push(e));
  const kinds = () => events.map((e) => `${e.kind}${e.assignee ? `>${e.assignee}` : ''}`);
  return { book, events, kinds };
}

const trapped = (change: ConditionChange['change'], at: number, compound = 'c01'): ConditionChange => ({
  change, ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: `${compound}/elevator/e1`, compound, type: 'elevator', device: 'e1', at, count: 1, value: 'trapped',
});

describe('AlertBook', () => {
  it('opens one alert per device and rule, dispatches it to the grid worker on duty, and counts repeats', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.applyCondition(trapped('repeated', T0 + 1000));
    book.applyCondition(trapped('repeated', T0 + 2000));
    const [alert] = book.list();
    expect(book.list()).toHaveLength(1);
    expect(alert).toMatchObject({ id: 'a1', workflow: 'dispatched', assignee: 'wang', count: 3, name: { zh: '电梯困人' }, dueAt: T0 + 5 * MIN });
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'repeated', 'repeated']);
  });

  it('runs the closed loop: accept, resolve with a note, close; then a new alert for a new occurrence', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.accept('a1', 'wang', T0 + 2 * MIN);
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', dueAt: T0 + 30 * MIN });
    expect(() => book.resolve('a1', 'wang', '  ', T0)).toThrow(/note/);
    book.resolve('a1', 'wang', '救出乘客, 门锁复位', T0 + 20 * MIN);
    book.applyCondition(trapped('cleared', T0 + 21 * MIN));
    book.close('a1', 'manager-zhao', T0 + 25 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'accepted', 'resolved', 'condition_cleared', 'closed']);
    book.applyCondition(trapped('raised', T0 + 60 * MIN));
    expect(book.list({ open: true }).map((a) => a.id)).toEqual(['a2']);
  });

  it('refuses steps out of order with a clear error', async () => {
    const { book } = await setup();
    book.applyCondition(trapped('raised', T0));
    for (const attempt of [() => book.resolve('a1', 'wang', 'x', T0), () => book.close('a1', 'm', T0)]) {
      try {
        attempt();
        expect.unreachable();
      } catch (error) {
        expect(isHubError(error, 'INVALID_TRANSITION')).toBe(true);
        expect((error as Error).message).toMatch(/it is dispatched/);
      }
    }
    expect(() => book.accept('nope', 'x', T0)).toThrow(/does not exist/);
  });

  it('escalates a missed accept deadline to the backup, then the community duty officer, then the street desk, and stays overdue from the first deadline', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.tick(T0 + 5 * MIN - 1);
    expect(kinds()).toEqual(['raised', 'dispatched>wang']);
    expect(book.get('a1').overdue).toBeUndefined();
    book.tick(T0 + 5 * MIN);
    // The next person has a fresh deadline, but the alert is late since the first one.
    expect(book.get('a1')).toMatchObject({ assignee: 'li', dueAt: T0 + 10 * MIN, overdue: { step: 'accept', since: T0 + 5 * MIN } });
    book.tick(T0 + 10 * MIN);
    book.tick(T0 + 15 * MIN);
    book.tick(T0 + 20 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'escalated>li', 'escalated>zhou', 'escalated>sun', 'escalated>sun']);
    expect(book.get('a1')).toMatchObject({ assignee: 'sun', escalationLevel: 4, workflow: 'dispatched', overdue: { step: 'accept', since: T0 + 5 * MIN } });
    // Accepted late: the accept delay is history; the resolve deadline (30 min from the raise) is not yet past.
    book.accept('a1', 'sun', T0 + 21 * MIN);
    expect(book.get('a1').overdue).toBeUndefined();
    // A trapped passenger needs someone on site 30 min after dispatch: that escalates first, then the resolve deadline of the same minute.
    book.tick(T0 + 30 * MIN);
    expect(book.get('a1').overdue).toEqual({ step: 'arrive', since: T0 + 30 * MIN });
    book.tick(T0 + 30 * MIN + 1000);
    expect(book.get('a1').overdue).toEqual({ step: 'resolve', since: T0 + 30 * MIN });
    book.resolve('a1', 'sun', 'ok', T0 + 31 * MIN);
    expect(book.get('a1').overdue).toBeUndefined();
  });

  it('tells the next level when an accepted alert misses its resolve deadline, without taking it away', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.accept('a1', 'wang', T0 + MIN);
    book.tick(T0 + 30 * MIN);
    expect(kinds().at(-1)).toBe('escalated>li');
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', assignee: 'wang' });
  });

  it('keeps condition state apart from the workflow, and closes a resolved alert once quiet', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.accept('a1', 'wang', T0 + MIN);
    book.applyCondition(trapped('cleared', T0 + 2 * MIN));
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', condition: 'cleared' });
    book.resolve('a1', 'wang', 'done', T0 + 3 * MIN);
    book.tick(T0 + 32 * MIN);
    expect(book.get('a1').workflow).toBe('resolved');
    book.tick(T0 + 33 * MIN);
    expect(book.get('a1').workflow).toBe('closed');
    expect(kinds().slice(-2)).toEqual(['resolved', 'closed']);
    expect(book.get('a1').history.at(-1)).toMatchObject({ actor: 'hub', note: 'condition cleared and quiet' });
  });

  it('goes to the community duty officer when its compound has no grid, then escalates to the street desk', async () => {
    const { book, kinds } = await setup([]);
    book.applyCondition(trapped('raised', T0, 'c09'));
    expect(book.get('a1')).toMatchObject({ workflow: 'dispatched', assignee: 'zhou' });
    book.tick(T0 + 5 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>zhou', 'escalated>sun']);
  });

  it('refuses to close an alert whose condition is still active; closed anyway with a note, the condition opens a new alert at once', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.accept('a1', 'wang', T0 + MIN);
    book.resolve('a1', 'wang', '已到场', T0 + 2 * MIN);
    try {
      book.close('a1', 'zhao', T0 + 3 * MIN);
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'CONDITION_ACTIVE')).toBe(true);
    }
    expect(book.get('a1').workflow).toBe('resolved');
    expect(() => book.close('a1', 'zhao', T0 + 3 * MIN, '', true)).toThrow(/note/);
    book.close('a1', 'zhao', T0 + 3 * MIN, '传感器误报，已报修', true);
    expect(book.get('a1').workflow).toBe('closed');
    const [next] = book.list({ open: true });
    expect(next).toMatchObject({ id: 'a2', condition: 'active', workflow: 'dispatched', assignee: 'wang', raisedAt: T0 + 3 * MIN });
    expect(next!.history[0]!.note).toMatch(/still active after a1/);
    expect(kinds().slice(-3)).toEqual(['closed', 'raised', 'dispatched>wang']);
  });

  it('reassigns only to someone who may act in the compound', async () => {
    const { book } = await setup();
    book.applyCondition(trapped('raised', T0));
    for (const nobody of ['nobody-here', 'zhou-other']) {
      try {
        book.reassign('a1', 'zhao', nobody, T0 + MIN);
        expect.unreachable();
      } catch (error) {
        expect(isHubError(error, 'ASSIGNEE_INVALID')).toBe(true);
      }
    }
    expect(book.get('a1').assignee).toBe('wang');
    book.reassign('a1', 'zhao', 'zhou', T0 + MIN);
    expect(book.get('a1').assignee).toBe('zhou');
  });

  it('reassigns, comments and reopens with notes', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(trapped('raised', T0));
    book.reassign('a1', 'manager', 'li', T0 + MIN);
    book.comment('a1', 'li', '在路上', T0 + 2 * MIN);
    book.accept('a1', 'li', T0 + 3 * MIN);
    book.resolve('a1', 'li', 'ok', T0 + 4 * MIN);
    book.reopen('a1', 'manager', '门还是关不上', T0 + 5 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'reassigned>li', 'commented', 'accepted', 'resolved', 'reopened']);
    expect(book.get('a1').workflow).toBe('accepted');
  });

  it('rebuilds the same alerts from their stored events, closed ones dropped, without notifying again', async () => {
    const { book, events } = await setup();
    const stored: StoredAlertEvent[] = [];
    // As the event log stores them: the raise carries the value that raised it.
    book.onEvent((e, a) => stored.push({ ...e, ruleId: a.ruleId, severity: a.severity, compound: a.compound, type: a.type, device: a.device, ...(e.kind === 'raised' && a.value !== undefined ? { value: a.value } : {}) }));
    book.applyCondition(trapped('raised', T0));
    book.accept('a1', 'wang', T0 + MIN);
    book.applyCondition({ ...trapped('raised', T0 + 2 * MIN), deviceKey: 'c01/elevator/e2', device: 'e2' });
    book.tick(T0 + 7 * MIN + 1); // a2 misses its accept deadline
    book.applyCondition({ ...trapped('raised', T0 + 3 * MIN), deviceKey: 'c01/elevator/e3', device: 'e3' });
    book.accept('a3', 'li', T0 + 8 * MIN);
    book.resolve('a3', 'li', 'ok', T0 + 9 * MIN);
    book.applyCondition({ ...trapped('cleared', T0 + 9 * MIN), deviceKey: 'c01/elevator/e3', device: 'e3' });
    book.close('a3', 'm', T0 + 10 * MIN);

    const { book: rebuilt, events: replayed } = await setup();
    rebuilt.restore(stored.reverse());
    expect(replayed).toEqual([]);
    expect(rebuilt.list().map((a) => a.id).sort()).toEqual(['a1', 'a2']);
    for (const id of ['a1', 'a2']) {
      const { history, ...rest } = book.get(id);
      const { history: rebuiltHistory, ...rebuiltRest } = rebuilt.get(id);
      expect(rebuiltRest).toEqual(rest);
      expect(rebuiltHistory).toEqual(history);
    }
    // A condition raised again after the rebuild updates the open alert.
    rebuilt.applyCondition(trapped('raised', T0 + 20 * MIN));
    expect(rebuilt.list()).toHaveLength(2);
    expect(rebuilt.get('a1').count).toBe(2);
    expect(events.length).toBeGreaterThan(0);
  });
});
