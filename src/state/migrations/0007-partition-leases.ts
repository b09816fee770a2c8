/**
 * Issue 17 (scale-out): the partitions' leases (design.md §10). Each row says which hub instance
 * owns partition `partition` until `expires_at`; `epoch` counts the owners it has had, so a
 * former owner's late write can be told from the current one's (a fencing token).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partition_leases')
    .addColumn('partition', 'integer', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partition_leases').execute();
}
