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
