/**
 * Arrival on site (到场) on an alert's card: the deadline and a clock counting down to it (or how
 * late), the check-in once done (when, who, how far from the compound), and for whoever holds the
 * alert a "到场签到 / Check in on site" button. Check-in sends the browser's position when the
 * person allows it (timeout: without a position after that), and works without one.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import type { ArriveBody } from '../../../src/contracts/api.ts';
import { mayDo } from '../../../src/contracts/access.ts';
import { mayAct } from '../../../src/contracts/alert-holders.ts';
import { h } from './dom.ts';
import { duration, t, until } from './i18n.ts';
import { api } from './api.client.ts';
import { errorText } from './error-text.ts';
import type { CardContext } from './alert-card.ts';

/** How long to wait for the browser's position before checking in without it. */
const POSITION_TIMEOUT_MS = 10_000;

/** 85 米 / 1.3 公里. */
export function distanceText(m: number): string {
  return m < 1000 ? t('unit.meters', { n: Math.round(m) }) : t('unit.km', { n: Math.round(m / 100) / 10 });
}

/** The browser's position, or nothing (no geolocation, refused, unavailable, too slow). */
export function currentPosition(timeoutMs = POSITION_TIMEOUT_MS): Promise<ArriveBody['position']> {
  if (!('geolocation' in navigator)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    // Some browsers never answer while their permission prompt is ignored: give up a little after the timeout.
    const timer = setTimeout(() => resolve(undefined), timeoutMs + 1000);
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        clearTimeout(timer);
        resolve({ lat: coords.latitude, lon: coords.longitude, accuracyM: Math.round(coords.accuracy) });
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

/** The clock of an arrival not done yet: time left, or how late. */
function arrivalTiming(alert: Alert, now: number): { text: string; late: boolean } | undefined {
  const arrival = alert.arrival;
  if (!arrival || arrival.at !== undefined || alert.workflow === 'resolved' || alert.workflow === 'closed') return undefined;
  const left = arrival.dueAt - now;
  return left < 0 ? { text: t('arrive.late', { d: duration(-left) }), late: true } : { text: t('arrive.left', { d: duration(left) }), late: false };
}

function showArrivalClock(el: HTMLElement, alert: Alert | undefined, now: number): void {
  const timing = alert && arrivalTiming(alert, now);
  el.textContent = timing?.text ?? '';
  el.dataset.state = timing ? (timing.late ? 'late' : 'left') : 'none';
  el.classList.toggle('overdue', Boolean(timing?.late));
}

/** Refreshes every arrival clock on the page (called each second with the other clocks). */
export function tickArrivalClocks(alerts: Map<string, Alert>, now = Date.now()): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-arrive]')) showArrivalClock(el, alerts.get(el.dataset.arrive!), now);
}

/** What the card says of a check-in done: 已到场 14:32（超时）· 王芳 签到 · 距小区 222 米. */
function doneText(alert: Alert, ctx: CardContext): string {
  const arrival = alert.arrival!;
  const at = arrival.at!;
  return [
    t(at > arrival.dueAt ? 'arrive.doneLate' : 'arrive.done', { time: until(at) }),
    arrival.by ? t('arrive.by', { who: ctx.people.name(arrival.by) }) : null,
    arrival.distanceM !== undefined ? t('arrive.distance', { m: distanceText(arrival.distanceM) }) : t('arrive.noPosition'),
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Whether the user may check in on this alert: it needs arrival, nobody has, and they may act on it (assignee, or rung by its call tree; not someone an escalation only told). */
export const mayArrive = (alert: Alert, ctx: Pick<CardContext, 'me'>): boolean =>
  Boolean(alert.arrival && alert.arrival.at === undefined) &&
  (alert.workflow === 'new' || alert.workflow === 'dispatched' || alert.workflow === 'accepted') &&
  mayDo(ctx.me.role, 'arrive') &&
  mayAct(alert, ctx.me.id);

/** The card's arrival row, or nothing for an alert that needs no arrival. */
export function arrivalRow(alert: Alert, ctx: CardContext): HTMLElement | null {
  const arrival = alert.arrival;
  if (!arrival) return null;
  if (arrival.at !== undefined) {
    return h('p', { class: 'arrival done', 'data-testid': 'arrival-done', 'data-distance': arrival.distanceM ?? '' }, doneText(alert, ctx));
  }
  const clock = h('span', { class: 'sla', 'data-arrive': alert.id, 'data-testid': 'arrival-clock' });
  showArrivalClock(clock, alert, Date.now());
  const button = mayArrive(alert, ctx)
    ? h('button', { type: 'button', class: 'primary big', 'data-testid': 'alert-arrive', onclick: () => void checkIn(alert, ctx, button!) }, t('arrive.act'))
    : null;
  return h('div', { class: 'arrival', 'data-testid': 'arrival' },
    h('span', { 'data-testid': 'arrival-due' }, t('arrive.due', { until: until(arrival.dueAt) })),
    clock,
    button,
  );
}

async function checkIn(alert: Alert, ctx: CardContext, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  button.textContent = t('arrive.locating');
  const position = await currentPosition();
  try {
    const body: ArriveBody = position ? { position } : {};
    const done = await api<Alert>('POST', `/api/alerts/${alert.id}/arrive`, body);
    const distanceM = done.arrival?.distanceM;
    ctx.report(t('arrive.sent', { where: distanceM !== undefined ? t('arrive.distance', { m: distanceText(distanceM) }) : t('arrive.noPosition') }));
  } catch (error) {
    ctx.report(error instanceof TypeError ? t('act.notSent') : errorText(error));
    button.disabled = false;
    button.textContent = t('arrive.act');
  }
}
