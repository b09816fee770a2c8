/** Reminders, call trees and arrival on site (到场) in the alert book, on a controlled clock. */
import { describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook, ARRIVAL_MISSED } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { ruleSchema, type Rule } from '../rules/rule.schema.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { Alert, AlertEvent, StoredAlertEvent } from './alert.types.ts';
import type { CompoundSite } from './arrival.policy.ts';
import { isHubError } from '../errors.ts';
import { actorsOf, holdersOf, holds, mayAct } from '../contracts/alert-holders.ts';
import { alertSchema } from './alert.schema.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
/** c01 is a city compound, c02 a county one (淳安县); c03 has no site in the registry. */
const SITES: Record<string, CompoundSite> = {
  c01: { area: 'city', location: { lat: 30.2905, lon: 120.1229 } },
  c02: { area: 'county', location: { lat: 29.6052, lon: 119.0421 } },
};

interface Setup {
  config?: object;
  rules?: Rule[];
}

async function setup({ config = {}, rules }: Setup = {}) {
  let n = 0;
  const parsed = alertsConfigSchema.parse({
    grids: [{ id: 'g1', compounds: ['c01', 'c02', 'c03'], workers: ['wang', 'li', 'chen'] }],
    groups: [{ id: 'community-duty', name: '社区值班', members: ['zhou'] }, { id: 'street-desk', name: '街道应急值守', members: ['sun'] }],
    escalation: ['community-duty', 'street-desk'],
    ...config,
  });
  const book = new AlertBook(parsed, rules ?? (await loadRules(undefined)), routingFor(parsed), () => `a${++n}`, (c) => SITES[c]);
  const events: AlertEvent[] = [];
  const stored: StoredAlertEvent[] = [];
  book.onEvent((e, a) => {
    events.push(e);
    stored.push({ ...e, ruleId: a.ruleId, severity: a.severity, compound: a.compound, type: a.type, device: a.device, ...(e.kind === 'raised' && a.value !== undefined ? { value: a.value } : {}) });
  });
  const kinds = (from = 0) => events.slice(from).map((e) => `${e.kind}${e.assignee ? `>${e.assignee}` : ''}`);
  return { book, events, stored, kinds, config: parsed };
}

const raised = (ruleId: string, at: number, compound = 'c01', device = 'e1', severity: ConditionChange['severity'] = 'critical'): ConditionChange => ({
  change: 'raised', ruleId, kind: 'event', severity, deviceKey: `${compound}/elevator/${device}`, compound, type: 'elevator', device, at, count: 1,
});
const trapped = (at: number, compound = 'c01', device = 'e1') => raised('elevator-trapped', at, compound, device);
const quiet = { remindMin: {}, callTree: {} };

describe('reminders', () => {
  it('reminds the assignee every remindMin until accepted, counting from whoever holds it now', async () => {
    const { book, kinds } = await setup({ config: { callTree: {} } });
    book.applyCondition(trapped(T0));
    book.tick(T0 + MIN - 1);
    expect(kinds()).toEqual(['raised', 'dispatched>wang']);
    book.tick(T0 + MIN);
    expect(kinds(2)).toEqual(['reminded>wang']);
    expect(book.get('a1').remindedAt).toBe(T0 + MIN);
    book.tick(T0 + 1.5 * MIN);
    book.tick(T0 + 2 * MIN);
    book.tick(T0 + 3 * MIN);
    expect(kinds(2)).toEqual(['reminded>wang', 'reminded>wang', 'reminded>wang']);
    // Escalated to li at 5 min (no reminder to wang then: the escalation notifies li); li's first reminder comes a minute after he got it.
    book.tick(T0 + 5 * MIN);
    expect(kinds(5)).toEqual(['escalated>li']);
    book.tick(T0 + 5.5 * MIN);
    book.tick(T0 + 6 * MIN);
    expect(kinds(6)).toEqual(['reminded>li']);
    book.accept('a1', 'li', T0 + 6.5 * MIN);
    book.tick(T0 + 20 * MIN);
    expect(kinds(7)).toEqual(['accepted']);
  });

  it('owes one reminder after a long pause of the clock, not a burst, and none to a severity without remindMin', async () => {
    const { book, kinds } = await setup({ config: { callTree: {}, remindMin: { critical: 2 }, sla: { critical: { acceptMin: 60, resolveMin: 120 }, major: { acceptMin: 15, resolveMin: 240 }, minor: { acceptMin: 60, resolveMin: 1440 }, info: { acceptMin: 240, resolveMin: 4320 } } } });
    book.applyCondition(trapped(T0));
    book.applyCondition(raised('elevator-overspeed', T0, 'c01', 'e2', 'major'));
    book.tick(T0 + 11 * MIN);
    expect(kinds().filter((k) => k.startsWith('reminded'))).toEqual(['reminded>wang']);
    expect(book.get('a1').remindedAt).toBe(T0 + 11 * MIN);
    expect(book.get('a2').remindedAt).toBeUndefined();
    book.tick(T0 + 13 * MIN - 1);
    book.tick(T0 + 13 * MIN);
    expect(kinds().filter((k) => k.startsWith('reminded'))).toEqual(['reminded>wang', 'reminded>wang']);
  });
});

describe('call trees', () => {
  it('serial: rings one more person of the call order per ring time, and any of them may accept', async () => {
    const { book, kinds } = await setup({ config: { remindMin: {} } });
    book.applyCondition(trapped(T0));
    book.tick(T0 + 2 * MIN - 1);
    expect(kinds()).toEqual(['raised', 'dispatched>wang']);
    book.tick(T0 + 2 * MIN);
    book.tick(T0 + 3 * MIN);
    book.tick(T0 + 4 * MIN);
    expect(kinds(2)).toEqual(['called>li', 'called>chen']);
    expect(book.get('a1')).toMatchObject({ assignee: 'wang', called: ['li', 'chen'], workflow: 'dispatched' });
    // chen answers: the alert is his; nobody is rung any more.
    book.accept('a1', 'chen', T0 + 4.5 * MIN);
    book.tick(T0 + 10 * MIN);
    expect(kinds(4)).toEqual(['accepted']);
    expect(book.get('a1')).toMatchObject({ assignee: 'chen', workflow: 'accepted', called: ['li', 'chen'] });
  });

  it('serial: goes on into the escalation chain, skipping who has been rung or held it, after an escalation', async () => {
    const { book, kinds } = await setup({ config: { remindMin: {} } });
    book.applyCondition(trapped(T0));
    for (let m = 1; m <= 12; m += 1) book.tick(T0 + m * MIN);
    // Rings at 2 and 4 min; the accept deadline (5 min) hands it to li; rings go on 2 min after that (7, 9), past li.
    expect(kinds(2)).toEqual(['called>li', 'called>chen', 'escalated>li', 'called>zhou', 'called>sun', 'escalated>chen']);
    expect(book.get('a1').called).toEqual(['li', 'chen', 'zhou', 'sun']);
  });

  it('parallel: rings every other worker of the grid at once, once', async () => {
    const { book, kinds } = await setup({ config: { remindMin: {}, callTree: { critical: { ringMin: 2, mode: 'parallel' } } } });
    book.applyCondition(trapped(T0));
    book.tick(T0 + 2 * MIN);
    expect(kinds(2)).toEqual(['called>li', 'called>chen']);
    book.tick(T0 + 4 * MIN);
    expect(kinds(2)).toEqual(['called>li', 'called>chen']);
    expect(book.get('a1').called).toEqual(['li', 'chen']);
  });

  it('has no call tree for a severity left out', async () => {
    const { book, kinds } = await setup({ config: { remindMin: {} } });
    book.applyCondition(raised('elevator-ebike', T0, 'c01', 'e1', 'minor'));
    book.tick(T0 + 30 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang']);
  });
});

describe('arrival on site (到场)', () => {
  it('sets the deadline from dispatch: 30 min in a city, 60 min in a county, and the city time for a compound without a site', async () => {
    const { book } = await setup({ config: quiet });
    book.applyCondition(trapped(T0, 'c01'));
    book.applyCondition(trapped(T0 + MIN, 'c02'));
    book.applyCondition(trapped(T0 + 2 * MIN, 'c03'));
    book.applyCondition(raised('elevator-alarm-button', T0, 'c01', 'e2', 'major'));
    book.applyCondition(raised('elevator-overspeed', T0, 'c01', 'e3'));
    expect(book.get('a1').arrival).toEqual({ dueAt: T0 + 30 * MIN });
    expect(book.get('a2').arrival).toEqual({ dueAt: T0 + 61 * MIN });
    expect(book.get('a3').arrival).toEqual({ dueAt: T0 + 32 * MIN });
    expect(book.get('a4').arrival).toEqual({ dueAt: T0 + 30 * MIN });
    expect(book.get('a5').arrival).toBeUndefined();
  });

  it("takes a rule's own arrival times and the routing's defaults for what the rule leaves out", async () => {
    const rule = ruleSchema.parse({
      id: 'elevator-trapped', name: { zh: '电梯困人', en: 'Trapped' }, severity: 'critical', match: { types: ['elevator'] },
      condition: { kind: 'event', event: 'trapped' }, arrival: { cityMin: 15 },
    });
    const { book } = await setup({ config: { ...quiet, arrival: { countyMin: 45 } }, rules: [rule] });
    book.applyCondition(trapped(T0, 'c01'));
    book.applyCondition(trapped(T0, 'c02'));
    expect(book.get('a1').arrival).toEqual({ dueAt: T0 + 15 * MIN });
    expect(book.get('a2').arrival).toEqual({ dueAt: T0 + 45 * MIN });
  });

  it('records the check-in with the position and its distance from the compound; a second check-in changes nothing', async () => {
    const { book, kinds } = await setup({ config: quiet });
    book.applyCondition(trapped(T0));
    book.accept('a1', 'wang', T0 + 2 * MIN);
    // 0.001° north of the compound: 111 m (a degree of latitude is 111.195 km).
    const position = { lat: 30.2915, lon: 120.1229, accuracyM: 12 };
    book.arrive('a1', 'wang', T0 + 20 * MIN, position);
    expect(book.get('a1').arrival).toEqual({ dueAt: T0 + 30 * MIN, at: T0 + 20 * MIN, by: 'wang', position, distanceM: 111 });
    expect(book.get('a1').history.at(-1)).toEqual({ alertId: 'a1', kind: 'arrived', at: T0 + 20 * MIN, actor: 'wang', position, distanceM: 111 });
    book.arrive('a1', 'wang', T0 + 21 * MIN, { lat: 0, lon: 0 });
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'accepted', 'arrived']);
    // On site in time: what is late at 30 min is the resolve step alone.
    book.tick(T0 + 31 * MIN);
    expect(book.get('a1').overdue).toEqual({ step: 'resolve', since: T0 + 30 * MIN });
    expect(book.get('a1').history.some((e) => e.note === ARRIVAL_MISSED)).toBe(false);
  });

  it('accepts on arriving before accepting; checks in without a position; refuses an alert that needs no arrival', async () => {
    const { book, kinds } = await setup({ config: quiet });
    book.applyCondition(trapped(T0));
    book.arrive('a1', 'wang', T0 + 10 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'accepted', 'arrived']);
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', assignee: 'wang', arrival: { dueAt: T0 + 30 * MIN, at: T0 + 10 * MIN, by: 'wang' } });
    expect(book.get('a1').arrival).not.toHaveProperty('distanceM');

    book.applyCondition(raised('elevator-overspeed', T0, 'c01', 'e2'));
    try {
      book.arrive('a2', 'wang', T0 + MIN);
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'INVALID_TRANSITION')).toBe(true);
      expect((error as Error).message).toMatch(/needs no arrival/);
    }
  });

  it('escalates a missed arrival once, like a missed accept: the next level is told, the alert stays with whoever is on the way', async () => {
    const sla = { critical: { acceptMin: 5, resolveMin: 120 }, major: { acceptMin: 15, resolveMin: 240 }, minor: { acceptMin: 60, resolveMin: 1440 }, info: { acceptMin: 240, resolveMin: 4320 } };
    const { book, kinds, events } = await setup({ config: { ...quiet, sla } });
    book.applyCondition(trapped(T0, 'c01'));
    book.applyCondition(trapped(T0, 'c02', 'e9'));
    book.accept('a1', 'wang', T0 + 2 * MIN);
    book.accept('a2', 'wang', T0 + 2 * MIN);
    book.tick(T0 + 30 * MIN - 1);
    expect(kinds().filter((k) => k.startsWith('escalated'))).toEqual([]);
    book.tick(T0 + 30 * MIN);
    expect(events.at(-1)).toEqual({ alertId: 'a1', kind: 'escalated', at: T0 + 30 * MIN, actor: 'hub', assignee: 'li', note: ARRIVAL_MISSED });
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', assignee: 'wang', escalationLevel: 1, overdue: { step: 'arrive', since: T0 + 30 * MIN } });
    book.tick(T0 + 40 * MIN);
    expect(kinds().filter((k) => k.startsWith('escalated'))).toEqual(['escalated>li']);
    // The county compound has an hour.
    book.tick(T0 + 60 * MIN);
    expect(events.at(-1)).toMatchObject({ alertId: 'a2', kind: 'escalated', note: ARRIVAL_MISSED });
    // Late on site: the lateness is history.
    book.arrive('a1', 'wang', T0 + 62 * MIN);
    expect(book.get('a1')).toMatchObject({ overdue: undefined, arrival: { dueAt: T0 + 30 * MIN, at: T0 + 62 * MIN, by: 'wang' } });
  });

  it('moves an alert nobody accepted by the arrival deadline on to the next person, with a fresh accept deadline', async () => {
    const sla = { critical: { acceptMin: 60, resolveMin: 120 }, major: { acceptMin: 15, resolveMin: 240 }, minor: { acceptMin: 60, resolveMin: 1440 }, info: { acceptMin: 240, resolveMin: 4320 } };
    const { book, kinds } = await setup({ config: { ...quiet, sla } });
    book.applyCondition(trapped(T0));
    book.tick(T0 + 30 * MIN);
    expect(kinds()).toEqual(['raised', 'dispatched>wang', 'escalated>li']);
    expect(book.get('a1')).toMatchObject({ workflow: 'dispatched', assignee: 'li', escalationLevel: 1, dueAt: T0 + 90 * MIN, overdue: { step: 'arrive', since: T0 + 30 * MIN } });
    // li on site before accepting: accepted and arrived, late.
    book.arrive('a1', 'li', T0 + 35 * MIN);
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', assignee: 'li', overdue: undefined, arrival: { at: T0 + 35 * MIN, by: 'li' } });
  });
});

describe('who was told of a late step (escalatedTo)', () => {
  it('keeps on an accepted alert who its escalations told; they hold it to see it, the assignee alone acts', async () => {
    const { book, stored } = await setup({ config: quiet });
    book.applyCondition(trapped(T0));
    book.accept('a1', 'wang', T0 + MIN);
    // The arrival deadline (dispatch + 30 min) tells li; the resolve deadline (raise + 30 min), at the next tick, tells chen.
    book.tick(T0 + 30 * MIN);
    expect(book.get('a1')).toMatchObject({ workflow: 'accepted', assignee: 'wang', escalatedTo: ['li'] });
    book.tick(T0 + 30 * MIN + 1000);
    const alert = book.get('a1');
    expect(alert.history.filter((e) => e.kind === 'escalated').map((e) => e.assignee)).toEqual(['li', 'chen']);
    expect(alert).toMatchObject({ assignee: 'wang', escalatedTo: ['li', 'chen'] });
    expect(holdersOf(alert)).toEqual(['wang', 'li', 'chen']);
    expect(holds(alert, 'li')).toBe(true);
    expect(actorsOf(alert)).toEqual(['wang']);
    expect(mayAct(alert, 'li')).toBe(false);
    // Listed for them: GET /api/alerts?assignee=li.
    expect(book.list({ assignee: 'li' }).map((a) => a.id)).toEqual(['a1']);
    // The same from the event log, and from the saved JSON.
    const { book: rebuilt } = await setup({ config: quiet });
    rebuilt.restore(stored);
    expect(rebuilt.get('a1').escalatedTo).toEqual(['li', 'chen']);
    expect(alertSchema.parse(JSON.parse(JSON.stringify(alert))).escalatedTo).toEqual(['li', 'chen']);
    // Resolved, it needs nobody told any more: only the assignee holds it.
    book.resolve('a1', 'wang', '已救出', T0 + 40 * MIN);
    expect(holdersOf(book.get('a1'))).toEqual(['wang']);
  });

  it('an escalation that hands the alert on (not accepted yet) tells nobody besides the new assignee', async () => {
    const { book } = await setup({ config: quiet });
    book.applyCondition(trapped(T0));
    book.tick(T0 + 5 * MIN);
    expect(book.get('a1')).toMatchObject({ workflow: 'dispatched', assignee: 'li' });
    expect(book.get('a1').escalatedTo).toBeUndefined();
    expect(holdersOf(book.get('a1'))).toEqual(['li']);
  });

  it('lists for a person the alerts their call tree rang them for, which they may accept', async () => {
    const { book } = await setup({ config: { remindMin: {} } });
    book.applyCondition(trapped(T0));
    book.tick(T0 + 2 * MIN);
    expect(book.get('a1')).toMatchObject({ assignee: 'wang', called: ['li'] });
    expect(book.list({ assignee: 'li' }).map((a) => a.id)).toEqual(['a1']);
    expect(mayAct(book.get('a1'), 'li')).toBe(true);
    expect(book.list({ assignee: 'chen' })).toEqual([]);
  });
});

describe('restart', () => {
  /** Reminders, rings, an escalation, a check-in with a position, a missed arrival: everything this part adds. */
  async function busyBook() {
    const s = await setup();
    s.book.applyCondition(trapped(T0, 'c01'));
    s.book.applyCondition(trapped(T0 + MIN, 'c02', 'e9'));
    for (let m = 1; m <= 7; m += 1) s.book.tick(T0 + m * MIN);
    s.book.arrive('a1', 'chen', T0 + 8 * MIN, { lat: 30.2915, lon: 120.1229 });
    s.book.accept('a2', 'chen', T0 + 9 * MIN);
    s.book.tick(T0 + 70 * MIN);
    return s;
  }
  const strip = (a: Alert) => JSON.parse(JSON.stringify(a)) as Alert;

  it('rebuilds the same alerts from the stored events, and the clock owes the rebuilt book exactly what it owes the live one', async () => {
    const live = await busyBook();
    expect(live.kinds().filter((k) => /^(reminded|called|arrived)/.test(k)).length).toBeGreaterThan(4);
    expect(live.book.get('a2').history.some((e) => e.note === ARRIVAL_MISSED)).toBe(true);
    const { book: rebuilt, events: replayed, kinds: rebuiltKinds } = await setup();
    rebuilt.restore(live.stored);
    expect(replayed).toEqual([]);
    for (const id of ['a1', 'a2']) expect(strip(rebuilt.get(id))).toEqual(strip(live.book.get(id)));

    const before = live.events.length;
    // One escalation per alert and tick: a2's resolve escalation is owed at 70 min still, by both.
    for (const at of [T0 + 70 * MIN, T0 + 71 * MIN, T0 + 200 * MIN]) {
      live.book.tick(at);
      rebuilt.tick(at);
    }
    expect(rebuiltKinds()).toEqual(live.kinds(before));
  });

  it('keeps the photo of a resolve when rebuilt from the stored events', async () => {
    const live = await setup({ config: quiet });
    live.book.applyCondition(trapped(T0));
    live.book.accept('a1', 'wang', T0 + MIN);
    live.book.resolve('a1', 'wang', '已救出', T0 + 10 * MIN, 'ph-1');
    const { book: rebuilt } = await setup({ config: quiet });
    rebuilt.restore(live.stored);
    expect(rebuilt.get('a1').history.find((e) => e.kind === 'resolved')).toMatchObject({ note: '已救出', photo: 'ph-1' });
    expect(strip(rebuilt.get('a1'))).toEqual(strip(live.book.get('a1')));
  });

  it('takes back alerts saved as JSON and goes on as if it never stopped', async () => {
    const s = await setup();
    s.book.applyCondition(trapped(T0));
    s.book.tick(T0 + 3 * MIN);
    const saved = s.book.list().map(strip);
    const { book: adopted, kinds: adoptedKinds } = await setup();
    adopted.adopt(saved);
    const before = s.events.length;
    for (const at of [T0 + 3.5 * MIN, T0 + 4 * MIN, T0 + 5 * MIN]) {
      s.book.tick(at);
      adopted.tick(at);
    }
    expect(adoptedKinds()).toEqual(s.kinds(before));
    // Reminded and rung (li) at 3 min: a reminder at 4; at 5 chen is rung and the accept deadline hands it to li.
    expect(adoptedKinds()).toEqual(['reminded>wang', 'called>chen', 'escalated>li']);
  });
});
