/**
 * What a robot message says about one alert event, the same for every channel: a title, facts
 * by name (compound, device, people from the registry and the logins, never bare ids where a name
 * is known), severity and step in Chinese with English, the incident's member count, and whom to
 * @mention. Values stay raw here; each channel escapes them for its markup when it renders
 * (`renderText`), so no channel copies the wording.
 */
import type { Alert, AlertEvent, AlertEventKind, WorkflowState } from '../../alerts/alert.types.ts';
import type { Severity } from '../../rules/rule.schema.ts';
import type { DeviceType } from '../../contracts/device-types.ts';
import { FIELD_UNITS } from '../../contracts/field-units.ts';
import { alertMessage } from '../mqtt-alert.publisher.ts';
import type { Directory, Person } from './channel.types.ts';

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: '紧急 Critical',
  major: '重要 Major',
  minor: '一般 Minor',
  info: '提示 Info',
};

export const EVENT_LABEL: Readonly<Record<AlertEventKind, string>> = {
  raised: '新告警 Raised',
  repeated: '重复 Repeated',
  condition_cleared: '状态已恢复 Condition cleared',
  condition_active: '再次发生 Active again',
  dispatched: '已派单 Dispatched',
  accepted: '已接单 Accepted',
  resolved: '已处置 Resolved',
  closed: '已关闭 Closed',
  reopened: '已退回 Reopened',
  escalated: '已升级 Escalated',
  reassigned: '已改派 Reassigned',
  commented: '新备注 Comment',
  arrived: '已到场 On site',
  reminded: '催办提醒 Reminder',
  called: '呼叫下一位 Calling the next person',
  member_joined: '新增设备 Device joined',
  member_left: '设备恢复 Device left',
  released: '拆分为单独告警 Members released',
  flapping: '状态频繁切换 Flapping',
  stable: '状态已稳定 Stable again',
  handed_over: '已流转 Handed over',
  evaluated: '已评价 Evaluated',
  marked_spam: '标为无效举报 Marked as spam',
};

const STEP_LABEL: Readonly<Record<WorkflowState, string>> = {
  new: '待派单 New',
  dispatched: '已派单 Dispatched',
  accepted: '已接单 Accepted',
  resolved: '已处置 Resolved',
  closed: '已关闭 Closed',
};

const OVERDUE_LABEL: Readonly<Record<NonNullable<Alert['overdue']>['step'], string>> = {
  accept: '接单 accept',
  arrive: '到场 arrival',
  resolve: '处置 resolve',
};

const TYPE_LABEL: Readonly<Record<DeviceType, string>> = {
  elevator: '电梯 elevator',
  manhole: '井盖 manhole',
  fire_lane: '消防通道 fire lane',
  parking: '车位 parking',
};

const SCOPE_LABEL = { building: '楼栋 building', zone: '区域 zone', compound: '全小区 whole compound' } as const;

/** Colour of the message: the vendors' card templates (Feishu) and font colours (WeCom). */
export type Tone = 'red' | 'orange' | 'yellow' | 'blue' | 'green';
const SEVERITY_TONE: Readonly<Record<Severity, Tone>> = { critical: 'red', major: 'orange', minor: 'yellow', info: 'blue' };
const GOOD_NEWS = new Set<AlertEventKind>(['resolved', 'closed', 'condition_cleared', 'stable', 'member_left']);

export interface Fact {
  label: string;
  /** Raw: escaped by the channel. */
  value: string;
}

/** One event as every channel words it; a snapshot taken when the event happened (the alert changes later). */
export interface AlertMessage {
  /** Raw: `【紧急 Critical】电梯困人 · 已派单 Dispatched`. */
  title: string;
  tone: Tone;
  facts: Fact[];
  /** Whom the event is for: the assignee, or for reminded / called / escalated the person notified. */
  person?: Person;
  /** Whether to @mention them: not for a step they took themselves. */
  mention: boolean;
  event: AlertEvent;
  /** The alert without its history (as on the MQTT alert topic), for the generic body. */
  alert: unknown;
  /** `alertId.kind.at`: the generic channel's delivery id. */
  deliveryId: string;
}

export const FOOTER = 'Compound Hub';

/** `2027-01-15 08:00:00 UTC+8` in the compounds' local time. */
export function localTime(at: number, utcOffsetMin: number): string {
  const local = new Date(at + utcOffsetMin * 60_000).toISOString().replace('T', ' ').slice(0, 19);
  const hours = utcOffsetMin / 60;
  const offset = `${hours >= 0 ? '+' : '-'}${Number.isInteger(hours) ? Math.abs(hours) : Math.abs(hours).toFixed(1)}`;
  return `${local} UTC${offset}`;
}

const nameOf = (directory: Directory, id: string | undefined) => (id ? (directory.person(id)?.name ?? id) : undefined);

function deviceName(directory: Directory, key: string, fallback: string): string {
  const d = directory.device(key);
  const name = d?.name ?? fallback;
  // `1号楼 · 1号电梯`, but not `2号楼 · 2号楼 1号电梯` when the name says it already.
  return [...[d?.building, d?.zone].filter((p): p is string => Boolean(p) && !name.includes(p!)), name].join(' · ');
}

/** Device names of `keys` (incident members), at most 10 then "等 N 台". */
function deviceNames(directory: Directory, keys: readonly string[]): string {
  const names = keys.slice(0, 10).map((k) => deviceName(directory, k, k.split('/').pop() ?? k));
  return keys.length > 10 ? `${names.join('、')} 等 ${keys.length} 台 (${keys.length} devices)` : names.join('、');
}

function placeFacts(alert: Alert, directory: Directory): Fact[] {
  const incident = alert.incident;
  if (!incident) {
    const type = TYPE_LABEL[alert.type] ?? alert.type;
    return [{ label: '设备 Device', value: `${deviceName(directory, alert.deviceKey, alert.device)} · ${type}` }];
  }
  const first = incident.members[0] && directory.device(incident.members[0].deviceKey);
  const placeName = incident.scope === 'building' ? first?.building : incident.scope === 'zone' ? first?.zone : undefined;
  const scope = incident.scope === 'compound' ? SCOPE_LABEL.compound : `${placeName ?? incident.place ?? ''} ${SCOPE_LABEL[incident.scope]}`.trim();
  // Now: the devices still in it (members that left are not; a device with two rules is one). At most: its peak.
  const now = new Set(incident.members.filter((m) => m.leftAt === undefined).map((m) => m.deviceKey)).size;
  return [
    { label: '范围 Scope', value: scope },
    { label: '涉及设备 Devices', value: `${now} 台 devices（最多 peak ${incident.peak}）` },
  ];
}

function noteFact(event: AlertEvent, directory: Directory): Fact | undefined {
  if (!event.note) return undefined;
  if (event.kind === 'member_joined') return { label: '加入 Joined', value: deviceNames(directory, [event.note]) };
  if (event.kind === 'member_left') return { label: '离开 Left', value: deviceNames(directory, [event.note]) };
  if (event.kind === 'released') return { label: '单独告警 Released', value: deviceNames(directory, event.note.split(/[\s,，]+/).filter(Boolean)) };
  return { label: '备注 Note', value: event.note };
}

function readingFact(alert: Alert): Fact | undefined {
  if (alert.field === undefined || alert.value === undefined || typeof alert.value === 'boolean') return undefined;
  return { label: '读数 Reading', value: `${alert.field} ${alert.value}${FIELD_UNITS[alert.field] ?? ''}` };
}

function arrivalFact(event: AlertEvent, alert: Alert, utcOffsetMin: number): Fact | undefined {
  if (event.kind === 'arrived') {
    const distance = event.distanceM !== undefined ? ` · 距小区 ${Math.round(event.distanceM)} m from the compound` : '';
    return { label: '到场 On site', value: `${localTime(event.at, utcOffsetMin)}${distance}` };
  }
  if (alert.arrival && alert.arrival.at === undefined && alert.workflow !== 'closed') return { label: '到场时限 Arrive by', value: localTime(alert.arrival.dueAt, utcOffsetMin) };
  return undefined;
}

export function buildMessage(event: AlertEvent, alert: Alert, directory: Directory): AlertMessage {
  const offset = directory.utcOffsetMin();
  const personId = event.assignee ?? alert.assignee;
  const person = personId ? (directory.person(personId) ?? { id: personId, name: personId }) : undefined;
  const step = `${STEP_LABEL[alert.workflow]}${alert.overdue ? ` · 超时 overdue: ${OVERDUE_LABEL[alert.overdue.step]}` : ''}`;
  const facts: Array<Fact | undefined> = [
    { label: '告警 Alert', value: alert.name.en && alert.name.en !== alert.name.zh ? `${alert.name.zh} / ${alert.name.en}` : alert.name.zh },
    { label: '小区 Compound', value: directory.compoundName(alert.compound) ?? alert.compound },
    ...placeFacts(alert, directory),
    readingFact(alert),
    { label: '状态 Step', value: step },
    { label: '处理人 Assignee', value: nameOf(directory, alert.assignee) ?? '—' },
    event.assignee && event.assignee !== alert.assignee ? { label: '通知 Notified', value: nameOf(directory, event.assignee)! } : undefined,
    arrivalFact(event, alert, offset),
    noteFact(event, directory),
    { label: '时间 Time', value: localTime(event.at, offset) },
  ];
  return {
    title: `【${SEVERITY_LABEL[alert.severity]}】${alert.name.zh} · ${EVENT_LABEL[event.kind] ?? event.kind}`,
    tone: GOOD_NEWS.has(event.kind) ? 'green' : SEVERITY_TONE[alert.severity],
    facts: facts.filter((f): f is Fact => f !== undefined),
    ...(person ? { person } : {}),
    mention: Boolean(person && event.actor !== person.id),
    event: { ...event },
    alert: JSON.parse(alertMessage(alert)) as unknown,
    deliveryId: `${event.alertId}.${event.kind}.${event.at}`,
  };
}

/** How a channel writes its markup: each part gets text already escaped by `escape`. */
export interface Markup {
  escape(text: string): string;
  heading(title: string): string;
  fact(label: string, value: string): string;
  /** The person's @mention in this channel, or undefined when their contact has nothing it can use. */
  mention(person: Person): string | undefined;
}

/** The message body in a channel's markup: heading, facts, the @mention line, the footer. */
export function renderText(message: AlertMessage, markup: Markup): string {
  const lines = [markup.heading(markup.escape(message.title)), ...message.facts.map((f) => markup.fact(f.label, markup.escape(f.value)))];
  if (message.mention && message.person) {
    const at = markup.mention(message.person);
    lines.push(markup.fact('提醒 Attention', at ?? `${markup.escape(message.person.name)}（未登记可 @ 的联系方式 no contact to @mention）`));
  }
  lines.push(FOOTER);
  return lines.join('\n');
}
