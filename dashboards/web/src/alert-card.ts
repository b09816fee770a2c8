/**
 * One alert as a card: what happened where (names, not ids), the value with its unit, its
 * clock (time left, or how late), escalation and who holds it now, a silence covering it, the
 * last note, arrival on site (到场) for rescues, the party it was handed over to (流转) and its
 * ratings (评价), the steps the user's role may take, and its history. Shared by the compound and worker views.
 */
import type { Alert, DeviceView, Me } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { ago, t, tOf, until } from './i18n.ts';
import { alertWhere } from './alert-where.ts';
import { fieldValueText, withUnit } from './field-format.ts';
import { showTiming } from './countdowns.ts';
import { actionButtons } from './alert-actions.ts';
import { arrivalRow } from './arrive-control.ts';
import { alertHistory } from './alert-history.ts';
import { incidentMembers } from './incident-members.ts';
import { alertName } from './rule-names.ts';
import { alertPhotos } from './alert-photos.ts';
import { photoUrl } from '../../../src/contracts/alert-photos.ts';
import type { People } from './people.ts';
import type { SilenceList } from './silences.ts';

export interface CardContext {
  me: Me;
  /** The alert's device as the view knows it (its name and place are what the card says). */
  device?: Pick<DeviceView, 'name' | 'building' | 'zone' | 'buildingName' | 'zoneName'> | undefined;
  compoundName?: string | undefined;
  /** Worker view: steps only on my alerts. */
  mineOnly?: boolean;
  people: People;
  /** The view's name of a device by key, when it knows the device (an incident's history names its members). */
  deviceName?: ((key: string) => string | undefined) | undefined;
  /** Where the card's silence goes and what tells it is silenced; no silence step without it. */
  silences?: SilenceList | undefined;
  /** Shows a message (a step's error, a confirmation) in the notice bar. */
  report(message: string): void;
  /** Opens the view's own resolve form (the worker's, with a photo) instead of the note form. */
  resolveForm?: ((alert: Alert, forms: HTMLElement) => void) | undefined;
}

/** Changes when anything shown on the card from the alert itself changes. */
export const cardVersion = (a: Alert) =>
  [a.workflow, a.condition, a.count, a.assignee, a.escalationLevel, a.history.length, a.dueAt, a.overdue?.step, a.overdue?.since, a.value, a.field, a.parties?.length, a.evaluations?.length, a.report?.spam].join('|');

function valueText(alert: Alert): string | null {
  if (alert.value === undefined) return null;
  if (alert.field) return fieldValueText(alert.field, alert.value);
  return typeof alert.value === 'number' ? withUnit('', alert.value) : null;
}

/** `forms`: where the card's forms open (kept by the list across rebuilds of the card). */
export function alertCard(alert: Alert, ctx: CardContext, forms: HTMLElement = h('div', { class: 'card-form' })): HTMLElement {
  const { me, device, people } = ctx;
  const buttons = actionButtons(alert, ctx, forms);
  const clock = h('span', { class: 'sla', 'data-sla': alert.id, 'data-testid': 'alert-sla' });
  showTiming(clock, alert);
  const silencedUntil = ctx.silences?.until(alert);
  // People's notes only: the hub's own notes are English log lines; what it did shows as the clock and escalation.
  const lastNote = [...alert.history].reverse().find((e) => e.note && e.actor !== 'hub');
  const value = valueText(alert);
  return h(
    'article',
    { class: `card alert sev-${alert.severity} wf-${alert.workflow}`, 'data-testid': 'alert-card', 'data-alert-id': alert.id, 'data-compound': alert.compound, 'data-device-key': alert.deviceKey, 'data-rule': alert.ruleId, 'data-workflow': alert.workflow, 'data-severity': alert.severity, 'data-condition': alert.condition },
    h('header', {},
      h('span', { class: `badge sev-${alert.severity}` }, tOf('sev', alert.severity)),
      h('strong', { class: 'alert-name' }, alertName(alert)),
      h('span', { class: `badge wf wf-${alert.workflow}`, 'data-testid': 'alert-workflow' }, tOf('wf', alert.workflow)),
    ),
    h('div', { class: 'alert-where', 'data-testid': 'alert-where' }, alertWhere(alert, device, ctx.compoundName)),
    incidentMembers(alert),
    alert.report
      ? h('p', { class: 'alert-report', 'data-testid': 'alert-report' },
          t('report.card', { category: tOf('type', alert.report.category), building: alert.report.buildingName ?? alert.report.building }), ': ', h('q', {}, alert.report.text),
          alert.report.spam ? ` · ${t('report.spam')}` : null,
          alert.report.photo ? [' · ', h('a', { href: photoUrl(alert.id, alert.report.photo), target: '_blank', rel: 'noopener' }, t('report.photo'))] : null)
      : null,
    h('div', { class: 'alert-meta' },
      h('span', {}, `${t('alert.raised')} ${ago(alert.raisedAt)}`),
      alert.count > 1 ? h('span', {}, t('alert.count', { n: alert.count })) : null,
      value ? h('span', { 'data-testid': 'alert-value' }, value) : null,
      h('span', { class: `cond cond-${alert.condition}` }, tOf('cond', alert.condition)),
      alert.assignee ? h('span', { 'data-testid': 'alert-assignee' }, `${t('alert.assignee')}: ${people.name(alert.assignee)}`) : null,
      clock,
    ),
    alert.escalationLevel > 0
      ? h('p', { class: 'escalation', 'data-testid': 'alert-escalation' }, alert.assignee ? t('escalated', { n: alert.escalationLevel, who: people.name(alert.assignee) }) : t('escalated.nobody', { n: alert.escalationLevel }))
      : null,
    silencedUntil ? h('p', { class: 'silenced', 'data-testid': 'alert-silenced' }, t('silence.until', { until: until(silencedUntil) })) : null,
    alert.parties?.length ? h('p', { class: 'handed-over', 'data-testid': 'alert-party' }, t('handover.with', { party: people.party(alert.parties.at(-1)) })) : null,
    alert.evaluations?.length
      ? h('p', { class: 'evaluations', 'data-testid': 'alert-evaluations' }, alert.evaluations.map((e) => t('evaluate.done', { party: tOf('party', e.party), score: e.score })).join(' · '))
      : null,
    lastNote ? h('p', { class: 'alert-note', 'data-testid': 'alert-note' }, `“${lastNote.note}” — ${people.name(lastNote.actor)}`) : null,
    alertPhotos(alert, people),
    alert.workflow === 'resolved' && (me.role === 'worker' || me.role === 'department') ? h('p', { class: 'waiting' }, t('waiting')) : null,
    arrivalRow(alert, ctx),
    buttons.length ? h('div', { class: 'actions' }, buttons) : null,
    forms,
    alertHistory(alert, people, ctx.deviceName),
  );
}
