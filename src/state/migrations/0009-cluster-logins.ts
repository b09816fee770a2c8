/**
 * Issue 17 (scale-out): logins that hold on every instance of a cluster (docs/access.md "Logins on
 * several instances"). Half-done two-factor logins (mfa_pending: the SHA-256 of the `ch_mfa`
 * token, its login, when it ends), the per-account failure streak and lock of the login limiter
 * (login_failures, by the id tried in lower case: unknown ids are counted the same) and the check
 * values of keys every instance must share (key_checks: an HMAC of a constant under DATA_DIR/mfa.key).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mfa_pending')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_pending_user').on('mfa_pending').column('user_id').execute();
  await db.schema.createIndex('mfa_pending_expiry').on('mfa_pending').column('expires_at').execute();
  await db.schema
    .createTable('login_failures')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('last_failure', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('key_checks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('key_checks').execute();
  await db.schema.dropTable('login_failures').execute();
  await db.schema.dropTable('mfa_pending').execute();
}
