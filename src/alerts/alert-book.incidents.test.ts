/** The alert book's side of incidents and flapping: the steps the correlator (src/incidents) takes. */
import { describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook, incidentDevice, type IncidentSpec } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { Alert, AlertEvent, IncidentMember } from './alert.types.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

async function setup() {
  let n = 0;
  const config = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }], remindMin: {}, callTree: {} });
  const book = new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
  const events: Array<[AlertEvent, Alert]> = [];
  book.onEvent((e, a) => events.push([{ ...e }, a]));
  const kinds = () => events.map(([e]) => `${e.kind}${e.note ? ` ${e.note}` : ''}`);
  return { book, events, kinds };
}

const member = (device: string, extra: Partial<IncidentMember> = {}): IncidentMember => ({ deviceKey: `c01/elevator/${device}`, type: 'elevator', device, ruleId: 'device-offline', since: T0, ...extra });
const spec = (members: IncidentMember[], at = T0): IncidentSpec => ({
  group: 'offline-building',
  name: { zh: `1号楼 ${members.length} 台设备离线`, en: `1号楼: ${members.length} offline` },
  severity: 'major',
  compound: 'c01',
  type: 'elevator',
  scope: 'building',
  place: 'b1',
  members,
  at,
});
const offline = (change: ConditionChange['change'], device: string, at: number): ConditionChange => ({
  change, ruleId: 'device-offline', kind: 'absence', severity: 'major', deviceKey: `c01/elevator/${device}`, compound: 'c01', type: 'elevator', device, at, count: 1,
});

describe('AlertBook: incidents', () => {
  it('raises an incident like any alert: its group as rule, a key no device has, dispatched with the SLA of its severity', async () => {
    const { book, kinds } = await setup();
    const alert = book.openIncident(spec([member('e1'), member('e2'), member('e3')]));
    expect(incidentDevice('c01', 'offline-building', 'b1')).toEqual({ device: 'offline-building@b1', deviceKey: 'c01/incident/offline-building@b1' });
    expect(incidentDevice('c01', 'offline-compound')).toEqual({ device: 'offline-compound@c01', deviceKey: 'c01/incident/offline-compound@c01' });
    expect(alert).toMatchObject({
      id: 'a1',
      ruleId: 'offline-building',
      name: { zh: '1号楼 3 台设备离线' },
      device: 'offline-building@b1',
      deviceKey: 'c01/incident/offline-building@b1',
      workflow: 'dispatched',
      assignee: 'wang',
      dueAt: T0 + 15 * MIN,
      incident: { group: 'offline-building', scope: 'building', place: 'b1', peak: 3 },
    });
    expect(kinds()).toEqual(['raised', 'dispatched']);
    // It is nobody's condition: the rules engine resumes its members, not it.
    expect(book.activeConditions()).toEqual([]);
    expect(book.hasOpen('c01/incident/offline-building@b1', 'offline-building')).toBe(true);
  });

  it('members join and leave; the peak and the name keep the most at once', async () => {
    const { book, kinds } = await setup();
    book.openIncident(spec([member('e1'), member('e2')]));
    book.joinIncident('a1', member('e3', { since: T0 + MIN }), T0 + MIN, { zh: '1号楼 3 台设备离线', en: '3' });
    book.leaveIncident('a1', member('e1'), T0 + 2 * MIN);
    book.leaveIncident('a1', member('e1'), T0 + 3 * MIN); // not a member any more: nothing
    const alert = book.get('a1');
    expect(alert).toMatchObject({ name: { zh: '1号楼 3 台设备离线' }, lastSeenAt: T0 + MIN, incident: { peak: 3 } });
    expect(alert.incident!.members.map((m) => [m.device, m.leftAt])).toEqual([['e1', T0 + 2 * MIN], ['e2', undefined], ['e3', undefined]]);
    expect(kinds()).toEqual(['raised', 'dispatched', 'member_joined c01/elevator/e3', 'member_left c01/elevator/e1']);
  });

  it('clears with the members still active released, and becomes active again when the group forms anew while it is open', async () => {
    const { book, kinds } = await setup();
    book.openIncident(spec([member('e1'), member('e2'), member('e3', { alertId: 'a0' })]));
    book.clearIncident('a1', T0 + 10 * MIN, [member('e2')]);
    expect(book.get('a1')).toMatchObject({ condition: 'cleared', clearedAt: T0 + 10 * MIN });
    expect(book.get('a1').incident!.members.every((m) => m.leftAt === T0 + 10 * MIN)).toBe(true);
    book.openIncident(spec([member('e2'), member('e4')], T0 + 20 * MIN));
    expect(book.list()).toHaveLength(1);
    expect(book.get('a1')).toMatchObject({ condition: 'active', count: 2 });
    expect(book.get('a1').incident!.members.map((m) => `${m.device}${m.leftAt ? ' left' : ''}`)).toEqual(['e1 left', 'e3 left', 'e2', 'e4']);
    expect(kinds()).toEqual(['raised', 'dispatched', 'condition_cleared', 'released c01/elevator/e2', 'condition_active']);
  });

  it('a force-close of an active incident notes the members it lets go before it closes; members with an alert of their own are not among them', async () => {
    const { book, kinds } = await setup();
    book.openIncident(spec([member('e1'), member('e2', { alertId: 'a0' })]));
    book.accept('a1', 'wang', T0 + MIN);
    book.resolve('a1', 'wang', '已通知供电', T0 + 2 * MIN);
    expect(() => book.close('a1', 'zhao', T0 + 3 * MIN)).toThrow(/still active/);
    book.close('a1', 'zhao', T0 + 3 * MIN, '分别处理', true);
    expect(kinds().slice(-2)).toEqual(['released c01/elevator/e1', 'closed 分别处理']);
    // The book raises no copy of an incident: the correlator raises its members' own alerts.
    expect(book.list()).toHaveLength(1);
    expect(book.get('a1').incident!.members.every((m) => m.leftAt === T0 + 3 * MIN)).toBe(true);
  });

  it('taken back at start as it was, its name (of its place and count) kept', async () => {
    const { book } = await setup();
    book.openIncident(spec([member('e1'), member('e2')]));
    const { book: next } = await setup();
    next.adopt([structuredClone(book.get('a1'))]);
    expect(next.get('a1')).toMatchObject({ name: { zh: '1号楼 2 台设备离线' }, incident: { peak: 2 } });
    expect(next.findOpen('c01/incident/offline-building@b1', 'offline-building')?.id).toBe('a1');
  });
});

describe('AlertBook: flapping', () => {
  it('a flapping alert takes its toggles quietly: they change it, are told as repeats and stay out of the history; stable notifies again', async () => {
    const { book, events, kinds } = await setup();
    book.applyCondition(offline('raised', 'e1', T0));
    book.markFlapping('c01/elevator/e1', 'device-offline', T0 + MIN);
    book.markFlapping('c01/elevator/e1', 'device-offline', T0 + MIN); // once
    book.applyCondition(offline('cleared', 'e1', T0 + 2 * MIN));
    expect(book.get('a1')).toMatchObject({ flapping: true, condition: 'cleared', clearedAt: T0 + 2 * MIN });
    book.applyCondition(offline('raised', 'e1', T0 + 3 * MIN));
    expect(book.get('a1').condition).toBe('active');
    expect(kinds()).toEqual(['raised', 'dispatched', 'flapping', 'repeated condition_cleared', 'repeated condition_active']);
    // What the live views get with the quiet toggle is the alert as it is now.
    expect(events.at(-1)![1].condition).toBe('active');
    expect(book.get('a1').history.map((e) => e.kind)).toEqual(['raised', 'dispatched', 'flapping']);
    book.markStable('c01/elevator/e1', 'device-offline', T0 + 20 * MIN);
    book.applyCondition(offline('cleared', 'e1', T0 + 21 * MIN));
    expect(kinds().slice(-2)).toEqual(['stable', 'condition_cleared']);
    expect(book.get('a1').flapping).toBeUndefined();
  });
});
