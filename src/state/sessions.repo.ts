/** Login sessions (sessions table), known by the SHA-256 of their token. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SessionsRepo } from './state.types.ts';

export function sessionsRepo(db: Kysely<Database>): SessionsRepo {
  return {
    async list() {
      const rows = await db.selectFrom('sessions').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at }));
    },
    async save(sessions) {
      if (!sessions.length) return;
      await db.transaction().execute(async (trx) => {
        for (const s of sessions) {
          await trx
            .insertInto('sessions')
            .values({ id: s.id, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt })
            .onConflict((oc) => oc.column('id').doUpdateSet({ user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt }))
            .execute();
        }
      });
    },
    async remove(ids) {
      if (!ids.length) return;
      await db.deleteFrom('sessions').where('id', 'in', [...ids]).execute();
    },
  };
}
