/**
 * Whole documents (docs table): the routing and SLA config, the rules. Every write names the
 * version it read; the write is one conditional UPDATE (`… WHERE name = ? AND version = ?`), so
 * of two writers that read the same version exactly one wins and the other gets CONFLICT.
 */
import type { Kysely, Selectable } from 'kysely';
import { HubError } from '../errors.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Database, DocsTable } from './schema.ts';
import type { DocName, DocsRepo, StoredDoc } from './state.types.ts';

function toDoc(row: Selectable<DocsTable>): StoredDoc {
  return { body: JSON.parse(row.body) as unknown, version: row.version, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

export function docsRepo(db: Kysely<Database>): DocsRepo {
  const get = async (name: DocName) => {
    const row = await db.selectFrom('docs').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toDoc(row);
  };
  const conflict = async (name: DocName, expected: number, cause?: unknown) => {
    const current = (await get(name))?.version ?? 0;
    return new HubError('CONFLICT', `${name} was changed meanwhile (version ${current}, not ${expected}): load it again`, { cause, params: { version: current } });
  };
  return {
    get,
    async put(name, body, { expectedVersion, by, at }) {
      const text = JSON.stringify(body);
      if (expectedVersion === undefined) {
        const row = await db
          .insertInto('docs')
          .values({ name, body: text, version: 1, updated_at: at, updated_by: by })
          .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ body: text, version: eb(eb.ref('docs.version'), '+', 1), updated_at: at, updated_by: by })))
          .returningAll()
          .executeTakeFirstOrThrow();
        return toDoc(row);
      }
      if (expectedVersion === 0) {
        // Version 0: the document must not exist yet.
        try {
          const row = await db.insertInto('docs').values({ name, body: text, version: 1, updated_at: at, updated_by: by }).returningAll().executeTakeFirstOrThrow();
          return toDoc(row);
        } catch (error) {
          if (isUniqueViolation(error)) throw await conflict(name, 0, error);
          throw error;
        }
      }
      const row = await db
        .updateTable('docs')
        .set((eb) => ({ body: text, version: eb(eb.ref('version'), '+', 1), updated_at: at, updated_by: by }))
        .where('name', '=', name)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw await conflict(name, expectedVersion);
      return toDoc(row);
    },
  };
}
