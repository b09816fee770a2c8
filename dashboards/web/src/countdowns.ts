/**
 * An alert's clock: time left for its current step, or how late that step is ("接单已超时
 * 12 分钟"), also after an escalation handed it on with a fresh deadline. Ticked each second.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { duration, t } from './i18n.ts';
import { tickArrivalClocks } from './arrive-control.ts';

export interface Timing {
  text: string;
  overdue: boolean;
}

const done = (a: Alert) => a.workflow === 'resolved' || a.workflow === 'closed';
const stepOf = (a: Alert): 'accept' | 'resolve' => (a.workflow === 'accepted' ? 'resolve' : 'accept');

export function timing(alert: Alert, now = Date.now()): Timing | undefined {
  if (done(alert)) return undefined;
  if (alert.overdue) return { text: t(`overdue.${alert.overdue.step}`, { d: duration(now - alert.overdue.since) }), overdue: true };
  if (alert.dueAt === undefined) return undefined;
  const left = alert.dueAt - now;
  return left < 0 ? { text: t(`overdue.${stepOf(alert)}`, { d: duration(-left) }), overdue: true } : { text: t('alert.left', { d: duration(left) }), overdue: false };
}

/** Late or handed on: what the street's list of overdue and escalated alerts holds. */
export const lateOrEscalated = (a: Alert, now = Date.now()): boolean => a.workflow !== 'closed' && (a.escalationLevel > 0 || Boolean(timing(a, now)?.overdue));

/** Writes the clock into `el` (an element marked `data-sla="<alert id>"`). */
export function showTiming(el: HTMLElement, alert: Alert | undefined, now = Date.now()): void {
  const time = alert && timing(alert, now);
  el.textContent = time?.text ?? '';
  el.dataset.state = time ? (time.overdue ? 'overdue' : 'left') : 'none';
  el.classList.toggle('overdue', Boolean(time?.overdue));
}

/** Refreshes every clock on the page (called each second). */
export function tickCountdowns(alerts: Map<string, Alert>): void {
  const now = Date.now();
  for (const el of document.querySelectorAll<HTMLElement>('[data-sla]')) showTiming(el, alerts.get(el.dataset.sla!), now);
  tickArrivalClocks(alerts, now);
}
