/**
 * An alert's history on its card: every step in order with its time and who — dispatch,
 * reminders, call-tree rings, accept, arrival on site, escalations (and why), incident members,
 * flapping — in the user's language. Folded; stays open across rebuilds of the card.
 */
import type { Alert, DeviceType } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { clock, t, tIf } from './i18n.ts';
import type { People } from './people.ts';
import { distanceText } from './arrive-control.ts';
import { deviceLabel } from './device-format.ts';

type AlertEvent = Alert['history'][number];

/** Alerts whose history the user has opened (cards are rebuilt on every change). */
const opened = new Set<string>();

const who = (id: string | undefined, people: People): string => (id ? people.name(id) : '–');

/** Incident steps whose note is the device key (member_joined, member_left) or keys, space-separated (released). */
const MEMBER_STEPS: ReadonlySet<AlertEvent['kind']> = new Set(['member_joined', 'member_left', 'released']);

/**
 * Names of an alert's devices by key: an incident's members by their registry names, others by
 * `known` (the view's devices), else type and id from the key.
 */
export function memberNames(alert: Pick<Alert, 'incident'>, known?: (key: string) => string | undefined): (key: string) => string {
  return (key) => {
    const m = alert.incident?.members.find((member) => member.deviceKey === key);
    if (m?.name) return deviceLabel(m.type, m.device, { name: m.name });
    const named = known?.(key);
    if (named) return named;
    if (m) return deviceLabel(m.type, m.device);
    const [, type = '', id = key] = key.split('/');
    return deviceLabel(type as DeviceType, id);
  };
}

/** 派发给 王芳 / 呼叫 李强 协助 / 王芳 到场签到 · 距小区 222 米 / 升级给 周敏 · 到场超时 / 设备加入事件 · 井盖 3号 / 流转至 街道消防安全站（赵刚）/ 陈静 评价 5 分. */
export function stepText(e: AlertEvent, people: People, deviceName: (key: string) => string = memberNames({})): string {
  // Steps that name who got the alert (or was notified) name them; the others name who acted.
  const target = e.kind === 'dispatched' || e.kind === 'escalated' || e.kind === 'reassigned' || e.kind === 'reminded' || e.kind === 'called' || e.kind === 'handed_over';
  const label = tIf('ev', e.kind, { who: who(target ? e.assignee : e.actor, people), actor: who(e.actor, people), party: people.party(e.party), score: e.score ?? '–' }) ?? e.kind;
  const details: string[] = [];
  if (e.kind === 'arrived') details.push(e.distanceM !== undefined ? t('arrive.distance', { m: distanceText(e.distanceM) }) : t('arrive.noPosition'));
  // Incident steps name their devices (the note is their keys).
  if (MEMBER_STEPS.has(e.kind) && e.actor === 'hub') {
    if (e.note) details.push(e.note.split(/\s+/).filter(Boolean).map(deviceName).join(t('incident.listSep')));
  } else if (e.note) details.push(e.actor === 'hub' ? (tIf('evnote', e.note) ?? '') : `“${e.note}”`);
  return [label, ...details.filter(Boolean)].join(' · ');
}

/** `deviceName`: the view's names of devices (an incident's members are named by the names they carry first). */
export function alertHistory(alert: Alert, people: People, deviceName?: (key: string) => string | undefined): HTMLElement {
  const names = memberNames(alert, deviceName);
  const steps = alert.history.filter((e) => e.kind !== 'repeated');
  const details = h('details', { class: 'alert-history', 'data-testid': 'alert-history', open: opened.has(alert.id) },
    h('summary', {}, t('history.steps', { n: steps.length })),
    h('ol', {}, ...steps.map((e) => h('li', { 'data-testid': 'history-step', 'data-kind': e.kind }, h('time', { datetime: new Date(e.at).toISOString() }, clock(e.at)), ' ', stepText(e, people, names)))),
  );
  details.addEventListener('toggle', () => (details.open ? opened.add(alert.id) : opened.delete(alert.id)));
  return details;
}
