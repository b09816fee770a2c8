/**
 * Logins as every instance sees them: sessions (sessions table, known by the SHA-256 of their
 * token), half-done two-factor logins (mfa_pending), per-account failure streaks (login_failures)
 * and the check values of shared keys (key_checks); the last three from migration 0009.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { LoginFailures, SessionsRepo } from './state.types.ts';

/** The tables of migration 0009 (0009-cluster-logins.ts). */
type LoginTables = {
  mfa_pending: { id: string; user_id: string; expires_at: number };
  login_failures: { account: string; failures: number; locked_until: number; last_failure: number };
  key_checks: { name: string; value: string };
};

const asSession = (r: { id: string; user_id: string; created_at: number; expires_at: number }) => ({ id: r.id, userId: r.user_id, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) });

export function sessionsRepo(base: Kysely<Database>): SessionsRepo {
  const db = base.withTables<LoginTables>();
  return {
    async list() {
      const rows = await db.selectFrom('sessions').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(asSession);
    },
    async find(ids) {
      if (!ids.length) return [];
      const rows = await db.selectFrom('sessions').selectAll().where('id', 'in', [...ids]).execute();
      return rows.map(asSession);
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
    async touch(sessions) {
      if (!sessions.length) return [];
      return db.transaction().execute(async (trx) => {
        const gone: string[] = [];
        for (const s of sessions) {
          const result = await trx.updateTable('sessions').set({ expires_at: s.expiresAt }).where('id', '=', s.id).executeTakeFirst();
          if (!Number(result.numUpdatedRows)) gone.push(s.id);
        }
        return gone;
      });
    },
    async remove(ids) {
      if (!ids.length) return;
      await db.deleteFrom('sessions').where('id', 'in', [...ids]).execute();
    },
    async removeOfUser(userId, except) {
      return db.transaction().execute(async (trx) => {
        let query = trx.selectFrom('sessions').select('id').where('user_id', '=', userId);
        if (except !== undefined) query = query.where('id', '<>', except);
        const ids = (await query.execute()).map((r) => r.id);
        if (ids.length) await trx.deleteFrom('sessions').where('id', 'in', ids).execute();
        return ids;
      });
    },
    async addPending(pending, at) {
      await db.deleteFrom('mfa_pending').where('expires_at', '<=', at).execute();
      await db.insertInto('mfa_pending').values({ id: pending.id, user_id: pending.userId, expires_at: pending.expiresAt }).execute();
    },
    async pendingUser(id, at) {
      const row = await db.selectFrom('mfa_pending').select('user_id').where('id', '=', id).where('expires_at', '>', at).executeTakeFirst();
      return row?.user_id;
    },
    async takePending(id, at) {
      const result = await db.deleteFrom('mfa_pending').where('id', '=', id).where('expires_at', '>', at).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async removePendingOf(userId) {
      await db.deleteFrom('mfa_pending').where('user_id', '=', userId).execute();
    },
    async loginFailures(account) {
      const row = await db.selectFrom('login_failures').selectAll().where('account', '=', account).executeTakeFirst();
      return row && { failures: Number(row.failures), lockedUntil: Number(row.locked_until), lastFailure: Number(row.last_failure) };
    },
    async swapLoginFailures(account, expected, next) {
      const values = (f: LoginFailures) => ({ failures: f.failures, locked_until: f.lockedUntil, last_failure: f.lastFailure });
      if (!expected) {
        if (!next) return (await db.selectFrom('login_failures').select('account').where('account', '=', account).executeTakeFirst()) === undefined;
        const result = await db
          .insertInto('login_failures')
          .values({ account, ...values(next) })
          .onConflict((oc) => oc.column('account').doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      const unchanged = { failures: expected.failures, locked_until: expected.lockedUntil, last_failure: expected.lastFailure };
      if (next) {
        const result = await db.updateTable('login_failures').set(values(next)).where('account', '=', account).where((eb) => eb.and(unchanged)).executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }
      const result = await db.deleteFrom('login_failures').where('account', '=', account).where((eb) => eb.and(unchanged)).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async keyCheck(name, value) {
      await db.insertInto('key_checks').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.selectFrom('key_checks').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
