/**
 * The steps a user's role may take on an alert, as buttons, and their in-card forms: accept,
 * resolve (note), confirm close (with a reason when the condition is still active), reopen,
 * reassign (picker), hand over to a department (流转), comment, silence, and once it is closed
 * evaluate (评价, once per party).
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { HOLDER_ROLES, mayDo, type Action } from '../../../src/contracts/access.ts';
import { holds, mayAct } from '../../../src/contracts/alert-holders.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { api, ApiError } from './api.client.ts';
import { errorText } from './error-text.ts';
import { openNoteForm } from './note-form.ts';
import { openReassignForm } from './reassign-form.ts';
import { openSilenceForm } from './silence-form.ts';
import { openHandoverForm } from './handover-form.ts';
import { openEvaluateForm } from './evaluate-form.ts';
import { deviceLabel } from './device-format.ts';
import type { CardContext } from './alert-card.ts';

export function actionButtons(alert: Alert, ctx: CardContext, forms: HTMLElement): HTMLElement[] {
  const { me } = ctx;
  const post = (path: string, body: object) => api('POST', `/api/alerts/${alert.id}/${path}`, body);
  const step = async (path: string, body: object) => {
    try {
      await post(path, body);
      fill(forms);
    } catch (error) {
      // The condition came back since the card was drawn: closing needs a reason now.
      if (path === 'close' && !('force' in body) && error instanceof ApiError && error.code === 'CONDITION_ACTIVE') return forceClose();
      // The hub could not be reached (offline): say the step was not sent; its form stays open with what was typed.
      ctx.report(error instanceof TypeError ? t('act.notSent') : errorText(error));
    }
  };
  const noted = (path: string, placeholder: string, testid: string) => () => openNoteForm(forms, { placeholder, testid, submit: (note) => void step(path, { note }) });
  /** Closing while the condition is still active: only with a reason, sent with force. */
  const forceClose = () =>
    openNoteForm(forms, { placeholder: t('close.note'), testid: 'alert-close', explain: t('close.explain'), submit: (note) => void step('close', { note, force: true }) });

  const mine = alert.assignee === me.id;
  // Accepting is also for whoever the call tree rang; someone an escalation told may comment.
  const rung = mayAct(alert, me.id);
  const told = holds(alert, me.id);
  const may = (action: Action) => mayDo(me.role, action) && (!ctx.mineOnly || mine || action === 'comment' || (action === 'accept' && rung));
  // A grid worker, or a department member on what was handed over to it, acts only on what it holds.
  const workerLimited = HOLDER_ROLES.includes(me.role) && !mine;
  const open = alert.workflow !== 'resolved' && alert.workflow !== 'closed';
  const buttons: HTMLElement[] = [];
  const button = (testid: string, label: string, onclick: () => void, cls?: string) => buttons.push(h('button', { type: 'button', class: cls, 'data-testid': testid, onclick }, label));

  if ((alert.workflow === 'new' || alert.workflow === 'dispatched') && may('accept') && (!workerLimited || rung)) button('alert-accept', t('act.accept'), () => void step('accept', {}), 'primary big');
  if (alert.workflow === 'accepted' && may('resolve') && !workerLimited) button('alert-resolve', t('act.resolve'), ctx.resolveForm ? () => ctx.resolveForm!(alert, forms) : noted('resolve', t('note.resolve'), 'alert-resolve'), 'primary big');
  if (alert.workflow === 'resolved' && may('close')) {
    button('alert-close', t('act.close'), alert.condition === 'active' ? forceClose : () => void step('close', {}), 'primary');
    button('alert-reopen', t('act.reopen'), noted('reopen', t('note.reopen'), 'alert-reopen'));
  }
  if (open && may('reassign')) button('alert-reassign', t('act.reassign'), () => openReassignForm(forms, alert, ctx.report));
  if (open && may('handover') && ctx.people.partiesOf(alert.compound).length) button('alert-handover', t('act.handover'), () => openHandoverForm(forms, alert, ctx.people, ctx.report));
  const myParty = me.role === 'committee' ? 'committee' : 'manager';
  if (alert.workflow === 'closed' && may('evaluate') && !alert.evaluations?.some((e) => e.party === myParty)) {
    button('alert-evaluate', t('act.evaluate'), () => openEvaluateForm(forms, alert, ctx.report), 'primary');
  }
  // A resident's report judged invalid (无效举报): closed as spam, the resident's receipt says so.
  if (alert.report && alert.workflow !== 'closed' && may('spam')) button('alert-spam', t('act.spam'), () => openNoteForm(forms, { placeholder: t('spam.note'), testid: 'alert-spam', optional: true, submit: (note) => void step('spam', note.trim() ? { note } : {}) }));
  if (may('comment') && (!workerLimited || told)) button('alert-comment', t('act.comment'), noted('comment', t('note.comment'), 'alert-comment'));
  const silences = ctx.silences;
  if (silences && may('silence') && alert.workflow !== 'closed') {
    button('alert-silence', t('act.silence'), () => openSilenceForm(forms, alert, { device: deviceLabel(alert.type, alert.device, ctx.device), compound: ctx.compoundName }, silences, ctx.report));
  }
  return buttons;
}
