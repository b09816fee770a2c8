/**
 * The audit log (admin, read only): newest first, filtered, paged back by `beforeId`; and the
 * same as a CSV file that Excel opens (UTF-8 with BOM, ISO times, formula-safe cells). No
 * route edits or deletes an entry; old ones go only by AUDIT_RETENTION_DAYS.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AdminDeps } from '../admin/admin.types.ts';
import { auditAnswerSchema, auditFilterSchema } from '../admin/admin.schemas.ts';
import type { AuditEntry, AuditQuery } from '../state/state.types.ts';
import { adminOnlyHook } from './access.guard.ts';
import { csvCell, csvFile } from './csv.ts';

/** The CSV export pages through the log, up to this many entries. */
export const AUDIT_CSV_MAX_ROWS = 100_000;
const PAGE = 1000;

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'actorName', 'address', 'action', 'target', 'compound', 'before', 'after', 'note'] as const;

export function auditCsvLine(e: AuditEntry): string {
  const cells: Record<(typeof AUDIT_CSV_COLUMNS)[number], unknown> = {
    id: e.id,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    actorName: e.actorName,
    address: e.address,
    action: e.action,
    target: e.target,
    compound: e.compound,
    before: e.before,
    after: e.after,
    note: e.note,
  };
  return AUDIT_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

export const auditRoutes =
  (admin: AdminDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['admin'];
    const query = (filter: AuditQuery) => admin.state.audit.query(Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)));

    app.get(
      '/api/admin/audit',
      { onRequest: adminOnlyHook, schema: { tags, querystring: auditFilterSchema, response: { 200: auditAnswerSchema } } },
      async (request) => {
        // Entries written a moment ago (the action that answered just before) are in.
        await admin.audit.flush();
        return { entries: await query({ ...request.query, limit: request.query.limit ?? 100 }) };
      },
    );

    app.get(
      '/api/admin/audit.csv',
      {
        onRequest: adminOnlyHook,
        schema: {
          tags,
          description: 'The audit log as CSV (UTF-8 with BOM), newest first; `limit` up to 100000 (default: all, up to 100000).',
          querystring: auditFilterSchema.extend({ limit: z.coerce.number().int().min(1).max(AUDIT_CSV_MAX_ROWS).optional() }),
        },
      },
      async (request, reply) => {
        await admin.audit.flush();
        const { limit = AUDIT_CSV_MAX_ROWS, ...filter } = request.query;
        const lines = [AUDIT_CSV_COLUMNS.join(',')];
        let beforeId = filter.beforeId;
        let left = limit;
        while (left > 0) {
          const page = await query({ ...filter, beforeId, limit: Math.min(PAGE, left) });
          for (const e of page) lines.push(auditCsvLine(e));
          left -= page.length;
          if (page.length < Math.min(PAGE, left + page.length)) break;
          beforeId = page.at(-1)!.id;
        }
        const day = new Date(admin.now()).toISOString().slice(0, 10);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${day}.csv"`)
          .send(csvFile(lines));
      },
    );
  };
