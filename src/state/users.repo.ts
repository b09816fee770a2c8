/** Logins (users table): JSON arrays for scope, the contact as JSON text, 0/1 flags, the scrypt hash as given. */
import type { Kysely, Selectable } from 'kysely';
import { HubError } from '../errors.ts';
import type { User } from '../auth/users.schema.ts';
import type { Contact } from '../contracts/api.ts';
import { contactOrUndefined } from '../auth/contact.schema.ts';
import { flag, fromJson, isUniqueViolation, toJson } from './dialect.ts';
import type { Database, UsersTable } from './schema.ts';
import type { StoredUser, UsersRepo } from './state.types.ts';

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
  };
}
