/**
 * Issue 15: two-factor login (TOTP, RFC 6238). Each login may hold a TOTP secret (sealed with the
 * key in DATA_DIR/mfa.key, never in clear), when it was confirmed (null: enrolment started, not
 * confirmed), the last time step a code was accepted for (a code is not taken twice), and the
 * SHA-256 of its unused recovery codes (JSON array).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('mfa_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('mfa_enabled_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('mfa_last_step', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('mfa_recovery', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['mfa_secret', 'mfa_enabled_at', 'mfa_last_step', 'mfa_recovery']) await db.schema.alterTable('users').dropColumn(column).execute();
}
