/** The first schema: every table of schema.ts. Schema builder only, so both engines get the same tables. */
import type { Kysely } from 'kysely';
import { engineOf } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = engineOf(db) === 'postgres';

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('compounds', 'text')
    .addColumn('grids', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('places')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('places_pk', ['kind', 'id'])
    .execute();

  await db.schema
    .createTable('compounds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('grid', 'text')
    .addColumn('buildings', 'text')
    .addColumn('zones', 'text')
    .addColumn('contacts', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('compound', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('building', 'text')
    .addColumn('zone', 'text')
    .addColumn('secret_sha256', 'text', (c) => c.notNull())
    .addColumn('report_interval_sec', 'integer', (c) => c.notNull())
    .addColumn('position_x', 'double precision')
    .addColumn('position_y', 'double precision')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('devices_pk', ['compound', 'type', 'id'])
    .execute();

  await db.schema
    .createTable('docs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound', 'text')
    .addColumn('device_key', 'text')
    .addColumn('type', 'text')
    .addColumn('rule_id', 'text')
    .addColumn('from_ms', 'bigint', (c) => c.notNull())
    .addColumn('until_ms', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('ended_by', 'text')
    .execute();
  await db.schema.createIndex('silences_until').on('silences').column('until_ms').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound', 'text', (c) => c.notNull())
    .addColumn('device_key', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_open').on('alerts').columns(['open', 'raised_at']).execute();
  await db.schema.createIndex('alerts_compound').on('alerts').column('compound').execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('webhook', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['webhook', 'alert_id', 'kind', 'at'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_at').on('webhook_deliveries').column('at').execute();

  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused, even after a prune);
  // PostgreSQL: an identity column.
  await db.schema
    .createTable('audit')
    .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('address', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('compound', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('note', 'text')
    .execute();
  for (const column of ['at', 'actor', 'compound', 'action']) {
    await db.schema.createIndex(`audit_${column}`).on('audit').column(column).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit', 'webhook_deliveries', 'alerts', 'silences', 'docs', 'devices', 'compounds', 'places', 'sessions', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
