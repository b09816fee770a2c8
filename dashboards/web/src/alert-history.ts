/**
 * An alert's history on its card: every step in order with its time and who — dispatch,
 * reminders, call-tree rings, accept, arrival on site, escalations (and why), incident members,
 * flapping — in the user's language. Folded; stays open across rebuilds of the card.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { clock, t, tIf } from './i18n.ts';
import type { People } from './people.ts';
import { distanceText } from './arrive-control.ts';

type AlertEvent = Alert['history'][number];

/** Alerts whose history the user has opened (cards are rebuilt on every change). */
const opened = new Set<string>();

const who = (id: string | undefined, people: People): string => (id ? people.name(id) : '–');

/** 派发给 王芳 / 呼叫 李强 协助 / 王芳 到场签到 · 距小区 222 米 / 升级给 周敏 · 到场超时. */
export function stepText(e: AlertEvent, people: People): string {
  // Steps that name who got the alert (or was notified) name them; the others name who acted.
  const target = e.kind === 'dispatched' || e.kind === 'escalated' || e.kind === 'reassigned' || e.kind === 'reminded' || e.kind === 'called';
  const label = tIf('ev', e.kind, { who: who(target ? e.assignee : e.actor, people), actor: who(e.actor, people) }) ?? e.kind;
  const details: string[] = [];
  if (e.kind === 'arrived') details.push(e.distanceM !== undefined ? t('arrive.distance', { m: distanceText(e.distanceM) }) : t('arrive.noPosition'));
  // The hub's notes are English log lines: said in the user's language when known; people's notes as written.
  if (e.note) details.push(e.actor === 'hub' ? (tIf('evnote', e.note) ?? '') : `“${e.note}”`);
  return [label, ...details.filter(Boolean)].join(' · ');
}

export function alertHistory(alert: Alert, people: People): HTMLElement {
  const steps = alert.history.filter((e) => e.kind !== 'repeated');
  const details = h('details', { class: 'alert-history', 'data-testid': 'alert-history', open: opened.has(alert.id) },
    h('summary', {}, t('history.steps', { n: steps.length })),
    h('ol', {}, ...steps.map((e) => h('li', { 'data-testid': 'history-step', 'data-kind': e.kind }, h('time', { datetime: new Date(e.at).toISOString() }, clock(e.at)), ' ', stepText(e, people)))),
  );
  details.addEventListener('toggle', () => (details.open ? opened.add(alert.id) : opened.delete(alert.id)));
  return details;
}
