/**
 * The closed-loop figures (`GET /api/alerts/stats`, times in seconds) as tiles that say what
 * they count: SLA kept with how many alerts were due and how many missed; open and overdue;
 * for rescues, time to arrive on site and the 30分钟到达率 with how many were counted; the
 * satisfaction of the ratings after closing (评价) and how many were handed over (流转).
 */
import type { Figures, Satisfaction } from '../../../src/contracts/api.ts';
import { h } from './dom.ts';
import { duration, t } from './i18n.ts';

/** A time in seconds, as people read it; – when there is none yet. */
export const seconds = (s: number | null | undefined): string => (s === null || s === undefined ? '–' : duration(s * 1000));
export const percent = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);

/** 4.5 分 / 4.5 / 5: the mean rating (评价, 1–5); – without ratings. */
export const ratingText = (s: Satisfaction | undefined): string => (s?.mean === null || s?.mean === undefined ? '–' : t('stats.satisfactionValue', { mean: s.mean.toFixed(1) }));

/** 到场 12 分钟 · P90 20 分钟 · 到达率 80%: a compound's or street's rescues in one line. */
export const arrivalLine = (f: Figures): string => t('stats.arrivalShort', { mean: seconds(f.timeToArrive.mean), p90: seconds(f.timeToArrive.p90), rate: percent(f.arrivalRate) });

const tile = (figure: string, label: string, value: string, detail?: string, alarm = false) =>
  h('div', { class: `tile${alarm ? ' alarm' : ''}`, 'data-testid': 'stats-figure', 'data-figure': figure },
    h('div', { class: 'tile-value', 'data-testid': 'figure-value' }, value),
    h('div', { class: 'tile-label' }, label),
    detail ? h('div', { class: 'tile-detail', 'data-testid': 'figure-detail' }, detail) : null,
  );

/** `lateNow`: open alerts overdue or escalated in the live state; `alertsLabel`: what the alerts count says it covers (default 7 days). */
export function figureTiles(f: Figures, lateNow: number, alertsLabel = t('stats.alerts')): HTMLElement {
  const counted = typeof f.slaCounted === 'number' && typeof f.slaMissed === 'number';
  return h('div', { class: 'tiles' },
    tile('alerts', alertsLabel, String(f.alerts)),
    tile('mtta', t('stats.mtta'), seconds(f.timeToAccept.mean), `${t('stats.p90')} ${seconds(f.timeToAccept.p90)}`),
    tile('mttr', t('stats.mttr'), seconds(f.timeToResolve.mean), `${t('stats.p90')} ${seconds(f.timeToResolve.p90)}`),
    tile('sla', t('stats.sla'), percent(f.slaKept), counted ? t('stats.slaDetail', { counted: f.slaCounted, missed: f.slaMissed }) : undefined, f.slaMissed > 0),
    f.timeToArrive ? tile('arrival', t('stats.arrival'), seconds(f.timeToArrive.mean), `${t('stats.p90')} ${seconds(f.timeToArrive.p90)}`) : null,
    f.timeToArrive
      ? tile('arrival-rate', t('stats.arrivalRate'), percent(f.arrivalRate), t('stats.arrivalDetail', { counted: f.arrivalCounted, inTime: f.arrivedInTime }), f.arrivalCounted > f.arrivedInTime)
      : null,
    typeof f.openOverdue === 'number' ? tile('open-overdue', t('stats.openOverdue'), String(f.openOverdue), undefined, f.openOverdue > 0) : null,
    tile('late-now', t('stats.overdueEscalated'), String(lateNow), undefined, lateNow > 0),
    f.satisfaction
      ? tile('satisfaction', t('stats.satisfaction'), ratingText(f.satisfaction), t('stats.satisfactionDetail', { ratings: f.satisfaction.ratings, rate: percent(f.satisfaction.rate) }), (f.satisfaction.rate ?? 1) < 0.8)
      : null,
    typeof f.handedOver === 'number' ? tile('handed-over', t('stats.handedOver'), String(f.handedOver)) : null,
  );
}
