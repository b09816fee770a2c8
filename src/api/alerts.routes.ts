/**
 * Alerts for workers and managers: list and filter, and the workflow steps. The acting
 * person is the logged-in user; each step checks the role's actions and the alert's
 * compound against the user's scope, and a worker acts only on alerts assigned to them.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { ALERT_EVENT_KINDS, type Alert } from '../alerts/alert.types.ts';
import { alertSchema } from '../alerts/alert.schema.ts';
import type { ApiDeps } from './api.types.ts';
import { closedLoopReport } from '../alerts/closed-loop.figures.ts';
import type { Action } from '../contracts/access.ts';
import { HubError } from '../errors.ts';
import { actorOf, inMyScope, requireAction, requireCompound } from './access.guard.ts';
import { peopleAnswer } from './people.routes.ts';
import { mayAct } from '../contracts/alert-holders.ts';
import { ArrivalPolicy, sitesOf } from '../alerts/arrival.policy.ts';

const id = z.string().regex(ID_PATTERN);
const note = z.string().max(2000);
/** ArriveBody: the browser's position (WGS-84 degrees, accuracy in metres), when the person allows it. */
const arriveBody = z.object({
  position: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), accuracyM: z.number().nonnegative().max(100_000).optional() }).optional(),
  note: note.optional(),
});
const ORDER = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));
const byUrgency = (a: Alert, b: Alert) => ORDER[a.severity]! - ORDER[b.severity]! || b.raisedAt - a.raisedAt;
/** The audit action of a workflow step: `alert_` and the alert event it writes. */
const DONE: Record<Action & ('accept' | 'arrive' | 'resolve' | 'close' | 'reopen' | 'reassign' | 'comment'), string> = {
  accept: 'accepted',
  arrive: 'arrived',
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
  reassign: 'reassigned',
  comment: 'commented',
};
type Step = keyof typeof DONE;
/** What the audit log keeps of an alert before and after a step. */
const workflowOf = (a: Alert) => ({ workflow: a.workflow, condition: a.condition, ...(a.assignee ? { assignee: a.assignee } : {}) });

export const alertRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { alerts } = deps;
    const now = deps.now ?? Date.now;
    const params = z.object({ id });
    /** The alert, when the user may see it. */
    const visible = (request: FastifyRequest, alertId: string) => {
      const alert = alerts.get(alertId);
      requireCompound(request, alert.compound);
      return alert;
    };
    const step = <B extends z.ZodType>(action: Step, body: B, run: (alertId: string, actor: string, body: z.output<B>) => Alert) =>
      app.post(
        `/api/alerts/:id/${action}`,
        { schema: { tags: ['alerts'], params, body, response: { 200: alertSchema } } },
        async (request) => {
          const user = requireAction(request, action);
          const alert = visible(request, request.params.id);
          // A worker acts on alerts assigned to them; accepting (or arriving, which accepts) also on those their call tree rang them for.
          // Those an escalation told (escalatedTo) see the alert and may comment, but do not act on it.
          const theirs = action === 'accept' || action === 'arrive' ? mayAct(alert, user.id) : alert.assignee === user.id;
          if (user.role === 'worker' && action !== 'comment' && !theirs) {
            throw new HubError('FORBIDDEN', `alert ${alert.id} is assigned to ${alert.assignee ?? 'nobody'}, not to you`, { params: { id: alert.id } });
          }
          const before = workflowOf(alert);
          const steps = alert.history.length;
          const done = run(alert.id, user.id, request.body as z.output<B>);
          // A step that changed nothing (a second check-in) is not recorded again.
          if (done.history.length === steps) return done;
          const { note, assignee } = (request.body ?? {}) as { note?: string; assignee?: string };
          deps.audit?.record({
            ...actorOf(request),
            action: `alert_${DONE[action]}`,
            target: `alert:${done.id}`,
            compound: done.compound,
            before,
            after: workflowOf(done),
            note: note ?? (assignee ? `to ${assignee}` : done.history.at(-1)?.distanceM !== undefined ? `${done.history.at(-1)!.distanceM} m from the compound` : undefined),
          });
          return done;
        },
      );

    app.get(
      '/api/alerts',
      {
        schema: {
          tags: ['alerts'],
          querystring: z.object({
            compound: id.optional(),
            assignee: id.optional(),
            severity: z.enum(SEVERITIES).optional(),
            open: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: z.object({ alerts: z.array(alertSchema) }) },
        },
      },
      async (request) => {
        const { open, ...rest } = request.query;
        if (rest.compound) requireCompound(request, rest.compound);
        return { alerts: inMyScope(request, alerts.list({ ...rest, ...(open ? { open: open === 'true' } : {}) })).sort(byUrgency) };
      },
    );
    const figures = z.object({
      alerts: z.number(),
      accepted: z.number(),
      resolved: z.number(),
      closed: z.number(),
      escalated: z.number(),
      timeToAccept: z.object({ mean: z.number().nullable(), p90: z.number().nullable() }),
      timeToResolve: z.object({ mean: z.number().nullable(), p90: z.number().nullable() }),
      slaCounted: z.number(),
      slaMissed: z.number(),
      slaKept: z.number().nullable(),
      openOverdue: z.number(),
      rescues: z.number(),
      arrived: z.number(),
      timeToArrive: z.object({ mean: z.number().nullable(), p90: z.number().nullable() }),
      arrivalCounted: z.number(),
      arrivedInTime: z.number(),
      arrivalRate: z.number().nullable(),
    });
    app.get(
      '/api/alerts/stats',
      {
        schema: {
          tags: ['alerts'],
          querystring: z.object({
            from: z.coerce.number().int().nonnegative().optional(),
            to: z.coerce.number().int().nonnegative().optional(),
            compound: id.optional(),
          }),
          response: {
            200: z.object({
              from: z.number(),
              to: z.number(),
              overall: figures,
              byCompound: z.record(z.string(), figures),
              byWorker: z.record(z.string(), figures),
              byStreet: z.record(z.string(), figures),
              byRule: z.record(z.string(), figures),
              perDay: z.record(z.string(), z.number()),
            }),
          },
        },
      },
      async (request) => {
        if (request.query.compound) requireCompound(request, request.query.compound);
        const to = request.query.to ?? now();
        const from = request.query.from ?? to - 7 * 86_400_000;
        const days = Math.ceil((now() - from) / 86_400_000) + 1;
        const events = inMyScope(request, await deps.alertEvents(days));
        const arrival = new ArrivalPolicy(deps.alertsConfig.arrival, deps.rules(), sitesOf(deps.registry));
        const context = { arrivalMinutes: (rule: string, compound: string) => arrival.minutes(rule, compound), streetOf: (compound: string) => deps.registry.compound(compound)?.street.id };
        return closedLoopReport(events, deps.alertsConfig, { from, to, ...(request.query.compound ? { compound: request.query.compound } : {}) }, now(), context);
      },
    );

    app.get('/api/alerts/:id', { schema: { tags: ['alerts'], params, response: { 200: alertSchema } } }, async (request) =>
      visible(request, request.params.id),
    );
    app.get('/api/alerts/:id/assignees', { schema: { tags: ['alerts'], params, response: { 200: peopleAnswer } } }, async (request) => {
      const alert = visible(request, request.params.id);
      return { people: deps.routing.takers(alert.compound, now()) };
    });

    app.get(
      '/api/webhooks/deliveries',
      {
        schema: {
          tags: ['alerts'],
          response: {
            200: z.object({
              deliveries: z.array(
                z.object({
                  webhook: z.string(),
                  alertId: z.string(),
                  kind: z.enum(ALERT_EVENT_KINDS),
                  at: z.number(),
                  attempts: z.number(),
                  status: z.enum(['pending', 'delivered', 'failed', 'dropped']),
                  httpStatus: z.number().optional(),
                  error: z.string().optional(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        requireAction(request, 'ops');
        return { deliveries: deps.webhookDeliveries() };
      },
    );

    step('accept', z.object({}), (alertId, actor) => alerts.accept(alertId, actor, now()));
    step('arrive', arriveBody, (alertId, actor, b) => alerts.arrive(alertId, actor, now(), b.position, b.note));
    step('resolve', z.object({ note }), (alertId, actor, b) => alerts.resolve(alertId, actor, b.note, now()));
    step('close', z.object({ note: note.optional(), force: z.boolean().optional() }), (alertId, actor, b) => alerts.close(alertId, actor, now(), b.note, b.force));
    step('reopen', z.object({ note }), (alertId, actor, b) => alerts.reopen(alertId, actor, b.note, now()));
    step('reassign', z.object({ assignee: id }), (alertId, actor, b) => alerts.reassign(alertId, actor, b.assignee, now()));
    step('comment', z.object({ note }), (alertId, actor, b) => alerts.comment(alertId, actor, b.note, now()));
  };
