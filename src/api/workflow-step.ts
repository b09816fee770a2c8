/**
 * One workflow step on one alert by the logged-in user, checked and audited: the role's action,
 * the alert's compound against the user's scope, a worker only on the alerts they may act on
 * (src/contracts/alert-holders.ts), then the alert book's own rules; an audit entry for a step
 * that changed something. The single-alert routes (alerts.routes.ts) and the desk's bulk steps
 * (alert-desk.routes.ts) take every step through here.
 */
import type { FastifyRequest } from 'fastify';
import { HOLDER_ROLES, type Action, type Me } from '../contracts/access.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { mayAct } from '../contracts/alert-holders.ts';
import { HubError } from '../errors.ts';
import { actorOf, requireAction, requireSees } from './access.guard.ts';
import type { ApiDeps } from './api.types.ts';

/** The audit action of a workflow step: `alert_` and the alert event it writes. */
export const DONE: Record<Action & ('accept' | 'arrive' | 'resolve' | 'close' | 'reopen' | 'reassign' | 'handover' | 'comment' | 'evaluate' | 'spam'), string> = {
  accept: 'accepted',
  arrive: 'arrived',
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
  reassign: 'reassigned',
  handover: 'handed_over',
  comment: 'commented',
  evaluate: 'evaluated',
  spam: 'marked_spam',
};
export type Step = keyof typeof DONE;

/** What the audit log keeps of an alert before and after a step. */
const workflowOf = (a: Alert) => ({ workflow: a.workflow, condition: a.condition, ...(a.assignee ? { assignee: a.assignee } : {}) });

/**
 * A worker's own check on one alert (after the role's action and the compound's scope): a worker
 * (or a department member, on what was handed over to its party) acts on alerts assigned to them;
 * accepting (or arriving, which accepts) and adding a photo also on those their call tree rang
 * them for. Those an escalation told (escalatedTo) see the alert and may comment, but do not act
 * on it. Other roles pass. Throws FORBIDDEN.
 */
export function requireWorkerMay(user: Me, alert: Pick<Alert, 'id' | 'assignee' | 'called' | 'workflow' | 'escalatedTo'>, action: Step | 'photo'): void {
  if (!HOLDER_ROLES.includes(user.role) || action === 'comment') return;
  const theirs = action === 'accept' || action === 'arrive' || action === 'photo' ? mayAct(alert, user.id) : alert.assignee === user.id;
  if (!theirs) throw new HubError('FORBIDDEN', `alert ${alert.id} is assigned to ${alert.assignee ?? 'nobody'}, not to you`, { params: { id: alert.id } });
}

/**
 * Takes `action` on alert `alertId` as the logged-in user: `run` asks the alert book for it.
 * `body` is the step's note or assignee, for the audit log. Throws HubError when refused. On a
 * cluster instance the step is taken on the alert as the database holds it, locked while it is
 * taken (deps.stepAlert), so the checks below judge what is true now on every instance.
 */
export async function takeStep(deps: ApiDeps, request: FastifyRequest, action: Step, alertId: string, body: { note?: string; assignee?: string; party?: string }, run: (alertId: string, actor: string) => Alert): Promise<Alert> {
  const user = requireAction(request, action);
  requireSees(request, deps.alerts.get(alertId));
  let before: ReturnType<typeof workflowOf> | undefined;
  let steps = 0;
  const step = () => {
    const alert = deps.alerts.get(alertId);
    requireSees(request, alert);
    requireWorkerMay(user, alert, action);
    before = workflowOf(alert);
    steps = alert.history.length;
    return run(alert.id, user.id);
  };
  const done = deps.stepAlert ? await deps.stepAlert(alertId, step) : step();
  // A step that changed nothing (a second check-in) is not recorded again.
  if (done.history.length === steps) return done;
  const { note, assignee, party } = body;
  deps.audit?.record({
    ...actorOf(request),
    action: `alert_${DONE[action]}`,
    target: `alert:${done.id}`,
    compound: done.compound,
    before,
    after: workflowOf(done),
    note: note ?? (assignee ? `to ${assignee}` : party ? `to ${party}` : done.history.at(-1)?.distanceM !== undefined ? `${done.history.at(-1)!.distanceM} m from the compound` : undefined),
  });
  return done;
}
