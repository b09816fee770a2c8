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
import { HubError } from '../errors.ts';
import { inMyScope, me, requireAction, requireCompound, requireSees, seenByMe } from './access.guard.ts';
import { takeStep, type Step } from './workflow-step.ts';
import { peopleAnswer } from './people.routes.ts';
import { ArrivalPolicy, sitesOf } from '../alerts/arrival.policy.ts';
import { holds } from '../contracts/alert-holders.ts';
import type { AlertFilter } from '../alerts/alert-book.ts';
import { checkResolvePhoto } from './alert-photos.routes.ts';

const id = z.string().regex(ID_PATTERN);
const note = z.string().max(2000);
/** ArriveBody: the browser's position (WGS-84 degrees, accuracy in metres), when the person allows it. */
const arriveBody = z.object({
  position: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), accuracyM: z.number().nonnegative().max(100_000).optional() }).optional(),
  note: note.optional(),
});
const ORDER = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));
/** How far back from `resolvedSince` the archive is searched for alerts raised before it. */
const RESOLVED_LOOKBACK_MS = 30 * 86_400_000;
const byUrgency = (a: Alert, b: Alert) => ORDER[a.severity]! - ORDER[b.severity]! || b.raisedAt - a.raisedAt;

export const alertRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { alerts } = deps;
    const now = deps.now ?? Date.now;
    const params = z.object({ id });
    /** The alert, when the user may see it. */
    const visible = (request: FastifyRequest, alertId: string) => {
      const alert = alerts.get(alertId);
      requireSees(request, alert);
      return alert;
    };
    /** A closed alert only the archive has (after a restart) is taken into the book, for a step on it (evaluation). */
    const load = async (alertId: string) => {
      if (alerts.hasAlert(alertId) || !deps.alertArchive) return;
      const archived = await deps.alertArchive.get(alertId);
      if (archived) alerts.mirror(archived);
    };
    /**
     * The alerts `person` resolved at or after `since`: those in memory, and the closed ones in the
     * archive that were raised in the 30 days before `since` and last held by that person.
     */
    const resolvedAlerts = async (person: string, since: number, filter: Omit<AlertFilter, 'assignee'> & { assignee?: string }) => {
      const byMe = (a: Alert) => a.history.some((e) => e.kind === 'resolved' && e.actor === person && e.at >= since);
      const { assignee, ...rest } = filter;
      const found = new Map(alerts.list(rest).filter((a) => !assignee || holds(a, assignee)).map((a) => [a.id, a]));
      if (deps.alertArchive && filter.open !== true) {
        await deps.alertArchive.flush();
        const keys = await deps.alertArchive.archived({ assignee: person, from: since - RESOLVED_LOOKBACK_MS, ...(rest.compound ? { compounds: [rest.compound] } : {}), ...(rest.severity ? { severity: rest.severity } : {}) });
        const missing = keys.filter((k) => !found.has(k.id)).map((k) => k.id);
        for (const a of await deps.alertArchive.getMany(missing)) found.set(a.id, a);
      }
      return [...found.values()].filter(byMe);
    };
    /** `check`: what must hold before the step is taken (a resolve's photo is the alert's). */
    const step = <B extends z.ZodType>(action: Step, body: B, run: (alertId: string, actor: string, body: z.output<B>, request: FastifyRequest) => Alert, check?: (request: FastifyRequest, alertId: string, body: z.output<B>) => Promise<void>) =>
      app.post(
        `/api/alerts/:id/${action}`,
        { schema: { tags: ['alerts'], params, body, response: { 200: alertSchema } } },
        async (request) => {
          await check?.(request, request.params.id, request.body as z.output<B>);
          return takeStep(deps, request, action, request.params.id, (request.body ?? {}) as { note?: string; assignee?: string; party?: string }, (alertId, actor) => run(alertId, actor, request.body as z.output<B>, request));
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
            /** With resolvedSince: the alerts this person resolved since then (open or closed), not those they hold. */
            resolvedBy: id.optional(),
            resolvedSince: z.coerce.number().int().nonnegative().optional(),
          }),
          response: { 200: z.object({ alerts: z.array(alertSchema) }) },
        },
      },
      async (request) => {
        const { open, resolvedBy, resolvedSince, ...rest } = request.query;
        if (rest.compound) requireCompound(request, rest.compound);
        const filter = { ...rest, ...(open ? { open: open === 'true' } : {}) };
        if (resolvedBy === undefined) return { alerts: seenByMe(request, alerts.list(filter)).sort(byUrgency) };
        if (resolvedSince === undefined) throw new HubError('BAD_REQUEST', 'resolvedSince: say since when (ms epoch)');
        const found = await resolvedAlerts(resolvedBy, resolvedSince, filter);
        return { alerts: seenByMe(request, found).sort(byUrgency) };
      },
    );
    const satisfactionSchema = z.object({ ratings: z.number(), mean: z.number().nullable(), satisfied: z.number(), rate: z.number().nullable() });
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
      handedOver: z.number(),
      satisfaction: satisfactionSchema.extend({ byParty: z.object({ manager: satisfactionSchema, committee: satisfactionSchema }) }),
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
              byParty: z.record(z.string(), figures),
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
      return { people: deps.routing.takersOf(alert, now()) };
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
    step('resolve', z.object({ note, photo: z.string().max(64).optional() }), (alertId, actor, b) => alerts.resolve(alertId, actor, b.note, now(), b.photo), async (request, alertId, b) => {
      if (!b.photo) return;
      // Who may not resolve it learns nothing of its photos.
      requireAction(request, 'resolve');
      requireSees(request, alerts.get(alertId));
      await checkResolvePhoto(deps, alertId, b.photo);
    });
    step('close', z.object({ note: note.optional(), force: z.boolean().optional() }), (alertId, actor, b) => alerts.close(alertId, actor, now(), b.note, b.force));
    step('reopen', z.object({ note }), (alertId, actor, b) => alerts.reopen(alertId, actor, b.note, now()));
    step('reassign', z.object({ assignee: id }), (alertId, actor, b) => alerts.reassign(alertId, actor, b.assignee, now()));
    step('comment', z.object({ note }), (alertId, actor, b) => alerts.comment(alertId, actor, b.note, now()));
    // Hand-over (流转) by hand to a party of the routing that covers the compound.
    step('handover', z.object({ party: id, note: note.optional() }), (alertId, actor, b) => alerts.handOver(alertId, actor, b.party, now(), b.note));
    // A resident's report judged invalid (无效举报): marked as spam and closed.
    step('spam', z.object({ note: note.optional() }), (alertId, actor, b) => alerts.markSpam(alertId, actor, now(), b.note));
    // Evaluation (评价) of a closed alert: a committee member rates for the owners' committee, a manager for the property side.
    step(
      'evaluate',
      z.object({ score: z.number().int().min(1).max(5), comment: z.string().max(500).optional() }),
      (alertId, actor, b, request) => alerts.evaluate(alertId, actor, me(request).role === 'committee' ? 'committee' : 'manager', b.score, now(), b.comment),
      async (_request, alertId) => load(alertId),
    );
  };
