/** Hand-over (流转) to parties by kind of problem and evaluation (评价) in the alert book, on a controlled clock. */
import { describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { AlertEvent, StoredAlertEvent } from './alert.types.ts';
import type { Me } from '../contracts/access.ts';
import { isHubError } from '../errors.ts';
import { maySee } from '../contracts/access.ts';
import { alertSchema } from './alert.schema.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const department = (id: string, parties: string[]): Me => ({ id, name: id, role: 'department', compounds: [], grids: [], parties, mustChangePassword: false });

async function setup(config: object = {}) {
  let n = 0;
  const parsed = alertsConfigSchema.parse({
    grids: [{ id: 'g1', compounds: ['c01', 'c02'], workers: ['wang', 'li'] }],
    groups: [
      { id: 'fire-desk', name: '街道消防安全站', kind: 'department', compounds: ['c01'], members: ['fire-1', 'fire-2'] },
      { id: 'lift-desk', name: '街道电梯安全站', kind: 'department', members: ['lift-1'] },
    ],
    handovers: [
      { id: 'fire-lane', rules: ['fire-lane-blocked'], atEscalation: 1, to: 'fire-desk' },
      { id: 'elevator-long', types: ['elevator'], afterMin: 120, to: 'lift-desk' },
    ],
    remindMin: {},
    callTree: {},
    ...config,
  });
  const people = [department('fire-1', ['fire-desk']), department('fire-2', ['fire-desk']), department('lift-1', ['lift-desk'])];
  const book = new AlertBook(parsed, await loadRules(undefined), routingFor(parsed, people), () => `a${++n}`);
  const events: AlertEvent[] = [];
  const stored: StoredAlertEvent[] = [];
  book.onEvent((e, a) => {
    events.push(e);
    stored.push({ ...e, ruleId: a.ruleId, severity: a.severity, compound: a.compound, type: a.type, device: a.device });
  });
  const kinds = (from = 0) => events.slice(from).map((e) => `${e.kind}${e.party ? `@${e.party}` : ''}${e.assignee ? `>${e.assignee}` : ''}`);
  return { book, events, stored, kinds, config: parsed, people };
}

const change = (ruleId: string, type: ConditionChange['type'], at: number, compound = 'c01', severity: ConditionChange['severity'] = 'major'): ConditionChange => ({
  change: 'raised', ruleId, kind: 'event', severity, deviceKey: `${compound}/${type}/d1`, compound, type, device: 'd1', at, count: 1,
});
const fireLane = (at: number, compound = 'c01') => change('fire-lane-blocked', 'fire_lane', at, compound);
const liftDown = (at: number) => change('elevator-fault', 'elevator', at);

describe('hand-over by kind of problem', () => {
  it('gives a blocked fire lane past its first escalation to the fire safety desk, whose members then see and hold it', async () => {
    const { book, kinds, config, people } = await setup();
    book.applyCondition(fireLane(T0));
    const accept = config.sla.major!.acceptMin * MIN;
    book.tick(T0 + accept);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'escalated>li']);
    book.tick(T0 + accept + 1);
    expect(kinds(3)).toEqual(['handed_over@fire-desk>fire-1']);
    const alert = book.get('a1');
    expect(alert).toMatchObject({ workflow: 'dispatched', assignee: 'fire-1', parties: ['fire-desk'], dueAt: T0 + accept + 1 + accept });
    expect(alert.overdue).toBeUndefined();
    // The desk sees it; the elevator desk (another party) does not.
    expect(maySee(people[0]!, alert)).toBe(true);
    expect(maySee(people[2]!, alert)).toBe(false);
    // Each rule hands over once: the next ticks do not hand it over again.
    book.tick(T0 + accept + 2);
    expect(kinds(4)).toEqual([]);
  });

  it('moves a handed-over alert along the party, not back to the grid, when the desk does not accept in time', async () => {
    const { book, kinds, config } = await setup();
    book.applyCondition(fireLane(T0));
    const accept = config.sla.major!.acceptMin * MIN;
    book.tick(T0 + accept);
    book.tick(T0 + accept + 1);
    book.tick(T0 + accept + 1 + accept);
    expect(kinds(4)).toEqual(['escalated>fire-2']);
  });

  it('hands over an elevator still out of service after afterMin, even when it was accepted', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(liftDown(T0));
    book.accept('a1', 'wang', T0 + MIN);
    book.tick(T0 + 119 * MIN);
    expect(kinds(3)).toEqual([]);
    book.tick(T0 + 120 * MIN);
    expect(kinds(3)).toEqual(['handed_over@lift-desk>lift-1']);
    expect(book.get('a1')).toMatchObject({ workflow: 'dispatched', assignee: 'lift-1' });
    // The desk's member accepts and resolves it like a grid worker.
    book.accept('a1', 'lift-1', T0 + 121 * MIN);
    book.resolve('a1', 'lift-1', 'replaced the door motor', T0 + 150 * MIN);
    expect(book.get('a1').workflow).toBe('resolved');
  });

  it('hands nothing over whose condition has cleared, or of a compound the party does not cover', async () => {
    const { book, kinds, config } = await setup();
    const accept = config.sla.major!.acceptMin * MIN;
    book.applyCondition(fireLane(T0, 'c02'));
    book.tick(T0 + accept);
    book.tick(T0 + accept + 1);
    expect(kinds().filter((k) => k.startsWith('handed_over'))).toEqual([]);
    book.applyCondition(liftDown(T0));
    book.applyCondition({ ...liftDown(T0 + MIN), change: 'cleared' });
    book.tick(T0 + 200 * MIN);
    expect(kinds().filter((k) => k.startsWith('handed_over'))).toEqual([]);
  });

  it('refuses a hand-over by hand to a party that does not cover the compound, or to the party that has it', async () => {
    const { book } = await setup();
    book.applyCondition(fireLane(T0, 'c02'));
    const refused = (fn: () => unknown, code: string) => {
      try {
        fn();
        return false;
      } catch (error) {
        return isHubError(error) && error.code === code;
      }
    };
    expect(refused(() => book.handOver('a1', 'mgr', 'fire-desk', T0 + MIN), 'PARTY_INVALID')).toBe(true);
    expect(refused(() => book.handOver('a1', 'mgr', 'nobody', T0 + MIN), 'PARTY_INVALID')).toBe(true);
    book.handOver('a1', 'mgr', 'lift-desk', T0 + MIN, '电梯困人后门机故障');
    expect(book.get('a1').history.at(-1)).toMatchObject({ kind: 'handed_over', actor: 'mgr', party: 'lift-desk', assignee: 'lift-1', note: '电梯困人后门机故障' });
    expect(refused(() => book.handOver('a1', 'mgr', 'lift-desk', T0 + 2 * MIN), 'HANDED_OVER_ALREADY')).toBe(true);
  });

  it('leaves an alert a person handed over where they put it', async () => {
    const { book, kinds } = await setup();
    book.applyCondition(liftDown(T0));
    book.handOver('a1', 'mgr', 'fire-desk', T0 + MIN);
    book.tick(T0 + 200 * MIN);
    expect(kinds().filter((k) => k.startsWith('handed_over'))).toEqual(['handed_over@fire-desk>fire-1']);
  });

  it('rebuilds hand-overs from the event log', async () => {
    const first = await setup();
    first.book.applyCondition(liftDown(T0));
    first.book.tick(T0 + 120 * MIN);
    const second = await setup();
    second.book.restore(first.stored);
    expect(second.book.get('a1')).toMatchObject({ parties: ['lift-desk'], assignee: 'lift-1', workflow: 'dispatched' });
    expect(alertSchema.parse(second.book.get('a1')).parties).toEqual(['lift-desk']);
  });
});

describe('evaluation', () => {
  async function closed() {
    const s = await setup();
    s.book.applyCondition(liftDown(T0));
    s.book.accept('a1', 'wang', T0 + MIN);
    s.book.applyCondition({ ...liftDown(T0 + 2 * MIN), change: 'cleared' });
    s.book.resolve('a1', 'wang', 'reset', T0 + 3 * MIN);
    return s;
  }
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return isHubError(error) ? error.code : String(error);
    }
  };

  it('takes one rating per party after closing, within the window', async () => {
    const { book, config, stored } = await closed();
    expect(code(() => book.evaluate('a1', 'mgr', 'manager', 5, T0 + 4 * MIN))).toBe('EVALUATION_CLOSED');
    book.close('a1', 'mgr', T0 + 5 * MIN);
    expect(code(() => book.evaluate('a1', 'mgr', 'manager', 6, T0 + 6 * MIN))).toBe('BAD_REQUEST');
    book.evaluate('a1', 'mgr', 'manager', 4, T0 + 6 * MIN, ' 及时 ');
    expect(code(() => book.evaluate('a1', 'mgr2', 'manager', 5, T0 + 7 * MIN))).toBe('EVALUATED_ALREADY');
    book.evaluate('a1', 'chen', 'committee', 2, T0 + 8 * MIN);
    expect(book.get('a1').evaluations).toEqual([
      { party: 'manager', score: 4, comment: '及时', by: 'mgr', at: T0 + 6 * MIN },
      { party: 'committee', score: 2, by: 'chen', at: T0 + 8 * MIN },
    ]);
    const evaluated = stored.filter((e) => e.kind === 'evaluated');
    expect(evaluated.map((e) => [e.party, e.score, e.note])).toEqual([['manager', 4, '及时'], ['committee', 2, undefined]]);
    expect(config.evaluation.windowMin).toBe(7 * 24 * 60);
  });

  it('refuses a rating after the window and a committee rating where committees do not evaluate', async () => {
    const late = await closed();
    late.book.close('a1', 'mgr', T0 + 5 * MIN);
    expect(code(() => late.book.evaluate('a1', 'mgr', 'manager', 3, T0 + 5 * MIN + late.config.evaluation.windowMin * MIN + 1))).toBe('EVALUATION_CLOSED');
    const noCommittee = await setup({ evaluation: { committee: false } });
    noCommittee.book.applyCondition(liftDown(T0));
    noCommittee.book.accept('a1', 'wang', T0 + MIN);
    noCommittee.book.applyCondition({ ...liftDown(T0 + 2 * MIN), change: 'cleared' });
    noCommittee.book.resolve('a1', 'wang', 'reset', T0 + 3 * MIN);
    noCommittee.book.close('a1', 'mgr', T0 + 4 * MIN);
    expect(code(() => noCommittee.book.evaluate('a1', 'chen', 'committee', 3, T0 + 5 * MIN))).toBe('FORBIDDEN');
  });
});
