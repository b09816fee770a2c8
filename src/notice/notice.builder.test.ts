/** The building notice's builder: which alerts it shows, how, and that nothing personal or any id gets through, whatever the alert carries. */
import { describe, expect, it } from 'vitest';
import { hashDeviceSecret } from '../contracts/credentials.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import { isHubError } from '../errors.ts';
import { NOTICE_FIXED_WINDOW_MS } from '../contracts/notice.ts';
import { buildNotice } from './notice.builder.ts';

const secretSha256 = hashDeviceSecret('secret-of-the-fixture');
const registry = buildRegistry(
  parseRegistry(
    {
      districts: [
        {
          id: 'xihu',
          name: '西湖区',
          streets: [
            {
              id: 'wenxin',
              name: '文新街道',
              communities: [
                {
                  id: 'cuiyuan',
                  name: '翠苑社区',
                  compounds: [
                    {
                      id: 'c01',
                      name: '翠苑一区',
                      buildings: { b1: '1号楼', b2: '2号楼' },
                      devices: [
                        { id: 'lift-secret-7', type: 'elevator', name: '1号楼 2号电梯', building: 'b1', secretSha256 },
                        { id: 'lane-3', type: 'fire_lane', name: '3号门消防通道', building: 'b1', secretSha256 },
                        { id: 'lift-nameless', type: 'elevator', building: 'b1', secretSha256 },
                        { id: 'lift-b2', type: 'elevator', name: '2号楼 1号电梯', building: 'b2', secretSha256 },
                        { id: 'mh-9', type: 'manhole', name: '北门井盖', building: 'b9', secretSha256 },
                      ],
                    },
                    { id: 'c02', name: '翠苑二区', buildings: { b1: '二区1号楼' }, devices: [{ id: 'lift-1', type: 'elevator', name: '二区电梯', building: 'b1', secretSha256 }] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    'notice test',
  ),
);

const NOW = Date.UTC(2026, 5, 3, 8, 0);
const MIN = 60_000;
/** Text that must never reach the notice: people, notes, ids. */
const SECRETS = ['wang-fang', 'li-qiang', 'zhao-manager', '业主王先生 13800000000', '已救出乘客', 'a-20260603-secret', 'lift-secret-7', 'lane-3', 'lift-nameless', 'photo-77', 'resident text', 'grid-g1'];

let seq = 0;
function alert(device: string, type: Alert['type'], workflow: Alert['workflow'], raisedAt: number, extra: Partial<Alert> = {}, compound = 'c01'): Alert {
  const id = `a-20260603-secret-${++seq}`;
  const event = (kind: AlertEvent['kind'], at: number, more: Partial<AlertEvent> = {}): AlertEvent => ({ alertId: id, kind, at, actor: 'wang-fang', note: '已救出乘客', assignee: 'li-qiang', photo: 'photo-77', ...more });
  return {
    id,
    ruleId: `${type}-rule`,
    name: { zh: type === 'elevator' ? '电梯停用' : '消防通道占用', en: type === 'elevator' ? 'Elevator out of service' : 'Fire lane blocked' },
    severity: 'critical',
    deviceKey: `${compound}/${type}/${device}`,
    compound,
    type,
    device,
    workflow,
    condition: workflow === 'resolved' || workflow === 'closed' ? 'cleared' : 'active',
    raisedAt,
    lastSeenAt: raisedAt + MIN,
    count: 3,
    value: 42,
    field: 'speed',
    assignee: 'wang-fang',
    escalationLevel: 1,
    dueAt: raisedAt + 30 * MIN,
    called: ['li-qiang'],
    escalatedTo: ['zhao-manager'],
    parties: ['grid-g1'],
    arrival: { dueAt: raisedAt + 30 * MIN, at: raisedAt + 5 * MIN, by: 'wang-fang', position: { lat: 30.1, lon: 120.1 } },
    evaluations: [{ party: 'manager', score: 5, comment: '业主王先生 13800000000', by: 'zhao-manager', at: raisedAt }],
    history: [event('raised', raisedAt), event('dispatched', raisedAt + 1000), event('accepted', raisedAt + 2 * MIN), event('commented', raisedAt + 3 * MIN, { note: '业主王先生 13800000000' })],
    ...extra,
  };
}
const resolvedAt = (a: Alert, at: number): Alert => ({ ...a, history: [...a.history, { alertId: a.id, kind: 'resolved', at, actor: 'wang-fang', note: '已救出乘客', photo: 'photo-77' }] });

/** Every key and every string or number value anywhere in `value`. */
function walk(value: unknown, path: string, seen: Array<{ path: string; key?: string; value?: unknown }>): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, seen));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      seen.push({ path: `${path}.${key}`, key });
      walk(v, `${path}.${key}`, seen);
    }
  } else seen.push({ path, value });
}

const ITEM_KEYS = ['what', 'device', 'type', 'since', 'state', 'fixedAt'];

describe('buildNotice', () => {
  const lift = alert('lift-secret-7', 'elevator', 'accepted', NOW - 60 * MIN);
  const lane = alert('lane-3', 'fire_lane', 'dispatched', NOW - 10 * MIN);
  const nameless = alert('lift-nameless', 'elevator', 'new', NOW - 30 * MIN);
  const fixedLift = resolvedAt(alert('lift-secret-7', 'elevator', 'resolved', NOW - 5 * 60 * MIN, { ruleId: 'other' }), NOW - 3 * 60 * MIN);
  const closedOld = { ...resolvedAt(alert('lane-3', 'fire_lane', 'closed', NOW - 30 * 60 * MIN), NOW - NOTICE_FIXED_WINDOW_MS - MIN) };
  const otherBuilding = alert('lift-b2', 'elevator', 'new', NOW - MIN);
  const otherCompound = alert('lift-1', 'elevator', 'new', NOW - MIN, {}, 'c02');
  const report = alert('lane-3', 'fire_lane', 'new', NOW - MIN, { ruleId: 'resident-report', report: { id: 'r1', category: 'fire_lane', building: 'b1', text: 'resident text' } });
  const alerts = [lift, lane, nameless, fixedLift, closedOld, otherBuilding, otherCompound, report];
  const answer = buildNotice({ alerts, registry, compound: 'c01', building: 'b1', now: NOW });

  it('shows what is out of service or blocked now, newest first, with the rule’s name, the device’s registry name, its type, since and a coarse state', () => {
    expect(answer.open).toEqual([
      { what: { zh: '消防通道占用', en: 'Fire lane blocked' }, device: '3号门消防通道', type: 'fire_lane', since: NOW - 10 * MIN, state: 'reported' },
      { what: { zh: '电梯停用', en: 'Elevator out of service' }, type: 'elevator', since: NOW - 30 * MIN, state: 'reported' },
      { what: { zh: '电梯停用', en: 'Elevator out of service' }, device: '1号楼 2号电梯', type: 'elevator', since: NOW - 60 * MIN, state: 'in_progress' },
    ]);
  });

  it('shows what was fixed in the last 24 h with when, and not what was fixed before', () => {
    expect(answer.fixed).toEqual([{ what: { zh: '电梯停用', en: 'Elevator out of service' }, device: '1号楼 2号电梯', type: 'elevator', since: NOW - 5 * 60 * MIN, state: 'fixed', fixedAt: NOW - 3 * 60 * MIN }]);
  });

  it('names the compound and the building, and says when it was made', () => {
    expect(answer.compound).toEqual({ id: 'c01', name: '翠苑一区' });
    expect(answer.building).toEqual({ id: 'b1', name: '1号楼' });
    expect(answer.at).toBe(NOW);
    expect(Object.keys(answer).sort()).toEqual(['at', 'building', 'compound', 'fixed', 'open']);
  });

  it('has exactly the allowed keys, and no person, note, photo, alert id or device id anywhere', () => {
    const seen: Array<{ path: string; key?: string; value?: unknown }> = [];
    walk(answer, '$', seen);
    for (const item of [...answer.open, ...answer.fixed]) {
      for (const key of Object.keys(item)) expect(ITEM_KEYS).toContain(key);
      expect(Object.keys(item.what).sort()).toEqual(['en', 'zh']);
    }
    const keys = new Set(seen.flatMap((s) => (s.key ? [s.key] : [])));
    expect([...keys].sort()).toEqual(['at', 'building', 'compound', 'device', 'en', 'fixed', 'fixedAt', 'id', 'name', 'open', 'since', 'state', 'type', 'what', 'zh']);
    // `id` only as the compound's and the building's (they are in the page's address anyway).
    expect(seen.filter((s) => s.key === 'id').map((s) => s.path).sort()).toEqual(['$.building.id', '$.compound.id']);
    for (const { path, value } of seen) {
      if (typeof value !== 'string') continue;
      for (const secret of SECRETS) expect(value, path).not.toContain(secret);
    }
    const text = JSON.stringify(answer);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    // None of the alert's other fields, by name (`reported` is a state, `report` would be a field).
    for (const word of ['assignee', 'actor', 'note', 'history', 'photo', 'arrival', 'deviceKey', 'ruleId', 'escalat', 'called', 'parties', 'evaluation', 'value', 'incident']) expect(text).not.toContain(word);
    expect(text).not.toContain('"report"');
  });

  it('leaves out other buildings, other compounds and residents’ reports', () => {
    const b2 = buildNotice({ alerts, registry, compound: 'c01', building: 'b2', now: NOW });
    expect(b2.open.map((i) => i.device)).toEqual(['2号楼 1号电梯']);
    expect(b2.fixed).toEqual([]);
    const c02 = buildNotice({ alerts, registry, compound: 'c02', building: 'b1', now: NOW });
    expect(c02.open.map((i) => i.device)).toEqual(['二区电梯']);
    expect(c02.building).toEqual({ id: 'b1', name: '二区1号楼' });
  });

  it('takes a reopened alert as open again, and its next resolve as its fix', () => {
    const reopened = { ...resolvedAt(alert('lift-secret-7', 'elevator', 'dispatched', NOW - 90 * MIN), NOW - 80 * MIN) };
    reopened.history.push({ alertId: reopened.id, kind: 'reopened', at: NOW - 70 * MIN, actor: 'zhao-manager', note: 'x' });
    expect(buildNotice({ alerts: [reopened], registry, compound: 'c01', building: 'b1', now: NOW }).open.map((i) => i.state)).toEqual(['reported']);
    const again = resolvedAt({ ...reopened, workflow: 'resolved' }, NOW - 20 * MIN);
    expect(buildNotice({ alerts: [again], registry, compound: 'c01', building: 'b1', now: NOW }).fixed.map((i) => i.fixedAt)).toEqual([NOW - 20 * MIN]);
  });

  it('shows an incident’s members in the building by their names, active ones while it is open', () => {
    const incident = alert('incident-x', 'elevator', 'accepted', NOW - 40 * MIN, {
      deviceKey: 'c01/incident/power@b1',
      incident: {
        group: 'power',
        scope: 'building',
        place: 'b1',
        peak: 2,
        members: [
          { deviceKey: 'c01/elevator/lift-secret-7', type: 'elevator', device: 'lift-secret-7', ruleId: 'r', since: NOW - 40 * MIN, name: '1号楼 2号电梯', alertId: 'a-20260603-secret-x' },
          { deviceKey: 'c01/elevator/lift-nameless', type: 'elevator', device: 'lift-nameless', ruleId: 'r', since: NOW - 39 * MIN, leftAt: NOW - 5 * MIN },
          { deviceKey: 'c01/elevator/lift-b2', type: 'elevator', device: 'lift-b2', ruleId: 'r', since: NOW - 38 * MIN, name: '2号楼 1号电梯' },
        ],
      },
    });
    const notice = buildNotice({ alerts: [incident], registry, compound: 'c01', building: 'b1', now: NOW });
    expect(notice.open).toEqual([{ what: incident.name, device: '1号楼 2号电梯', type: 'elevator', since: NOW - 40 * MIN, state: 'in_progress' }]);
    expect(JSON.stringify(notice)).not.toContain('incident');
  });

  it('answers NOT_FOUND for an unknown compound or building', () => {
    const codeOf = (compound: string, building: string) => {
      try {
        buildNotice({ alerts, registry, compound, building, now: NOW });
        return 'built';
      } catch (error) {
        return isHubError(error) ? error.code : 'other';
      }
    };
    expect(codeOf('nope', 'b1')).toBe('NOT_FOUND');
    expect(codeOf('c01', 'b7')).toBe('NOT_FOUND');
    // A building only devices name (no `buildings` entry) is known by its tag.
    expect(codeOf('c01', 'b9')).toBe('built');
    expect(buildNotice({ alerts, registry, compound: 'c01', building: 'b9', now: NOW }).building).toEqual({ id: 'b9', name: 'b9' });
  });
});
