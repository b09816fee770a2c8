/**
 * Opens the operational database: SQLite in DATA_DIR/hub.db (better-sqlite3, WAL) by default,
 * or PostgreSQL by URL (a `pg` Pool). Both come back as the same `Kysely<Database>`; int8
 * values (times, audit ids, counts) come back as JS numbers on both.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { HubError } from '../errors.ts';
import { redactUrl } from '../util/redact-url.ts';
import type { Database } from './schema.ts';
import type { Engine, OpenStateOptions } from './state.types.ts';

export interface OpenedDatabase {
  db: Kysely<Database>;
  engine: Engine;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** The better-sqlite3 handle under Kysely (SQLite only): for the online backup. */
  sqlite?: SqliteDatabase.Database;
}

export const SQLITE_FILE = 'hub.db';
const BUSY_TIMEOUT_MS = 5000;
const PG_CONNECT_TIMEOUT_MS = 5000;
const PG_INT8 = 20;

export function sqlitePath(dataDir: string): string {
  return path.join(dataDir, SQLITE_FILE);
}

export async function openDatabase(options: OpenStateOptions, onPoolError: (error: Error) => void = () => {}): Promise<OpenedDatabase> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, onPoolError) : openSqlite(sqlitePath(options.dataDir));
}

function openSqlite(file: string): OpenedDatabase {
  let handle: SqliteDatabase.Database | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    handle = new SqliteDatabase(file);
    // Logins (hashes), sessions, contacts: for the owner only. SQLite gives its -wal and -shm the database file's mode.
    chmodSync(file, 0o600);
    handle.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the schema is what finds a file that is not a database (SQLITE_NOTADB).
    handle.prepare('SELECT count(*) FROM sqlite_master').get();
    const mode = handle.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
    handle.pragma('synchronous = NORMAL');
    handle.pragma('foreign_keys = ON');
  } catch (error) {
    try {
      handle?.close();
    } catch {
      // closing a handle that failed to open: nothing to keep
    }
    throw new HubError('STATE_UNAVAILABLE', `${file} cannot be opened as the operational database (SQLite): ${(error as Error).message}`, { cause: error });
  }
  const sqlite = handle;
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), engine: 'sqlite', location: file, sqlite };
}

async function openPostgres(url: string, onPoolError: (error: Error) => void): Promise<OpenedDatabase> {
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    // bigint columns (ms times, ids, counts) as numbers: every value kept fits in 2^53.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === PG_INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', onPoolError);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new HubError('STATE_UNAVAILABLE', `PostgreSQL at ${location} cannot be reached: ${describe(error)}`, { cause: error });
  }
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), engine: 'postgres', location };
}

/** A connection error in words: Node reports a refused `localhost` (::1 and 127.0.0.1) as an AggregateError without a message. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return [...new Set(error.errors.map(describe))].join('; ');
  const e = error as { message?: string; code?: string };
  return e.message || e.code || String(error);
}
