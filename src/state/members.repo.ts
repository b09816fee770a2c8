/** The instances of a cluster (cluster_members, design.md §10): each beats every few seconds; those whose beat is older than a lease are gone. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { MembersRepo } from './state.types.ts';

export function membersRepo(db: Kysely<Database>): MembersRepo {
  return {
    async heartbeat(instance, startedAt, now) {
      await db
        .insertInto('cluster_members')
        .values({ instance, started_at: startedAt, heartbeat_at: now })
        .onConflict((oc) => oc.column('instance').doUpdateSet({ started_at: startedAt, heartbeat_at: now }))
        .execute();
    },
    async list() {
      const rows = await db.selectFrom('cluster_members').selectAll().orderBy('instance').execute();
      return rows.map((r) => ({ instance: r.instance, startedAt: Number(r.started_at), heartbeatAt: Number(r.heartbeat_at) }));
    },
    async leave(instance) {
      await db.deleteFrom('cluster_members').where('instance', '=', instance).execute();
    },
  };
}
