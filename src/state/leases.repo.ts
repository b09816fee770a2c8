/**
 * The partitions' leases (partition_leases table, design.md §10). Every change is one conditional
 * statement with RETURNING, on SQLite and PostgreSQL alike: a lease is taken only when it is
 * free, expired or already the taker's, and renewed or released only by its owner of the same
 * epoch before it expires. Of two instances asking at once, the database lets one win.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, PartitionLeasesTable } from './schema.ts';
import type { LeasesRepo, PartitionLease } from './state.types.ts';

const COLUMNS = ['partition', 'owner', 'expires_at', 'epoch'] as const;

function toLease(row: Pick<Selectable<PartitionLeasesTable>, (typeof COLUMNS)[number]>): PartitionLease {
  return { partition: Number(row.partition), owner: row.owner, expiresAt: Number(row.expires_at), epoch: Number(row.epoch) };
}

export function leasesRepo(db: Kysely<Database>): LeasesRepo {
  return {
    async acquire(partition, owner, now, ttlMs) {
      const expires = now + ttlMs;
      // A partition nobody has held yet: its first owner, epoch 1.
      const first = await db
        .insertInto('partition_leases')
        .values({ partition, owner, expires_at: expires, epoch: 1 })
        .onConflict((oc) => oc.column('partition').doNothing())
        .returning(COLUMNS)
        .executeTakeFirst();
      if (first) return toLease(first);
      // Held before: ours again (same epoch), or someone else's that has expired (a new epoch).
      const taken = await db
        .updateTable('partition_leases')
        .set({ owner, expires_at: expires, epoch: sql<number>`case when owner = ${owner} then epoch else epoch + 1 end` })
        .where('partition', '=', partition)
        .where((eb) => eb.or([eb('owner', '=', owner), eb('expires_at', '<', now)]))
        .returning(COLUMNS)
        .executeTakeFirst();
      return taken && toLease(taken);
    },
    async renew(lease, now, ttlMs) {
      const renewed = await db
        .updateTable('partition_leases')
        .set({ expires_at: now + ttlMs })
        .where('partition', '=', lease.partition)
        .where('owner', '=', lease.owner)
        .where('epoch', '=', lease.epoch)
        .where('expires_at', '>=', now)
        .returning(COLUMNS)
        .executeTakeFirst();
      return renewed && toLease(renewed);
    },
    async release(lease, now) {
      // Expired at once, the row kept: the epoch goes on counting owners.
      const result = await db
        .updateTable('partition_leases')
        .set({ expires_at: now - 1 })
        .where('partition', '=', lease.partition)
        .where('owner', '=', lease.owner)
        .where('epoch', '=', lease.epoch)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async renewMine(owner, partitions, now, ttlMs) {
      if (!partitions.length) return [];
      const rows = await db
        .updateTable('partition_leases')
        .set({ expires_at: now + ttlMs })
        .where('owner', '=', owner)
        .where('partition', 'in', [...partitions])
        // Unexpired and ours: nobody can have taken it since (taking needs it expired), so the epoch is ours too.
        .where('expires_at', '>=', now)
        .returning(COLUMNS)
        .execute();
      return rows.map(toLease);
    },
    async list() {
      const rows = await db.selectFrom('partition_leases').select(COLUMNS).orderBy('partition').execute();
      return rows.map(toLease);
    },
  };
}
