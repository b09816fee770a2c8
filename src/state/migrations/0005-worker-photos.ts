/**
 * Issue 16, the grid worker's phone view: a compound's property desk phone (`desk_phone`, the
 * worker's call button), and the photos attached to alerts on resolve (`alert_photos`: the image
 * as base64 text, so SQLite and PostgreSQL keep it the same way, as plan_images does).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compounds').addColumn('desk_phone', 'text').execute();
  await db.schema
    .createTable('alert_photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('compound', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('taken_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_photos_alert').on('alert_photos').column('alert_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_photos').execute();
  await db.schema.alterTable('compounds').dropColumn('desk_phone').execute();
}
