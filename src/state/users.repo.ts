/** Logins (users table): JSON arrays for scope, the contact as JSON text, 0/1 flags, the scrypt hash as given. */
import type { Kysely, Selectable } from 'kysely';
import { HubError } from '../errors.ts';
import type { User } from '../auth/users.schema.ts';
import type { Contact } from '../contracts/api.ts';
import { contactOrUndefined } from '../auth/contact.schema.ts';
import { flag, fromJson, isUniqueViolation, toJson } from './dialect.ts';
import type { Database, UsersTable } from './schema.ts';
import type { StoredMfa, StoredUser, UsersRepo } from './state.types.ts';

function toUser(row: Selectable<UsersTable>): StoredUser {
  const compounds = fromJson<string[]>(row.compounds);
  const grids = fromJson<string[]>(row.grids);
  const contact = contactOrUndefined(fromJson<Contact>(row.contact));
  return {
    id: row.id,
    ...(row.name !== null ? { name: row.name } : {}),
    role: row.role as StoredUser['role'],
    ...(compounds ? { compounds } : {}),
    ...(grids ? { grids } : {}),
    ...(contact ? { contact } : {}),
    passwordHash: row.password_hash,
    mustChangePassword: flag(row.must_change_password),
    disabled: flag(row.disabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function fields(user: User & { disabled?: boolean }) {
  return {
    name: user.name ?? null,
    role: user.role,
    compounds: toJson(user.compounds),
    grids: toJson(user.grids),
    contact: toJson(contactOrUndefined(user.contact)),
    password_hash: user.passwordHash,
    must_change_password: user.mustChangePassword ? 1 : 0,
    disabled: user.disabled ? 1 : 0,
  };
}

/** The second factor of a row (TOTP columns of migration 0003), or undefined. */
function toMfa(row: Pick<Selectable<UsersTable>, 'mfa_secret' | 'mfa_enabled_at' | 'mfa_last_step' | 'mfa_recovery'>): StoredMfa | undefined {
  if (row.mfa_secret === null) return undefined;
  return {
    secret: row.mfa_secret,
    ...(row.mfa_enabled_at !== null ? { enabledAt: Number(row.mfa_enabled_at) } : {}),
    ...(row.mfa_last_step !== null ? { lastStep: Number(row.mfa_last_step) } : {}),
    recoveryHashes: fromJson<string[]>(row.mfa_recovery) ?? [],
  };
}

const MFA_COLUMNS = ['id', 'mfa_secret', 'mfa_enabled_at', 'mfa_last_step', 'mfa_recovery'] as const;

export function usersRepo(db: Kysely<Database>): UsersRepo {
  const get = async (id: string) => {
    const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  };
  return {
    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('id').execute();
      return rows.map(toUser);
    },
    get,
    async insert(user, at) {
      try {
        const row = await db
          .insertInto('users')
          .values({ id: user.id, ...fields({ ...user, disabled: false }), created_at: at, updated_at: at })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUser(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new HubError('CONFLICT', `user ${user.id} exists already`, { cause: error, params: { user: user.id } });
        throw error;
      }
    },
    async update(user, at) {
      const row = await db
        .updateTable('users')
        .set({ ...fields(user), updated_at: at })
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new HubError('NOT_FOUND', `user ${user.id} does not exist`, { params: { user: user.id } });
      return toUser(row);
    },
    async getMfa(id) {
      const row = await db.selectFrom('users').select(MFA_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toMfa(row);
    },
    async listMfa() {
      const rows = await db.selectFrom('users').select(MFA_COLUMNS).where('mfa_secret', 'is not', null).orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, mfa: toMfa(row)! }));
    },
    async setMfa(id, mfa, at) {
      const result = await db
        .updateTable('users')
        .set({
          mfa_secret: mfa?.secret ?? null,
          mfa_enabled_at: mfa?.enabledAt ?? null,
          mfa_last_step: mfa?.lastStep ?? null,
          mfa_recovery: mfa ? toJson(mfa.recoveryHashes) : null,
          updated_at: at,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (!Number(result.numUpdatedRows)) throw new HubError('NOT_FOUND', `user ${id} does not exist`, { params: { user: id } });
    },
    async setUnconfirmedMfa(id, mfa, at) {
      const result = await db
        .updateTable('users')
        .set({ mfa_secret: mfa.secret, mfa_enabled_at: mfa.enabledAt ?? null, mfa_last_step: mfa.lastStep ?? null, mfa_recovery: toJson(mfa.recoveryHashes), updated_at: at })
        .where('id', '=', id)
        .where('mfa_enabled_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async setRecoveryHashes(id, hashes, at) {
      const result = await db.updateTable('users').set({ mfa_recovery: toJson(hashes), updated_at: at }).where('id', '=', id).where('mfa_enabled_at', 'is not', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async takeTotpStep(id, step) {
      // One statement: of two requests with the same code, one updates the row and the other finds it taken.
      const result = await db
        .updateTable('users')
        .set({ mfa_last_step: step })
        .where('id', '=', id)
        .where('mfa_secret', 'is not', null)
        .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async takeRecoveryCode(id, hash) {
      // Compare and set on the whole list: a code used by two requests at once is taken by one.
      for (let tries = 0; tries < 5; tries++) {
        const row = await db.selectFrom('users').select('mfa_recovery').where('id', '=', id).executeTakeFirst();
        if (!row || row.mfa_recovery === null) return undefined;
        const hashes = fromJson<string[]>(row.mfa_recovery) ?? [];
        if (!hashes.includes(hash)) return undefined;
        const left = hashes.filter((h) => h !== hash);
        const result = await db.updateTable('users').set({ mfa_recovery: toJson(left) }).where('id', '=', id).where('mfa_recovery', '=', row.mfa_recovery).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return left.length;
      }
      return undefined;
    },
  };
}
