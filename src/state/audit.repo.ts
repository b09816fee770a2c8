/**
 * The audit log (audit table): append-only. Nothing here updates or deletes an entry except
 * `prune`, which removes entries past the configured retention.
 */
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from './dialect.ts';
import type { AuditTable, Database } from './schema.ts';
import type { AuditEntry, AuditRepo } from './state.types.ts';

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

function toEntry(row: Selectable<AuditTable>): AuditEntry {
  const before = fromJson<unknown>(row.before);
  const after = fromJson<unknown>(row.after);
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    ...(row.actor_name !== null ? { actorName: row.actor_name } : {}),
    ...(row.address !== null ? { address: row.address } : {}),
    action: row.action,
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.compound !== null ? { compound: row.compound } : {}),
    ...(row.before !== null ? { before } : {}),
    ...(row.after !== null ? { after } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
  };
}

export function auditRepo(db: Kysely<Database>): AuditRepo {
  return {
    async append(entry) {
      const row = await db
        .insertInto('audit')
        .values({
          at: entry.at,
          actor: entry.actor,
          actor_name: entry.actorName ?? null,
          address: entry.address ?? null,
          action: entry.action,
          target: entry.target ?? null,
          compound: entry.compound ?? null,
          before: toJson(entry.before),
          after: toJson(entry.after),
          note: entry.note ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEntry(row);
    },
    /** `from` ≤ at < `to`; newest (highest id) first. */
    async query(q) {
      const limit = Math.min(AUDIT_MAX_LIMIT, Math.max(1, Math.floor(q.limit ?? AUDIT_DEFAULT_LIMIT)));
      let query = db.selectFrom('audit').selectAll();
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<', q.to);
      if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
      if (q.compound !== undefined) query = query.where('compound', '=', q.compound);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEntry);
    },
    async prune(before) {
      const result = await db.deleteFrom('audit').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
