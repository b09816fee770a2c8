/**
 * Brings a database to this hub's schema with Kysely's Migrator and the static list in
 * ./migrations. A database that records a migration this hub does not know was written by a
 * newer hub: it is refused before anything is changed (STATE_TOO_NEW).
 */
import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely } from 'kysely';
import { HubError } from '../errors.ts';
import { MIGRATIONS } from './migrations/index.ts';

/** `0007-something` → 7 (0 when the name has no number). */
export function migrationNumber(name: string): number {
  const match = /^(\d+)/.exec(name);
  return match ? Number(match[1]) : 0;
}

/** The newest schema this hub knows. */
export const KNOWN_SCHEMA_VERSION = Math.max(0, ...Object.keys(MIGRATIONS).map(migrationNumber));

/** Names of the migrations recorded in the database (none on a fresh one). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === DEFAULT_MIGRATION_TABLE)) return [];
  const rows = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute();
  return rows.map((r) => String(r.name));
}

/** Refuses a database written by a newer hub. */
export async function checkNotTooNew(db: Kysely<any>, location: string): Promise<void> {
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !(name in MIGRATIONS));
  if (!unknown.length) return;
  const found = Math.max(...applied.map(migrationNumber));
  throw new HubError(
    'STATE_TOO_NEW',
    `${location} was written by a newer Compound Hub (schema ${found}; this hub knows up to ${KNOWN_SCHEMA_VERSION}): run the newer hub, or restore a backup made by this version (docs/storage.md)`,
    { params: { found, known: KNOWN_SCHEMA_VERSION } },
  );
}

/** Checks, migrates to the newest schema, and returns the schema version now in force. */
export async function migrate(db: Kysely<any>, location: string): Promise<number> {
  await checkNotTooNew(db, location);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new HubError('STATE_UNAVAILABLE', `${location}: ${failed ? `migration ${failed}` : 'migrating'} failed: ${(error as Error).message}`, { cause: error });
  }
  const applied = await appliedMigrations(db);
  return Math.max(0, ...applied.map(migrationNumber));
}
