/**
 * The correlator on a controlled clock: condition changes in, alert events out. The registry:
 * compound c01 (翠苑一区) with building b1 (1号楼: elevators e1-e3, parking p1), building b2
 * (2号楼: elevator e4, parking p2), manholes m1-m3 in zone north (北区) and m4 in zone south; and
 * c02 with elevator e9 in its own b1.
 */
import { describe, expect, it } from 'vitest';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { routingFor } from '../testing/routing.fixture.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { hashDeviceSecret } from '../contracts/credentials.ts';
import { DEFAULT_RULES } from '../rules/default.pack.ts';
import { parseRulesData } from '../rules/rules.loader.ts';
import type { RulesData, RulesFile } from '../rules/rule.schema.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import { Silences } from '../alerts/silences.ts';
import { AlertEventLines, readAlertEvents } from '../alerts/alert-log.ts';
import { parseLine } from '../testing/line-protocol.parser.ts';
import { startFakeInflux } from '../store/fake-influx.testing.ts';
import { Correlator, type ConditionHold } from './correlator.ts';

const T0 = 1_800_000_000_000;
const S = 1000;
const secretSha256 = hashDeviceSecret('fixture-secret');
const dev = (id: string, type: string, tags: { building?: string; zone?: string }) => ({ id, type, ...tags, secretSha256, name: `${id} 设备` });
const registry = buildRegistry(
  parseRegistry(
    {
      districts: [{ id: 'd', name: '西湖区', streets: [{ id: 's', name: '文新街道', communities: [{ id: 'cm', name: '翠苑社区', compounds: [
        {
          id: 'c01',
          name: '翠苑一区',
          buildings: { b1: '1号楼', b2: '2号楼' },
          zones: { north: '北区', south: '南区' },
          devices: [
            dev('e1', 'elevator', { building: 'b1' }), dev('e2', 'elevator', { building: 'b1' }), dev('e3', 'elevator', { building: 'b1' }), dev('p1', 'parking', { building: 'b1' }),
            dev('e4', 'elevator', { building: 'b2' }), dev('p2', 'parking', { building: 'b2' }),
            dev('m1', 'manhole', { zone: 'north' }), dev('m2', 'manhole', { zone: 'north' }), dev('m3', 'manhole', { zone: 'north' }), dev('m4', 'manhole', { zone: 'south' }),
          ],
        },
        { id: 'c02', name: '翠苑二区', devices: [dev('e9', 'elevator', { building: 'b1' })] },
      ] }] }] }],
    },
    'fixture',
  ),
);
const KEYS: Record<string, string> = Object.fromEntries([...registry.devices()].map((d) => [d.device, d.key]));

const name = (zh: string) => ({ zh, en: zh });
type GroupIn = NonNullable<RulesFile['groups']>[number];
type InhibitIn = NonNullable<RulesFile['inhibit']>[number];
const OFFLINE_B: GroupIn = { id: 'offline-building', name: name('{place} {count} 台设备离线'), rules: ['device-offline'], by: 'building', min: 3, windowSec: 600, waitSec: 60 };

function dataOf(extra: Omit<RulesFile, 'rules'>): RulesData {
  return parseRulesData({ rules: DEFAULT_RULES.rules, ...extra }, 'test');
}

/** `prefix`: of the alert ids (a book taken back at start needs new ones); `silences`: what keeps new alerts from being raised. */
function setup(data: RulesData, prefix = 'a', silences?: Silences) {
  const config = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01', 'c02'], workers: ['wang'] }], remindMin: {}, callTree: {} });
  let n = 0;
  const book = new AlertBook(config, data.rules, routingFor(config), () => `${prefix}${++n}`);
  const events: string[] = [];
  book.onEvent((e, a) => events.push(`${a.id} ${e.kind}${e.note ? ` ${e.note}` : ''}`));
  const holds = new Map<string, ConditionHold>();
  const counts: Record<string, number> = {};
  const correlator = new Correlator(data, {
    alerts: book,
    registry,
    ...(silences ? { silenced: (c: ConditionChange) => silences.matches(c) !== undefined } : {}),
    held: (c, hold) => (hold ? holds.set(`${c.deviceKey}|${c.ruleId}`, hold) : holds.delete(`${c.deviceKey}|${c.ruleId}`)),
    heldCount: (reason, count) => (counts[reason] = count),
  });
  const rules = new Map(data.rules.map((r) => [r.id, r]));
  /** A change of the rules engine at `sec` seconds. */
  const change = (kind: ConditionChange['change'], ruleId: string, device: string, sec: number): ConditionChange => {
    const rule = rules.get(ruleId)!;
    const d = registry.getByKey(KEYS[device]!)!;
    return { change: kind, ruleId, kind: rule.condition.kind, severity: rule.severity, deviceKey: d.key, compound: d.compound, type: d.type, device: d.device, at: T0 + sec * S, count: 1 };
  };
  const send = (kind: ConditionChange['change'], ruleId: string, devices: string[], sec: number) => {
    for (const d of devices) correlator.apply(change(kind, ruleId, d, sec));
  };
  const tick = (sec: number) => correlator.tick(T0 + sec * S);
  const hold = (device: string, ruleId: string) => holds.get(`${KEYS[device]}|${ruleId}`);
  const alerts = () => book.list().map((a) => `${a.id} ${a.ruleId} ${a.device} ${a.workflow}/${a.condition}`);
  const members = (a: Alert) => a.incident!.members.map((m) => `${m.device}${m.alertId ? `(${m.alertId})` : ''}${m.leftAt !== undefined ? ' left' : ''}`);
  return { book, correlator, events, holds, counts, send, tick, hold, alerts, members, change };
}

describe('Correlator: grouping', () => {
  it('holds matching conditions and forms ONE incident alert at the tick after the Nth device of a building raises one', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e1'], 0);
    t.send('raised', 'device-offline', ['e2'], 10);
    expect(t.book.list()).toEqual([]);
    expect(t.hold('e1', 'device-offline')).toEqual({ reason: 'waiting', until: T0 + 60 * S });
    expect(t.counts).toMatchObject({ waiting: 2 });
    t.send('raised', 'device-offline', ['e3'], 20);
    // Enough devices: the group forms at the next tick, not on the third device's change.
    expect(t.book.list()).toEqual([]);
    expect(t.hold('e3', 'device-offline')).toEqual({ reason: 'waiting', until: T0 + 80 * S });
    expect(t.counts).toMatchObject({ waiting: 3 });
    t.tick(21);
    const [incident] = t.book.list();
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/active']);
    expect(incident).toMatchObject({
      name: { zh: '1号楼 3 台设备离线' },
      deviceKey: 'c01/incident/offline-building@b1',
      compound: 'c01',
      type: 'elevator',
      severity: 'major',
      raisedAt: T0 + 21 * S,
      assignee: 'wang',
      incident: { group: 'offline-building', scope: 'building', place: 'b1', peak: 3 },
    });
    expect(t.members(incident!)).toEqual(['e1', 'e2', 'e3']);
    expect(incident!.incident!.members[0]).toMatchObject({ deviceKey: 'c01/elevator/e1', ruleId: 'device-offline', since: T0, name: 'e1 设备' });
    expect(t.hold('e2', 'device-offline')).toEqual({ reason: 'grouped', incident: 'a1' });
    expect(t.counts).toMatchObject({ waiting: 0, grouped: 3 });
    // The wait is over, but the members stay in the incident.
    t.tick(200);
    expect(t.book.list()).toHaveLength(1);
  });

  it('devices failing at the same moment are all in the first notification (no member_joined for them)', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    const raisedAs: string[] = [];
    t.book.onEvent((e, a) => e.kind === 'raised' && raisedAs.push(a.name.zh));
    // The rules engine reports them a few ms apart; the third one reaches min.
    ['e1', 'e2', 'e3', 'p1'].forEach((d, i) => t.send('raised', 'device-offline', [d], i * 0.005));
    expect(t.book.list()).toEqual([]);
    expect(t.counts).toMatchObject({ waiting: 4 });
    t.tick(1);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a1'))).toEqual(['e1', 'e2', 'e3', 'p1']);
    expect(raisedAs).toEqual(['1号楼 4 台设备离线']);
    expect(t.events).toEqual(['a1 raised', 'a1 dispatched']);
    expect(t.book.get('a1')).toMatchObject({ raisedAt: T0 + 1 * S, incident: { peak: 4 } });
  });

  it('a condition that clears while its group settles is not in it; too few left at the tick: no incident, the rest still wait', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.send('cleared', 'device-offline', ['e3'], 0.5);
    t.tick(1);
    expect(t.book.list()).toEqual([]);
    expect(t.hold('e1', 'device-offline')).toEqual({ reason: 'waiting', until: T0 + 60 * S });
    expect(t.hold('e3', 'device-offline')).toBeUndefined();
    t.tick(60);
    expect(t.alerts()).toEqual(['a1 device-offline e1 dispatched/active', 'a2 device-offline e2 dispatched/active']);
  });

  it('groups due at the same tick form in the order they are listed: the wider one takes the devices', () => {
    const compound: GroupIn = { id: 'offline-compound', name: name('{place} {count} 台设备离线 · 网关'), rules: ['device-offline'], by: 'compound', min: 5, share: 0.8, windowSec: 600, waitSec: 60 };
    const t = setup(dataOf({ groups: [compound, OFFLINE_B] })); // the building group does not settle
    // b1 reaches its min (e3) before the compound does (m2): both form at the next tick.
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3', 'p1', 'e4', 'p2', 'm1', 'm2', 'm3', 'm4'], 0);
    t.tick(1);
    expect(t.alerts()).toEqual(['a1 offline-compound offline-compound@c01 dispatched/active']);
    expect(t.book.get('a1')).toMatchObject({ name: { zh: '翠苑一区 10 台设备离线 · 网关' } });
  });

  it('releases a held condition as its own alert once waitSec passes without the group forming', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e1'], 0);
    t.tick(59);
    expect(t.book.list()).toEqual([]);
    t.tick(60);
    expect(t.alerts()).toEqual(['a1 device-offline e1 dispatched/active']);
    expect(t.book.get('a1').raisedAt).toBe(T0 + 60 * S);
    expect(t.hold('e1', 'device-offline')).toBeUndefined();
  });

  it('a condition that clears while held raises nothing', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e1'], 0);
    t.send('cleared', 'device-offline', ['e1'], 30);
    t.tick(120);
    expect(t.book.list()).toEqual([]);
    expect(t.counts).toMatchObject({ waiting: 0 });
  });

  it('holds nothing where the group can never form (a place with fewer devices than min)', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e4'], 0); // b2 has two devices
    expect(t.alerts()).toEqual(['a1 device-offline e4 dispatched/active']);
  });

  it('a device that had its own alert before the group formed stays its own alert and is listed with it', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['p1'], 0);
    t.tick(60);
    t.send('raised', 'device-offline', ['e1', 'e2'], 100);
    t.tick(101);
    expect(t.alerts()).toEqual(['a1 device-offline p1 dispatched/active', 'a2 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a2'))).toEqual(['p1(a1)', 'e1', 'e2']);
    t.send('raised', 'device-offline', ['e3'], 110);
    // Its own alert is not dispatched again, and it still follows its condition.
    expect(t.events.filter((e) => e.startsWith('a1 '))).toEqual(['a1 raised', 'a1 dispatched']);
    t.send('cleared', 'device-offline', ['p1'], 200);
    expect(t.book.get('a1').condition).toBe('cleared');
    expect(t.members(t.book.get('a2'))).toEqual(['p1(a1) left', 'e1', 'e2', 'e3']);
    expect(t.book.get('a2').condition).toBe('active');
  });

  it('later members join; members that clear leave; below min the incident clears and releases those still active', () => {
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] }));
    t.send('raised', 'device-offline', ['e1', 'e2'], 0);
    t.tick(1);
    t.send('raised', 'device-offline', ['e3'], 300);
    t.send('raised', 'device-offline', ['p1'], 900); // past the window: an open incident takes it still
    const incident = t.book.get('a1');
    expect(t.members(incident)).toEqual(['e1', 'e2', 'e3', 'p1']);
    expect(incident).toMatchObject({ name: { zh: '1号楼 4 台设备离线' }, incident: { peak: 4 }, lastSeenAt: T0 + 900 * S });
    t.send('cleared', 'device-offline', ['e1', 'e2'], 1000);
    expect(t.book.get('a1').condition).toBe('active');
    t.send('cleared', 'device-offline', ['e3'], 1010);
    expect(t.events.filter((e) => e.startsWith('a1 '))).toEqual([
      'a1 raised', 'a1 dispatched',
      'a1 member_joined c01/elevator/e3', 'a1 member_joined c01/parking/p1',
      'a1 member_left c01/elevator/e1', 'a1 member_left c01/elevator/e2', 'a1 member_left c01/elevator/e3',
      'a1 condition_cleared', 'a1 released c01/parking/p1',
    ]);
    // The peak stays in the name and the record; p1, still offline, is judged again: held, then its own alert.
    expect(t.book.get('a1')).toMatchObject({ name: { zh: '1号楼 4 台设备离线' }, incident: { peak: 4 } });
    expect(t.hold('p1', 'device-offline')).toMatchObject({ reason: 'waiting' });
    t.tick(1070);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/cleared', 'a2 device-offline p1 dispatched/active']);
  });

  it('forms again on the same incident alert while that one is still open', () => {
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] }));
    t.send('raised', 'device-offline', ['e1', 'e2'], 0);
    t.tick(1);
    t.send('cleared', 'device-offline', ['e1', 'e2'], 100);
    t.send('raised', 'device-offline', ['e2', 'e3'], 200);
    expect(t.book.get('a1').condition).toBe('cleared'); // it forms again at the next tick
    t.tick(201);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a1'))).toEqual(['e1 left', 'e2', 'e3']);
    expect(t.events.at(-1)).toBe('a1 condition_active');
  });

  it('with waitSec 0 nothing is held before the group reaches min: the first devices get their own alerts; from the Nth on they are held until it forms at the next tick, with the first listed', () => {
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, waitSec: 0 }] }));
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3', 'p1'], 0);
    expect(t.alerts()).toEqual(['a1 device-offline e1 dispatched/active', 'a2 device-offline e2 dispatched/active']);
    expect(t.hold('e3', 'device-offline')).toEqual({ reason: 'waiting', until: T0 });
    expect(t.hold('p1', 'device-offline')).toEqual({ reason: 'waiting', until: T0 });
    t.tick(1);
    expect(t.alerts()).toEqual(['a1 device-offline e1 dispatched/active', 'a2 device-offline e2 dispatched/active', 'a3 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a3'))).toEqual(['e1(a1)', 'e2(a2)', 'e3', 'p1']);
  });

  it('a force-close of an active incident releases its active members as their own alerts at once', () => {
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] }));
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.tick(1);
    t.book.accept('a1', 'wang', T0 + 60 * S);
    t.book.resolve('a1', 'wang', '楼栋供电恢复中', T0 + 120 * S);
    t.send('cleared', 'device-offline', ['e3'], 130);
    t.book.close('a1', 'zhao', T0 + 180 * S, '两台电梯另派维修', true);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 closed/active', 'a2 device-offline e1 dispatched/active', 'a3 device-offline e2 dispatched/active']);
    expect(t.events.slice(-6)).toEqual(['a1 released c01/elevator/e1 c01/elevator/e2', 'a1 closed 两台电梯另派维修', 'a2 raised', 'a2 dispatched', 'a3 raised', 'a3 dispatched']);
    expect(t.counts).toMatchObject({ grouped: 0 });
    // They are plain alerts now: they clear with their conditions.
    t.send('cleared', 'device-offline', ['e1'], 300);
    expect(t.book.get('a2').condition).toBe('cleared');
  });

  it('a silence set during an incident keeps its released members quiet: judged when they are released, not at their first raise', () => {
    const silences = new Silences();
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] }), 'a', silences);
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.tick(1);
    // Ten minutes on, a manager silences the rule in the compound for two hours.
    silences.add({ compound: 'c01', ruleId: 'device-offline', from: T0 + 600 * S, until: T0 + 7800 * S, reason: '楼栋停电检修', actor: 'zhao' });
    t.send('cleared', 'device-offline', ['e1', 'e2'], 900); // below min: the incident ends, e3 is released
    t.tick(1000);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/cleared']);
    expect(t.hold('e3', 'device-offline')).toBeUndefined();
    expect(t.counts).toMatchObject({ waiting: 0, grouped: 0 });
    // Once the silence is over, a repeat of the condition still going on raises it (held for its group first).
    t.send('repeated', 'device-offline', ['e3'], 7800);
    t.tick(7860);
    expect(t.alerts()).toContain('a2 device-offline e3 dispatched/active');
  });

  it('a silence set during an incident keeps the members a force-close lets go quiet', () => {
    const silences = new Silences();
    const t = setup(dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] }), 'a', silences);
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.tick(1);
    t.book.accept('a1', 'wang', T0 + 60 * S);
    t.book.resolve('a1', 'wang', '楼栋供电恢复中', T0 + 120 * S);
    silences.add({ compound: 'c01', ruleId: 'device-offline', from: T0 + 150 * S, until: T0 + 7800 * S, reason: '楼栋停电检修', actor: 'zhao' });
    t.book.close('a1', 'zhao', T0 + 180 * S, '检修期间不另派', true);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 closed/active']);
    expect(t.counts).toMatchObject({ waiting: 0, grouped: 0 });
  });

  it('a wider group listed first takes the devices of a narrower one that settles (gateway down: the compound, not its buildings)', () => {
    const compound: GroupIn = { id: 'offline-compound', name: name('{place} {count} 台设备离线 · 网关'), rules: ['device-offline'], by: 'compound', min: 5, share: 0.8, windowSec: 600, waitSec: 60 };
    const t = setup(dataOf({ groups: [compound, { ...OFFLINE_B, settleSec: 30 }] }));
    const all = ['e1', 'e2', 'e3', 'p1', 'e4', 'p2', 'm1', 'm2', 'm3', 'm4'];
    all.forEach((d, i) => t.send('raised', 'device-offline', [d], i * 2));
    t.tick(60);
    expect(t.alerts()).toEqual(['a1 offline-compound offline-compound@c01 dispatched/active']);
    expect(t.book.get('a1')).toMatchObject({ name: { zh: '翠苑一区 10 台设备离线 · 网关' }, incident: { scope: 'compound', peak: 10 } });
    expect(t.book.get('a1').incident!.place).toBeUndefined();
  });

  it('the narrower group forms once settled when the wider one does not (one building without power)', () => {
    const compound: GroupIn = { id: 'offline-compound', name: name('{place} 网关'), rules: ['device-offline'], by: 'compound', min: 5, share: 0.8, windowSec: 600, waitSec: 60 };
    const t = setup(dataOf({ groups: [compound, { ...OFFLINE_B, settleSec: 30 }] }));
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.tick(29);
    expect(t.book.list()).toEqual([]);
    t.send('raised', 'device-offline', ['p1'], 29);
    t.tick(30);
    expect(t.alerts()).toEqual(['a1 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a1'))).toEqual(['e1', 'e2', 'e3', 'p1']);
  });

  it('groups by zone with the zone\'s name; the severity is the group\'s when it says one', () => {
    const water: GroupIn = { id: 'water-zone', name: name('{place} {count} 个井盖水位过高'), rules: ['manhole-water-high'], by: 'zone', min: 2, windowSec: 1800, waitSec: 120, severity: 'critical' };
    const t = setup(dataOf({ groups: [water] }));
    t.send('raised', 'manhole-water-high', ['m1'], 0);
    t.send('raised', 'manhole-water-high', ['m4'], 10); // south: can never form
    t.send('raised', 'manhole-water-high', ['m2'], 100);
    t.tick(101);
    expect(t.alerts()).toEqual(['a1 manhole-water-high m4 dispatched/active', 'a2 water-zone water-zone@north dispatched/active']);
    expect(t.book.get('a2')).toMatchObject({ name: { zh: '北区 2 个井盖水位过高' }, severity: 'critical', type: 'manhole' });
  });
});

describe('Correlator: inhibition', () => {
  const powerCut: InhibitIn = { id: 'power-cut', source: ['elevator-power-loss'], targets: ['elevator-stopped-outside-door-zone', 'device-offline'], equal: ['compound', 'building'] };

  it('a target raises nothing while a source with the same labels is active; what is still active is raised when the source clears', () => {
    const t = setup(dataOf({ inhibit: [powerCut] }));
    t.send('raised', 'elevator-power-loss', ['e1'], 0);
    t.send('raised', 'elevator-stopped-outside-door-zone', ['e1', 'e2'], 1);
    t.send('raised', 'device-offline', ['p1'], 180);
    expect(t.alerts()).toEqual(['a1 elevator-power-loss e1 dispatched/active']);
    expect(t.hold('p1', 'device-offline')).toEqual({ reason: 'inhibited', inhibit: 'power-cut', source: { id: 'elevator-power-loss', deviceKey: 'c01/elevator/e1' } });
    expect(t.counts).toMatchObject({ inhibited: 3 });
    t.send('cleared', 'elevator-stopped-outside-door-zone', ['e2'], 300);
    t.send('cleared', 'elevator-power-loss', ['e1'], 600);
    expect(t.alerts()).toEqual([
      'a1 elevator-power-loss e1 dispatched/cleared',
      'a2 elevator-stopped-outside-door-zone e1 dispatched/active',
      'a3 device-offline p1 dispatched/active',
    ]);
    expect(t.book.get('a3').raisedAt).toBe(T0 + 600 * S);
    expect(t.counts).toMatchObject({ inhibited: 0 });
  });

  it('a waiting target is inhibited when a source appears', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B], inhibit: [powerCut] }));
    t.send('raised', 'device-offline', ['p1'], 0);
    expect(t.hold('p1', 'device-offline')).toMatchObject({ reason: 'waiting' });
    t.send('raised', 'elevator-power-loss', ['e1'], 10);
    expect(t.hold('p1', 'device-offline')).toMatchObject({ reason: 'inhibited' });
    t.tick(120);
    expect(t.alerts()).toEqual(['a1 elevator-power-loss e1 dispatched/active']);
  });

  it('released targets are judged again: they may form their group', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B], inhibit: [powerCut] }));
    t.send('raised', 'elevator-power-loss', ['e1'], 0);
    t.send('raised', 'device-offline', ['e2', 'e3', 'p1'], 180);
    t.send('cleared', 'elevator-power-loss', ['e1'], 600);
    expect(t.alerts()).toEqual(['a1 elevator-power-loss e1 dispatched/cleared']);
    expect(t.hold('p1', 'device-offline')).toMatchObject({ reason: 'waiting' });
    t.tick(601);
    expect(t.alerts()).toEqual(['a1 elevator-power-loss e1 dispatched/cleared', 'a2 offline-building offline-building@b1 dispatched/active']);
    expect(t.members(t.book.get('a2'))).toEqual(['e2', 'e3', 'p1']);
    expect(t.book.get('a2').raisedAt).toBe(T0 + 601 * S);
  });

  it('another active source keeps a target inhibited', () => {
    const t = setup(dataOf({ inhibit: [powerCut] }));
    t.send('raised', 'elevator-power-loss', ['e1', 'e2'], 0);
    t.send('raised', 'device-offline', ['p1'], 180);
    t.send('cleared', 'elevator-power-loss', ['e1'], 600);
    expect(t.hold('p1', 'device-offline')).toMatchObject({ reason: 'inhibited', source: { deviceKey: 'c01/elevator/e2' } });
    t.send('cleared', 'elevator-power-loss', ['e2'], 610);
    expect(t.book.list().map((a) => a.ruleId)).toContain('device-offline');
  });

  // (source device, target device, equal) → inhibited?
  it.each<[string, string, Array<'compound' | 'building' | 'zone' | 'type' | 'device'>, boolean]>([
    ['e1', 'p1', ['compound', 'building'], true],
    ['e1', 'p2', ['compound', 'building'], false], // another building
    ['e1', 'e9', ['compound', 'building'], false], // another compound, the same building tag
    ['e1', 'm1', ['compound', 'building'], false], // the target has no building: a label either lacks never matches
    ['e1', 'm1', ['compound'], true],
    ['e1', 'e4', ['compound', 'type'], true],
    ['e1', 'p1', ['compound', 'type'], false],
    ['e1', 'e2', ['compound', 'device'], false],
    ['e1', 'e1', ['compound', 'device'], true],
  ])('source on %s, target on %s, equal %j → inhibited: %s', (source, target, equal, inhibited) => {
    const t = setup(dataOf({ inhibit: [{ ...powerCut, equal }] }));
    t.send('raised', 'elevator-power-loss', [source], 0);
    t.send('raised', 'device-offline', [target], 10);
    expect(t.hold(target, 'device-offline')?.reason === 'inhibited').toBe(inhibited);
  });

  it('an incident can be the source: a building without power inhibits its devices going offline', () => {
    const powerGroup: GroupIn = { id: 'power-cut-building', name: name('{place} {count} 台电梯停电'), rules: ['elevator-power-loss'], by: 'building', min: 2, windowSec: 300, waitSec: 30 };
    const t = setup(dataOf({ groups: [powerGroup], inhibit: [{ id: 'cut', source: ['power-cut-building'], targets: ['device-offline'], equal: ['compound', 'building'] }] }));
    t.send('raised', 'elevator-power-loss', ['e1', 'e2'], 0);
    t.tick(1);
    t.send('raised', 'device-offline', ['p1', 'p2'], 180);
    expect(t.alerts()).toEqual(['a1 power-cut-building power-cut-building@b1 dispatched/active', 'a2 device-offline p2 dispatched/active']);
    expect(t.hold('p1', 'device-offline')).toEqual({ reason: 'inhibited', inhibit: 'cut', source: { id: 'power-cut-building', incident: 'a1' } });
    t.send('cleared', 'elevator-power-loss', ['e1'], 600);
    expect(t.alerts()).toEqual(['a1 power-cut-building power-cut-building@b1 dispatched/cleared', 'a2 device-offline p2 dispatched/active', 'a3 device-offline p1 dispatched/active']);
  });
});

describe('Correlator: the built-in pack', () => {
  it('a trapped passenger is never held back or inhibited, even in a building without power', () => {
    const t = setup(parseRulesData(DEFAULT_RULES, 'built-in'));
    t.send('raised', 'elevator-power-loss', ['e1', 'e2'], 0);
    // The power cut forms once settled (5 s, its settleSec); a trapped passenger meanwhile is not held for it.
    t.send('raised', 'elevator-trapped', ['e1'], 0.5);
    expect(t.alerts()).toEqual(['a1 elevator-trapped e1 dispatched/active']);
    t.tick(4);
    expect(t.alerts()).toEqual(['a1 elevator-trapped e1 dispatched/active']);
    t.tick(5);
    t.send('raised', 'elevator-trapped', ['e2'], 5);
    t.send('raised', 'elevator-stopped-outside-door-zone', ['e1'], 5);
    expect(t.alerts()).toEqual([
      'a1 elevator-trapped e1 dispatched/active',
      'a2 power-cut-building power-cut-building@b1 dispatched/active',
      'a3 elevator-trapped e2 dispatched/active',
    ]);
    expect(t.hold('e1', 'elevator-trapped')).toBeUndefined();
    expect(t.hold('e2', 'elevator-trapped')).toBeUndefined();
    expect(t.hold('e1', 'elevator-stopped-outside-door-zone')).toMatchObject({ reason: 'inhibited', inhibit: 'power-loss-elevator' });
  });
});

describe('Correlator: flapping', () => {
  it('a condition still flapping whose alert was closed: its new alert is marked flapping at once', () => {
    const t = setup(dataOf({ flapping: { toggles: 4, windowSec: 900 } }));
    const rule = 'elevator-stopped-outside-door-zone';
    for (let i = 0; i < 3; i += 1) {
      t.send('raised', rule, ['e1'], i * 100);
      t.send('cleared', rule, ['e1'], i * 100 + 50);
    }
    expect(t.book.get('a1')).toMatchObject({ flapping: true, condition: 'cleared' });
    t.book.accept('a1', 'wang', T0 + 260 * S);
    t.book.resolve('a1', 'wang', '门锁开关松动，已紧固', T0 + 270 * S);
    t.book.close('a1', 'zhao', T0 + 280 * S);
    t.send('raised', rule, ['e1'], 300);
    expect(t.book.get('a2')).toMatchObject({ flapping: true, condition: 'active' });
    expect(t.events.slice(-3)).toEqual(['a2 raised', 'a2 dispatched', 'a2 flapping']);
    t.send('cleared', rule, ['e1'], 350);
    expect(t.events.at(-1)).toBe('a2 repeated condition_cleared');
  });

  it('marks a toggling condition flapping once, keeps its toggles quiet, and tells when it is stable', () => {
    const t = setup(dataOf({ flapping: { toggles: 4, windowSec: 900 } }));
    const rule = 'elevator-stopped-outside-door-zone';
    for (let i = 0; i < 3; i += 1) {
      t.send('raised', rule, ['e1'], i * 100);
      t.send('cleared', rule, ['e1'], i * 100 + 50);
    }
    // raised, cleared, raised, cleared, raised (5 toggles > 4): flapping; the rest is quiet.
    expect(t.events).toEqual([
      'a1 raised', 'a1 dispatched', 'a1 condition_cleared', 'a1 condition_active', 'a1 condition_cleared', 'a1 condition_active',
      'a1 flapping', 'a1 repeated condition_cleared',
    ]);
    const alert = t.book.get('a1');
    expect(alert).toMatchObject({ flapping: true, condition: 'cleared' });
    expect(alert.history.map((e) => e.kind)).toEqual(['raised', 'dispatched', 'condition_cleared', 'condition_active', 'condition_cleared', 'condition_active', 'flapping']);
    t.send('raised', rule, ['e1'], 300);
    expect(t.book.get('a1').condition).toBe('active'); // live views still see the current condition
    t.tick(300 + 899);
    expect(t.events.at(-1)).toBe('a1 repeated condition_active');
    t.tick(300 + 900);
    expect(t.events.at(-1)).toBe('a1 stable');
    expect(t.book.get('a1').flapping).toBeUndefined();
    t.send('cleared', rule, ['e1'], 1300);
    expect(t.events.at(-1)).toBe('a1 condition_cleared');
  });
});

/** What InfluxDB 1.x answers `SELECT * FROM alert_events` with, for these written lines. */
function selectAll(lines: readonly string[]): string {
  const points = lines.map(parseLine).map((p) => ({
    time: Number(p.timestamp),
    values: new Map<string, unknown>([...p.tags, ...p.fields.map(([k, f]) => [k, f.type === 'integer' ? Number(f.value) : f.value] as const)]),
  }));
  const columns = [...new Set(points.flatMap((p) => [...p.values.keys()]))].sort();
  const values = points.map((p) => [p.time, ...columns.map((c) => p.values.get(c) ?? null)]);
  return JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'alert_events', columns: ['time', ...columns], values }] }] });
}

describe('Correlator: reload and restart', () => {
  it("rebuilds an open incident from the event log (a database's first start) as an incident: its key, name, scope, place and peak, and no condition of the rules", async () => {
    const data = dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] });
    const before = setup(data);
    const eventLines = new AlertEventLines();
    const written: string[] = [];
    before.book.onEvent((e, a) => written.push(eventLines.line(e, a)));
    before.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    before.tick(1);
    before.send('raised', 'device-offline', ['p1'], 100);
    before.book.accept('a1', 'wang', T0 + 120 * S);
    const influx = await startFakeInflux();
    try {
      influx.queryAnswer = selectAll(written);
      const stored = await readAlertEvents({ url: influx.url, api: 'v1', database: 'hub' }, 90);
      const after = setup(data, 'b');
      after.book.restore(stored);
      expect(after.book.list()).toHaveLength(1);
      expect(after.book.get('a1')).toMatchObject({
        ruleId: 'offline-building',
        device: 'offline-building@b1',
        deviceKey: 'c01/incident/offline-building@b1',
        name: { zh: '1号楼 4 台设备离线' },
        workflow: 'accepted',
        assignee: 'wang',
        condition: 'active',
        incident: { group: 'offline-building', scope: 'building', place: 'b1', members: [], peak: 4 },
      });
      // Nobody's condition: nothing for the rules to judge, nothing cleared as orphaned.
      expect(after.book.activeConditions()).toEqual([]);
      // Taken back without members, it clears; its devices, still offline, form it again on the same alert.
      expect(after.correlator.adopt(T0 + 1000 * S)).toEqual([]);
      expect(after.book.get('a1').condition).toBe('cleared');
      after.send('raised', 'device-offline', ['e1', 'e2'], 1100);
      after.tick(1101);
      expect(after.alerts()).toEqual(['a1 offline-building offline-building@b1 accepted/active']);
    } finally {
      await influx.close();
    }
  });

  it('a reload without the group ends its incident: members still active become their own alerts', () => {
    const t = setup(dataOf({ groups: [OFFLINE_B] }));
    t.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    t.tick(1);
    t.correlator.reload(dataOf({}), T0 + 100 * S);
    expect(t.alerts()).toEqual([
      'a1 offline-building offline-building@b1 dispatched/cleared',
      'a2 device-offline e1 dispatched/active',
      'a3 device-offline e2 dispatched/active',
      'a4 device-offline e3 dispatched/active',
    ]);
    expect(t.book.get('a1').history.find((e) => e.kind === 'condition_cleared')?.note).toBe('its group is gone');
  });

  it('a reload that adds a group holds new conditions for it', () => {
    const t = setup(dataOf({}));
    t.correlator.reload(dataOf({ groups: [OFFLINE_B] }), T0);
    t.send('raised', 'device-offline', ['e1'], 0);
    expect(t.hold('e1', 'device-offline')).toMatchObject({ reason: 'waiting' });
  });

  it('takes back an open incident: its members are resumed, leave when their devices report, and it clears below min', () => {
    const data = dataOf({ groups: [OFFLINE_B] });
    const before = setup(data);
    before.send('raised', 'device-offline', ['p1'], 0);
    before.tick(60);
    before.send('raised', 'device-offline', ['e1', 'e2'], 100);
    before.tick(101);
    const saved = before.book.list().map((a) => structuredClone(a));

    const after = setup(data, 'b');
    after.book.adopt(saved);
    expect(after.book.activeConditions()).toEqual([{ deviceKey: 'c01/parking/p1', ruleId: 'device-offline' }]);
    expect(after.correlator.adopt(T0 + 1000 * S)).toEqual([
      { deviceKey: 'c01/elevator/e1', ruleId: 'device-offline' },
      { deviceKey: 'c01/elevator/e2', ruleId: 'device-offline' },
    ]);
    after.send('raised', 'device-offline', ['e3'], 1010);
    expect(after.members(after.book.get('a2'))).toEqual(['p1(a1)', 'e1', 'e2', 'e3']);
    after.send('cleared', 'device-offline', ['e1', 'e2'], 1100);
    expect(after.book.get('a2').condition).toBe('cleared');
    expect(after.hold('e3', 'device-offline')).toMatchObject({ reason: 'waiting' }); // released, judged again
    after.tick(1160);
    expect(after.alerts()).toContain('b1 device-offline e3 dispatched/active');
  });

  it('a condition no rule judges any more leaves its incident', () => {
    const data = dataOf({ groups: [{ ...OFFLINE_B, min: 2 }] });
    const before = setup(data);
    before.send('raised', 'device-offline', ['e1', 'e2', 'e3'], 0);
    before.tick(1);
    const after = setup(data);
    after.book.adopt(before.book.list().map((a) => structuredClone(a)));
    after.correlator.adopt(T0 + 100 * S);
    after.correlator.orphaned({ deviceKey: 'c01/elevator/e1', ruleId: 'device-offline' }, T0 + 100 * S, 'no rule judges this condition any more');
    expect(after.members(after.book.get('a1'))).toEqual(['e1 left', 'e2', 'e3']);
  });
});
