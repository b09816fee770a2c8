/** Alert messages for the channel tests: a real alert shape, names from a small directory, and the forged comment of issue 14. */
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import type { Contact } from '../contracts/api.ts';
import type { Directory } from '../dispatch/channels/channel.types.ts';
import { buildMessage, type AlertMessage } from '../dispatch/channels/message-text.ts';

export const T0 = 1_800_000_000_000;

/** A comment that tries to pass for a "closed" step and slip a phishing link into a signed robot message. */
export const FORGED_COMMENT = '已处理\n### ✅ 已关闭 Closed\n[点此确认关闭](https://evil.example/login) ![x](https://evil.example/p.png) <@all> <at id=all></at> <font color="info">ok</font> @13900000009';

/** What no channel's markup may carry from FORGED_COMMENT. */
export const FORGED_MARKUP = ['](', '![', 'https://evil', '<@all>', '<at id=all>', '<font color="info">', '@13900000009', '\n### ✅', '\n已关闭'];

export function trappedAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'elevator-trapped',
    name: { zh: '电梯困人', en: 'Passenger trapped' },
    severity: 'critical',
    deviceKey: 'c01/elevator/e1',
    compound: 'c01',
    type: 'elevator',
    device: 'e1',
    workflow: 'dispatched',
    condition: 'active',
    raisedAt: T0,
    lastSeenAt: T0,
    count: 1,
    assignee: 'wang',
    escalationLevel: 0,
    history: [],
    ...over,
  };
}

export const WANG_CONTACT: Contact = { mobile: '13800000001', wecom: 'WangFang', dingtalk: 'ding-wang', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706' };

/** 翠苑一区, 1号楼 · 1号电梯; 王芳 (wang) with `contact` (none: undefined), 李强 (li) without one. */
export function directory(contact: Contact | undefined): Directory {
  return {
    compoundName: (id) => (id === 'c01' ? '翠苑一区' : undefined),
    device: (key) => (key === 'c01/elevator/e1' ? { name: '1号电梯', building: '1号楼' } : undefined),
    person: (id) => (id === 'wang' ? { id, name: '王芳', ...(contact ? { contact } : {}) } : id === 'li' ? { id, name: '李强' } : undefined),
    utcOffsetMin: () => 480,
  };
}

/** The message of an event on the trapped alert; wang's contact is WANG_CONTACT unless given (null: none). */
export function message(event: Partial<AlertEvent> = {}, alert: Partial<Alert> = {}, contact?: Contact | null): AlertMessage {
  const full: AlertEvent = { alertId: 'a1', kind: 'dispatched', at: T0, actor: 'hub', assignee: 'wang', ...event };
  return buildMessage(full, trappedAlert(alert), directory(contact === null ? undefined : (contact ?? WANG_CONTACT)));
}
