/**
 * One alert as a card: what happened where, workflow and SLA countdown, and the steps the
 * user's role may take. Shared by the compound view and the worker's phone view.
 */
import type { Alert, DeviceView, Me } from '../../../src/contracts/live-events.ts';
import { mayDo } from '../../../src/contracts/access.ts';
import { h, fill } from './dom.ts';
import { ago, currentLang, duration, t, tOf } from './i18n.ts';
import { api, ApiError } from './api.client.ts';

export interface CardContext {
  me: Me;
  device?: DeviceView | undefined;
  compoundName?: string | undefined;
  /** Worker view: steps only on my alerts. */
  mineOnly?: boolean;
  /** Shows a step's error. */
  report(message: string): void;
}

/** Changes when anything shown on the card changes. */
export const cardVersion = (a: Alert) => `${a.workflow}|${a.condition}|${a.count}|${a.assignee}|${a.escalationLevel}|${a.history.length}|${a.dueAt}`;

export function slaText(alert: Alert, now = Date.now()): { text: string; overdue: boolean } | undefined {
  if (alert.dueAt === undefined || alert.workflow === 'resolved' || alert.workflow === 'closed') return undefined;
  const left = alert.dueAt - now;
  return left < 0 ? { text: t('alert.overdue', { d: duration(-left) }), overdue: true } : { text: t('alert.left', { d: duration(left) }), overdue: false };
}

/** Refreshes every SLA countdown on the page (called each second). */
export function tickCountdowns(alerts: Map<string, Alert>): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-sla]')) {
    const alert = alerts.get(el.dataset.sla!);
    const sla = alert && slaText(alert);
    el.textContent = sla?.text ?? '';
    el.classList.toggle('overdue', Boolean(sla?.overdue));
  }
}

export function alertCard(alert: Alert, ctx: CardContext): HTMLElement {
  const { me, device } = ctx;
  const sla = slaText(alert);
  const place = [ctx.compoundName ?? alert.compound, device?.building, device?.zone].filter(Boolean).join(' · ');
  const forms = h('div', { class: 'card-form' });
  const step = async (path: string, body: object) => {
    try {
      await api('POST', `/api/alerts/${alert.id}/${path}`, body);
      fill(forms);
    } catch (error) {
      ctx.report(error instanceof ApiError ? error.message : String(error));
    }
  };
  const noteForm = (path: string, placeholder: string, testid: string) => {
    const note = h('textarea', { rows: 3, placeholder, 'aria-label': placeholder, 'data-testid': `${testid}-note`, required: true });
    fill(
      forms,
      h(
        'form',
        {
          class: 'note-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            if (note.value.trim()) void step(path, { note: note.value.trim() });
          },
        },
        note,
        h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', 'data-testid': `${testid}-submit` }, t('act.send')), h('button', { type: 'button', onclick: () => fill(forms) }, t('act.cancel'))),
      ),
    );
    note.focus();
  };
  const mine = alert.assignee === me.id;
  const may = (action: Parameters<typeof mayDo>[1]) => mayDo(me.role, action) && (!ctx.mineOnly || mine || action === 'comment');
  const workerLimited = me.role === 'worker' && !mine;
  const buttons: HTMLElement[] = [];
  if ((alert.workflow === 'new' || alert.workflow === 'dispatched') && may('accept') && !workerLimited) {
    buttons.push(h('button', { class: 'primary big', 'data-testid': 'alert-accept', onclick: () => void step('accept', {}) }, t('act.accept')));
  }
  if (alert.workflow === 'accepted' && may('resolve') && !workerLimited) {
    buttons.push(h('button', { class: 'primary big', 'data-testid': 'alert-resolve', onclick: () => noteForm('resolve', t('note.resolve'), 'alert-resolve') }, t('act.resolve')));
  }
  if (alert.workflow === 'resolved' && may('close')) {
    buttons.push(h('button', { class: 'primary', 'data-testid': 'alert-close', onclick: () => void step('close', {}) }, t('act.close')));
    buttons.push(h('button', { 'data-testid': 'alert-reopen', onclick: () => noteForm('reopen', t('note.reopen'), 'alert-reopen') }, t('act.reopen')));
  }
  if (alert.workflow !== 'resolved' && alert.workflow !== 'closed' && may('reassign')) {
    buttons.push(
      h('button', {
        'data-testid': 'alert-reassign',
        onclick: () => {
          const assignee = prompt(t('assignee.prompt'))?.trim();
          if (assignee) void step('reassign', { assignee });
        },
      }, t('act.reassign')),
    );
  }
  if (may('comment') && !workerLimited) buttons.push(h('button', { 'data-testid': 'alert-comment', onclick: () => noteForm('comment', t('note.comment'), 'alert-comment') }, t('act.comment')));
  if (may('silence') && alert.workflow !== 'closed') {
    buttons.push(
      h('button', {
        'data-testid': 'alert-silence',
        onclick: () =>
          void api('POST', '/api/silences', { device: alert.deviceKey, reason: alert.name.zh, durationMin: 120 }).catch((e: Error) => ctx.report(e.message)),
      }, t('act.silence')),
    );
  }
  const lastNote = [...alert.history].reverse().find((e) => e.note);
  return h(
    'article',
    { class: `card alert sev-${alert.severity} wf-${alert.workflow}`, 'data-testid': 'alert-card', 'data-alert-id': alert.id, 'data-compound': alert.compound, 'data-device-key': alert.deviceKey, 'data-rule': alert.ruleId, 'data-workflow': alert.workflow, 'data-severity': alert.severity },
    h('header', {},
      h('span', { class: `badge sev-${alert.severity}` }, tOf('sev', alert.severity)),
      h('strong', { class: 'alert-name' }, currentLang() === 'zh' ? alert.name.zh : alert.name.en),
      h('span', { class: `badge wf wf-${alert.workflow}`, 'data-testid': 'alert-workflow' }, tOf('wf', alert.workflow)),
    ),
    h('div', { class: 'alert-where' }, `${tOf('type', alert.type)} ${device?.name ?? alert.device}`, place ? ` · ${place}` : ''),
    h('div', { class: 'alert-meta' },
      h('span', {}, `${t('alert.raised')} ${ago(alert.raisedAt)}`),
      alert.count > 1 ? h('span', {}, t('alert.count', { n: alert.count })) : null,
      typeof alert.value === 'number' ? h('span', {}, String(alert.value)) : null,
      h('span', { class: `cond cond-${alert.condition}` }, tOf('cond', alert.condition)),
      alert.assignee ? h('span', {}, `${t('alert.assignee')}: ${alert.assignee}`) : null,
      h('span', { class: `sla${sla?.overdue ? ' overdue' : ''}`, 'data-sla': alert.id }, sla?.text ?? ''),
    ),
    lastNote ? h('p', { class: 'alert-note' }, `“${lastNote.note}” — ${lastNote.actor}`) : null,
    alert.workflow === 'resolved' && me.role === 'worker' ? h('p', { class: 'waiting' }, t('waiting')) : null,
    buttons.length ? h('div', { class: 'actions' }, buttons) : null,
    forms,
  );
}
