/**
 * The alert desk (issue 16) for managers, admins and district viewers, within their scope:
 * alerts open (the alert book) and closed (the archive in the operational database) filtered,
 * sorted and paged with a total; the same list as CSV; one alert with its names; the choices of
 * the filters; and bulk steps (accept, comment) on up to 100 alerts, each taken as if alone
 * (workflow-step.ts: role, scope, the book's rules, an audit entry) and answered per alert.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { inScope, type Me } from '../contracts/access.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { alertSchema } from '../alerts/alert.schema.ts';
import { archiveFilterOf, deskPage, incidentPlace, keyOf, sourcesOf, type DeskKey, type DeskNames } from '../alerts/alert-query.ts';
import { DESK_BULK_MAX, DESK_CSV_MAX_ROWS, DESK_PAGE_MAX, DESK_SORTS, DESK_STATES, type BulkResult, type DeskQuery, type DeskRow } from '../contracts/alert-desk.ts';
import { HubError, isHubError } from '../errors.ts';
import { me, requireAction, requireCompound, requireRole } from './access.guard.ts';
import { takeStep, type Step } from './workflow-step.ts';
import { dayIn, deskCsv, isTimeZone } from './alert-desk.csv.ts';
import type { ApiDeps } from './api.types.ts';

const id = z.string().regex(ID_PATTERN);
const tags = ['alert desk'];
/** How many archived bodies are read at once (the CSV export reads many). */
const BODIES_AT_ONCE = 500;

const filters = z.object({
  state: z.enum(DESK_STATES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  rule: id.optional(),
  compound: id.optional(),
  building: z.string().min(1).max(64).regex(/^[^\\\u0000-\u001f]+$/).optional(),
  assignee: id.optional(),
  q: z.string().max(100).optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  sort: z.enum(DESK_SORTS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
});
const pageQuery = filters.extend({
  limit: z.coerce.number().int().min(1).max(DESK_PAGE_MAX).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});
const csvQuery = filters.extend({
  lang: z.enum(['zh', 'en']).optional(),
  /** The reader's time zone (IANA, e.g. Asia/Shanghai) for the local times. */
  tz: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai').optional(),
});

const rowSchema = z.object({
  alert: alertSchema,
  compoundName: z.string(),
  deviceName: z.string().optional(),
  building: z.string().optional(),
  buildingName: z.string().optional(),
});
const bulkAnswer = z.object({ results: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional(), alert: alertSchema.optional() })) });
const ids = z.array(id).min(1).max(DESK_BULK_MAX);

/** Who reads the desk: managers, admins, district viewers and owners' committee members (read-only; workers and departments have their own list). */
const deskReader = (request: FastifyRequest): Me => requireRole(request, 'admin', 'manager', 'viewer', 'committee');

export const alertDeskRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    const ruleNames = () => new Map(deps.rules().map((r) => [r.id, r.name]));

    /** The registry's name of a building of a compound. */
    const buildingName = (compound: string, building: string): string | undefined => deps.registry.siteOf(compound)?.buildings[building];

    const namesFor = (user: Me): DeskNames => {
      const rules = ruleNames();
      return {
        inScope: (compound) => inScope(user, compound),
        compoundName: (c) => deps.registry.compound(c)?.name,
        deviceName: (key) => deps.registry.getByKey(key)?.name,
        buildingOf: (key) => deps.registry.getByKey(key)?.tags.building ?? incidentPlace(key),
        ruleName: (r) => rules.get(r),
      };
    };

    const rowOf = (alert: Alert): DeskRow => {
      const device = deps.registry.getByKey(alert.deviceKey);
      const building = device?.tags.building ?? (alert.incident?.scope === 'building' ? alert.incident.place : undefined);
      const name = device?.placeNames?.building ?? (building ? buildingName(alert.compound, building) : undefined);
      return {
        alert,
        compoundName: deps.registry.compound(alert.compound)?.name ?? alert.compound,
        ...(device?.name ? { deviceName: device.name } : {}),
        ...(building ? { building } : {}),
        ...(name ? { buildingName: name } : {}),
      };
    };

    /** The alerts of the query: one page of rows and the total. */
    async function query(request: FastifyRequest, q: DeskQuery): Promise<{ rows: DeskRow[]; total: number }> {
      const user = deskReader(request);
      if (q.compound) requireCompound(request, q.compound);
      const names = namesFor(user);
      const sources = sourcesOf(q.state);
      const archive = deps.alertArchive;
      const inMemory = deps.alerts.list().filter((a) => names.inScope(a.compound));
      // Open alerts from memory; closed ones from the archive (after what is pending is written), or from memory without one.
      const live = inMemory.filter((a) => (a.workflow === 'closed' ? sources.closed && !archive : sources.open));
      let archived: DeskKey[] = [];
      if (sources.closed && archive) {
        await archive.flush();
        archived = await archive.archived(archiveFilterOf(q, user.compounds));
      }
      const { page, total } = deskPage(live.map(keyOf), archived, q, names);
      const byId = new Map(inMemory.map((a) => [a.id, a]));
      const missing = page.filter((k) => !byId.has(k.id)).map((k) => k.id);
      for (let i = 0; archive && i < missing.length; i += BODIES_AT_ONCE) {
        for (const a of await archive.getMany(missing.slice(i, i + BODIES_AT_ONCE))) byId.set(a.id, a);
      }
      return { rows: page.flatMap((k) => (byId.has(k.id) ? [rowOf(byId.get(k.id)!)] : [])), total };
    }

    /** An alert the user may see: in memory, else in the archive. */
    async function find(request: FastifyRequest, alertId: string): Promise<Alert> {
      let alert: Alert | undefined;
      try {
        alert = deps.alerts.get(alertId);
      } catch (error) {
        if (!isHubError(error, 'NOT_FOUND')) throw error;
        alert = await deps.alertArchive?.get(alertId);
      }
      if (!alert) throw new HubError('NOT_FOUND', `alert ${alertId} does not exist`);
      requireCompound(request, alert.compound);
      return alert;
    }

    app.get(
      '/api/desk/alerts',
      { schema: { tags, querystring: pageQuery, response: { 200: z.object({ rows: z.array(rowSchema), total: z.number(), limit: z.number(), offset: z.number() }) } } },
      async (request) => {
        const q = { ...request.query, limit: request.query.limit ?? 50, offset: request.query.offset ?? 0 };
        const { rows, total } = await query(request, q);
        return { rows, total, limit: q.limit, offset: q.offset };
      },
    );

    app.get(
      '/api/desk/alerts.csv',
      {
        schema: {
          tags,
          description:
            `The desk's list with the same filters and order as CSV (UTF-8 with BOM), up to ${DESK_CSV_MAX_ROWS} rows; the file is named by the day in \`tz\`. ` +
            'X-Export-Rows and X-Export-Total say how many rows it holds of how many match; when it is cut, X-Export-Truncated: true and a last line says so.',
          querystring: csvQuery,
        },
      },
      async (request, reply) => {
        const { lang = 'zh', tz = 'Asia/Shanghai', ...q } = request.query;
        const { rows, total } = await query(request, { ...q, limit: DESK_CSV_MAX_ROWS, offset: 0 });
        const csv = deskCsv(rows, { lang, zone: tz, personName: (who) => deps.access.users.get(who)?.name ?? who, total });
        // The reader's day, not UTC's: between 00:00 and 08:00 in Beijing, UTC still says yesterday.
        const day = dayIn(tz, now());
        if (total > rows.length) reply.header('x-export-truncated', 'true');
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="alerts-${day}.csv"`)
          .header('x-export-rows', String(rows.length))
          .header('x-export-total', String(total))
          .send(csv);
      },
    );

    app.get('/api/desk/alerts/:id', { schema: { tags, params: z.object({ id }), response: { 200: rowSchema } } }, async (request) => {
      deskReader(request);
      return rowOf(await find(request, request.params.id));
    });

    app.get(
      '/api/desk/choices',
      {
        schema: {
          tags,
          querystring: z.object({ compound: id.optional() }),
          response: {
            200: z.object({
              compounds: z.array(z.object({ id: z.string(), name: z.string() })),
              buildings: z.array(z.object({ compound: z.string(), id: z.string(), name: z.string() })),
              rules: z.array(z.object({ id: z.string(), name: z.object({ zh: z.string(), en: z.string() }) })),
            }),
          },
        },
      },
      async (request) => {
        const user = deskReader(request);
        if (request.query.compound) requireCompound(request, request.query.compound);
        const compounds = deps.registry.compounds().filter((c) => inScope(user, c.id) && (!request.query.compound || c.id === request.query.compound));
        // The buildings the registry names, then any a device is tagged with that it does not name (by its id).
        const buildings = compounds.flatMap((c) => {
          const seen = new Map(Object.entries(deps.registry.siteOf(c.id)?.buildings ?? {}));
          for (const d of deps.registry.devicesOf(c.id)) if (d.tags.building && !seen.has(d.tags.building)) seen.set(d.tags.building, d.tags.building);
          return [...seen].map(([b, name]) => ({ compound: c.id, id: b, name }));
        });
        return {
          compounds: compounds.map((c) => ({ id: c.id, name: c.name })),
          buildings,
          rules: deps.rules().map((r) => ({ id: r.id, name: r.name })),
        };
      },
    );

    /**
     * One step on each alert, in order, each as if taken alone: the answer says per alert done or why not.
     * An alert outside the user's scope is NOT_FOUND, as an unknown id is: the answer does not tell which ids exist.
     */
    async function bulk(request: FastifyRequest, action: Step, alertIds: readonly string[], body: { note?: string }, run: (alertId: string, actor: string) => Alert): Promise<BulkResult[]> {
      const user = deskUser(request, action);
      const results: BulkResult[] = [];
      for (const alertId of new Set(alertIds)) {
        try {
          const alert = deps.alerts.get(alertId);
          if (!inScope(user, alert.compound)) throw new HubError('NOT_FOUND', `no alert ${alertId}`, { params: { id: alertId } });
          results.push({ id: alertId, ok: true, alert: await takeStep(deps, request, action, alertId, body, run) });
        } catch (error) {
          if (!isHubError(error)) throw error;
          let code: string = error.code;
          // Closed before the last restart: only the archive has it; it takes no more steps.
          if (code === 'NOT_FOUND') {
            const kept = await deps.alertArchive?.get(alertId);
            if (kept && inScope(user, kept.compound)) code = 'INVALID_TRANSITION';
          }
          results.push({ id: alertId, ok: false, error: code });
        }
      }
      return results;
    }

    /** Who may take bulk steps: a desk reader (not a worker: docs/alerts.md) whose role may take the step. */
    const deskUser = (request: FastifyRequest, action: Step): Me => {
      deskReader(request);
      return requireAction(request, action);
    };

    // The desk reader and the role's action are checked before the body is read: someone who may not do this learns nothing from a 400.
    app.post(
      '/api/desk/alerts/accept',
      { onRequest: async (request) => void deskUser(request, 'accept'), schema: { tags, body: z.object({ ids }), response: { 200: bulkAnswer } } },
      async (request) => ({ results: await bulk(request, 'accept', request.body.ids, {}, (alertId, actor) => deps.alerts.accept(alertId, actor, now())) }),
    );
    app.post(
      '/api/desk/alerts/comment',
      { onRequest: async (request) => void deskUser(request, 'comment'), schema: { tags, body: z.object({ ids, note: z.string().trim().min(1).max(2000) }), response: { 200: bulkAnswer } } },
      async (request) => {
        const { note } = request.body;
        return { results: await bulk(request, 'comment', request.body.ids, { note }, (alertId, actor) => deps.alerts.comment(alertId, actor, note, now())) };
      },
    );
  };
