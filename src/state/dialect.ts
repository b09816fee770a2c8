/** Which engine a Kysely instance speaks to, and the unique-violation errors of both. */
import { PostgresAdapter, type Kysely } from 'kysely';
import type { Engine } from './state.types.ts';

export function engineOf(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A primary-key or unique violation: SQLite (better-sqlite3) or PostgreSQL (23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * The database cannot be reached or cannot take writes now (PostgreSQL down or restarting, the
 * network gone, SQLite's disk full or the file locked): not a fault of the request.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN'].includes(code)) return true;
  // PostgreSQL: connection exceptions (08…), operator intervention (57P01 admin shutdown, 57P03 cannot connect now), insufficient resources (53…).
  if (/^(08|53|57P0)/.test(code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/.test(e.message);
}

/** JSON text for a column, or null for undefined. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** A 0/1 flag (or a boolean, from a driver that maps it) as a boolean. */
export function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
