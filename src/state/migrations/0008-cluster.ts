/**
 * Issue 17 (scale-out): the instances of a cluster (cluster_members: who is alive, by its
 * heartbeat; the partitions are shared among them) and a version on every alert row, so a
 * workflow step taken on one instance and a change made by the partition's owner on another are
 * written as conditional updates (`where version = …`): neither overwrites the other unseen.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cluster_members')
    .addColumn('instance', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  // Rows written before count as written once: a versioned write of version 0 inserts a new alert only.
  await db.schema.alterTable('alerts').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alerts').dropColumn('version').execute();
  await db.schema.dropTable('cluster_members').execute();
}
