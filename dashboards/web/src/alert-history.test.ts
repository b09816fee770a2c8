import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/contracts/live-events.ts';
import { T0, incidentAlert, member, stubBrowser } from './incident.fixture.ts';
import type { People } from './people.ts';

// Before the modules that load i18n.ts.
stubBrowser();
const { memberNames, stepText } = await import('./alert-history.ts');
const { setLang } = await import('./i18n.ts');

const people: People = {
  name: (id) => ({ wang: '王芳', 'fire-1': '赵刚', chen: '陈静' })[id ?? ''] ?? id ?? '–',
  version: 0,
  refresh: async () => undefined,
  party: (id) => ({ 'fire-desk': '街道消防安全站' })[id ?? ''] ?? id ?? '',
  partiesOf: () => [],
};
const step = (kind: Alert['history'][number]['kind'], note?: string): Alert['history'][number] => ({ alertId: 'i1', kind, at: T0, actor: 'hub', ...(note ? { note } : {}) });

describe('history of an incident: the steps name their devices', () => {
  // mh-3 joined later and left; mh-9 is no member (a key the card does not know): named by type and id.
  const incident = incidentAlert('i1', [member('mh-1'), member('mh-2'), member('mh-3', { leftAt: T0 + 60_000 })]);
  const names = memberNames(incident);

  it('says which device joined or left, and which were released, by their names (zh-CN)', () => {
    setLang('zh');
    expect(stepText(step('member_joined', 'c01/manhole/mh-3'), people, names)).toBe('设备加入事件 · 井盖 北区3号井');
    expect(stepText(step('member_left', 'c01/manhole/mh-3'), people, names)).toBe('设备恢复，离开事件 · 井盖 北区3号井');
    expect(stepText(step('released', 'c01/manhole/mh-1 c01/manhole/mh-2'), people, names)).toBe('事件结束，仍异常的设备单独告警 · 井盖 北区1号井、井盖 北区2号井');
    expect(stepText(step('member_joined', 'c01/manhole/mh-9'), people, names)).toBe('设备加入事件 · 井盖 mh-9');
  });

  it('in English too', () => {
    setLang('en');
    try {
      expect(stepText(step('member_joined', 'c01/manhole/mh-3'), people, names)).toBe('A device joined the incident · Manhole 北区3号井');
      expect(stepText(step('released', 'c01/manhole/mh-1 c01/manhole/mh-2'), people, names)).toBe('Incident over: devices still abnormal alert on their own · Manhole 北区1号井, Manhole 北区2号井');
    } finally {
      setLang('zh');
    }
  });

  it('names a device the members do not name by the view’s devices', () => {
    const { name: _registryName, ...bare } = member('mh-1');
    const unnamed = incidentAlert('i2', [bare]);
    const known = (key: string) => (key === 'c01/manhole/mh-1' ? '井盖 1号楼东侧' : undefined);
    expect(stepText(step('member_joined', 'c01/manhole/mh-1'), people, memberNames(unnamed, known))).toBe('设备加入事件 · 井盖 1号楼东侧');
    expect(stepText(step('member_joined', 'c01/manhole/mh-1'), people, memberNames(unnamed))).toBe('设备加入事件 · 井盖 mh-1');
  });

  it('keeps the other steps as they were: the hub’s known notes translated, people’s quoted', () => {
    expect(stepText({ ...step('escalated', 'accept deadline missed'), assignee: 'wang' }, people, names)).toBe('升级给 王芳 · 接单超时');
    expect(stepText({ ...step('commented', '注意积水'), actor: 'wang' }, people, names)).toBe('王芳 备注 · “注意积水”');
  });
});

describe('history of hand-overs and evaluations', () => {
  it('names the party handed to and who holds it, and who rated it how', () => {
    setLang('zh');
    const handed = { alertId: 'a1', kind: 'handed_over' as const, at: T0, actor: 'hub', party: 'fire-desk', assignee: 'fire-1' };
    expect(stepText(handed, people)).toBe('流转至 街道消防安全站（赵刚）');
    expect(stepText({ alertId: 'a1', kind: 'evaluated', at: T0, actor: 'chen', party: 'committee', score: 5, note: '很快' }, people)).toBe('陈静 评价 5 分 · “很快”');
    setLang('en');
    try {
      expect(stepText(handed, people)).toBe('Handed over to 街道消防安全站 (赵刚)');
    } finally {
      setLang('zh');
    }
  });
});
