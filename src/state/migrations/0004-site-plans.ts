/**
 * Issue 16: compounds get their site plan's geometry (JSON: buildings, zones, roads, gates), and a
 * plan image an admin may upload (PNG or SVG, base64 text so both engines keep it the same way).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compounds').addColumn('site_plan', 'text').execute();
  await db.schema
    .createTable('plan_images')
    .addColumn('compound', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('plan_images').execute();
  await db.schema.alterTable('compounds').dropColumn('site_plan').execute();
}
