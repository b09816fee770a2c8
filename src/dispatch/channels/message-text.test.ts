import { describe, expect, it } from 'vitest';
import { ALERT_EVENT_KINDS } from '../../alerts/alert.types.ts';
import { EVENT_LABEL, localTime } from './message-text.ts';
import { message, T0 } from '../../testing/channels.fixture.ts';

const facts = (m: ReturnType<typeof message>) => Object.fromEntries(m.facts.map((f) => [f.label, f.value]));

describe('the words of a robot message', () => {
  it('names the compound, device and person, and says severity and step in Chinese with English', () => {
    const m = message({ kind: 'dispatched' }, { overdue: { step: 'accept', since: T0 } });
    expect(m.title).toBe('【紧急 Critical】电梯困人 · 已派单 Dispatched');
    expect(m.tone).toBe('red');
    expect(facts(m)).toEqual({
      '告警 Alert': '电梯困人 / Passenger trapped',
      '小区 Compound': '翠苑一区',
      '设备 Device': '1号楼 · 1号电梯 · 电梯 elevator',
      '状态 Step': '已派单 Dispatched · 超时 overdue: 接单 accept',
      '处理人 Assignee': '王芳',
      '时间 Time': '2027-01-15 16:00:00 UTC+8',
    });
    expect(m.person).toMatchObject({ id: 'wang', name: '王芳', contact: { mobile: '13800000001' } });
    expect(m.mention).toBe(true);
  });

  it('falls back to ids where the registry and the logins know no name', () => {
    const m = message({ kind: 'reassigned', assignee: 'nobody-known' }, { compound: 'c99', deviceKey: 'c99/manhole/m7', type: 'manhole', device: 'm7', assignee: 'nobody-known' });
    expect(facts(m)).toMatchObject({ '小区 Compound': 'c99', '设备 Device': 'm7 · 井盖 manhole', '处理人 Assignee': 'nobody-known' });
    expect(m.person).toEqual({ id: 'nobody-known', name: 'nobody-known' });
  });

  it('has a Chinese and English label for every event kind, the new ones included', () => {
    for (const kind of ALERT_EVENT_KINDS) expect(EVENT_LABEL[kind], kind).toMatch(/[\u4e00-\u9fff].* [A-Za-z]/);
    expect(message({ kind: 'reminded' }).title).toBe('【紧急 Critical】电梯困人 · 催办提醒 Reminder');
    expect(message({ kind: 'arrived', actor: 'wang', distanceM: 118.6 }).facts).toContainEqual({ label: '到场 On site', value: '2027-01-15 16:00:00 UTC+8 · 距小区 119 m from the compound' });
  });

  it('mentions the person notified by a reminder, a call or an escalation, and names them beside the assignee', () => {
    const called = message({ kind: 'called', assignee: 'li' });
    expect(called.person).toEqual({ id: 'li', name: '李强' });
    expect(called.mention).toBe(true);
    expect(facts(called)).toMatchObject({ '处理人 Assignee': '王芳', '通知 Notified': '李强' });
    expect(message({ kind: 'escalated', assignee: 'li' }, { assignee: 'li', escalationLevel: 1 }).person?.id).toBe('li');
  });

  it('does not mention a person for a step they took themselves', () => {
    expect(message({ kind: 'accepted', actor: 'wang', assignee: undefined }, { workflow: 'accepted' }).mention).toBe(false);
    expect(message({ kind: 'closed', actor: 'zhao', assignee: undefined }, { workflow: 'closed' }).mention).toBe(true);
  });

  it('gives an incident its scope and member count, and names the devices that join or are released', () => {
    const incident = {
      group: 'power-cut',
      scope: 'building' as const,
      place: 'b1',
      members: [
        { deviceKey: 'c01/elevator/e1', type: 'elevator' as const, device: 'e1', ruleId: 'elevator-power-loss', since: T0 },
        { deviceKey: 'c01/elevator/e2', type: 'elevator' as const, device: 'e2', ruleId: 'elevator-power-loss', since: T0 },
      ],
      peak: 3,
    };
    const m = message({ kind: 'raised', assignee: undefined }, { incident, assignee: undefined, workflow: 'new' });
    expect(facts(m)).toMatchObject({ '范围 Scope': '1号楼 楼栋 building', '涉及设备 Devices': '2 台 devices（最多 peak 3）' });
    expect(facts(m)['设备 Device']).toBeUndefined();
    expect(facts(message({ kind: 'member_joined', note: 'c01/elevator/e1' }, { incident }))).toMatchObject({ '加入 Joined': '1号楼 · 1号电梯' });
    expect(facts(message({ kind: 'released', note: 'c01/elevator/e1, c01/elevator/e2' }, { incident }))).toMatchObject({ '单独告警 Released': '1号楼 · 1号电梯、e2' });
  });

  it('counts the devices an incident holds now: members that left are not counted, a device with two rules is one', () => {
    const member = (device: string, ruleId: string, leftAt?: number) => ({
      deviceKey: `c01/elevator/${device}`, type: 'elevator' as const, device, ruleId, since: T0, ...(leftAt !== undefined ? { leftAt } : {}),
    });
    const incident = {
      group: 'power-cut',
      scope: 'building' as const,
      place: 'b1',
      members: [member('e1', 'elevator-power-loss', T0 + 60_000), member('e2', 'elevator-power-loss'), member('e2', 'device-offline'), member('e3', 'elevator-power-loss')],
      peak: 3,
    };
    expect(facts(message({ kind: 'accepted', actor: 'wang' }, { incident }))['涉及设备 Devices']).toBe('2 台 devices（最多 peak 3）');
  });

  it('takes a snapshot: the alert changing later does not change the message', () => {
    const m = message({ kind: 'dispatched' });
    expect(m.alert).toMatchObject({ id: 'a1', workflow: 'dispatched' });
    expect((m.alert as Record<string, unknown>).history).toBeUndefined();
  });

  it('writes local time with its offset', () => {
    expect(localTime(T0, 480)).toBe('2027-01-15 16:00:00 UTC+8');
    expect(localTime(T0, -330)).toBe('2027-01-15 02:30:00 UTC-5.5');
  });
});
