/** The northbound pull API's tokens (northbound_tokens, migration 0010): kept by the SHA-256 of their secret, revoked by time, never deleted. */
import type { Kysely, Selectable } from 'kysely';
import { HubError } from '../errors.ts';
import type { Database, NorthboundTokensTable } from './schema.ts';
import type { NorthboundToken, NorthboundTokensRepo } from './state.types.ts';
import { isUniqueViolation } from './dialect.ts';

const asToken = (r: Selectable<NorthboundTokensTable>): NorthboundToken => ({
  id: r.id,
  name: r.name,
  scope: r.scope === 'all' ? 'all' : (JSON.parse(r.scope) as string[]),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export function northboundTokensRepo(db: Kysely<Database>): NorthboundTokensRepo {
  const byId = (id: string) => db.selectFrom('northbound_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    async insert(token, tokenSha256) {
      try {
        await db
          .insertInto('northbound_tokens')
          .values({
            id: token.id,
            name: token.name,
            token_sha256: tokenSha256,
            scope: token.scope === 'all' ? 'all' : JSON.stringify(token.scope),
            created_by: token.createdBy,
            created_at: token.createdAt,
            revoked_at: null,
            last_used_at: null,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new HubError('CONFLICT', `northbound token ${token.id} exists already`, { cause: error, params: { id: token.id } });
        throw error;
      }
    },
    async list() {
      const rows = await db.selectFrom('northbound_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(asToken);
    },
    async findByDigest(tokenSha256) {
      const row = await db.selectFrom('northbound_tokens').selectAll().where('token_sha256', '=', tokenSha256).executeTakeFirst();
      return row && asToken(row);
    },
    async revoke(id, at) {
      await db.updateTable('northbound_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      const row = await byId(id);
      return row && asToken(row);
    },
    async touch(id, at) {
      await db.updateTable('northbound_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}
