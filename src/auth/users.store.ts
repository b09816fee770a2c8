/**
 * The logins, kept in the operational database (UsersRepo) and in memory for lookups: every
 * request and socket checks its user here without waiting on the database. Changes go to the
 * database first, then to memory; administration changes the database and calls `refresh`.
 * Disabled logins are not here: they cannot log in and their sessions are not honoured.
 */
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import type { StoredUser, UsersRepo } from '../state/state.types.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';
import { checkPassword } from './password-policy.ts';
import { usersFileSchema, type User, type UsersFile } from './users.schema.ts';

/** A user to create with a known password (first run, demo). */
export interface NewUser extends Omit<User, 'passwordHash' | 'mustChangePassword'> {
  password: string;
  mustChangePassword?: boolean;
}

/** Compared against when the user does not exist, so timing does not tell who exists. */
let dummyHash: Promise<string> | undefined;

export async function hashNewUser({ password, mustChangePassword, ...user }: NewUser): Promise<User> {
  return { ...user, passwordHash: await hashPassword(password), mustChangePassword: mustChangePassword ?? false };
}

export class UsersStore {
  readonly #repo: UsersRepo;
  #readThrough = false;
  readonly #byId = new Map<string, StoredUser>();

  private constructor(repo: UsersRepo) {
    this.#repo = repo;
  }

  /** The logins in the database, taken into memory. */
  static async load(repo: UsersRepo): Promise<UsersStore> {
    const store = new UsersStore(repo);
    for (const user of await repo.list()) if (!user.disabled) store.#byId.set(user.id, user);
    return store;
  }

  /** A users file (USERS_FILE seed, or the DATA_DIR/users.json of earlier versions), checked. */
  static parse(text: string, file: string): UsersFile {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new HubError('CONFIG_INVALID', `USERS_FILE: ${file} is not JSON: ${(error as Error).message}`);
    }
    const parsed = usersFileSchema.safeParse(json);
    if (!parsed.success) throw new HubError('CONFIG_INVALID', `USERS_FILE ${file}:\n${formatIssues(parsed.error.issues)}`);
    return parsed.data;
  }

  /** Adds those of `users` whose id is not taken yet (first start, logins the demo gained); returns them with their passwords. */
  async addMissing(users: readonly NewUser[], at: number): Promise<Array<{ id: string; password: string }>> {
    const known = new Set((await this.#repo.list()).map((u) => u.id));
    const missing = users.filter((u) => !known.has(u.id));
    for (const user of missing) this.#byId.set(user.id, await this.#repo.insert(await hashNewUser(user), at));
    return missing.map((u) => ({ id: u.id, password: u.password }));
  }

  /** Whether there is any login at all, disabled ones included. */
  async isEmpty(): Promise<boolean> {
    return (await this.#repo.list()).length === 0;
  }

  get(id: string): StoredUser | undefined {
    return this.#byId.get(id);
  }

  /**
   * Several instances (docs/access.md "Logins on several instances"): a password is checked against
   * the login as the database has it (another instance may have changed it), and `current` reads it.
   */
  readThrough(): void {
    this.#readThrough = true;
  }

  get readsThrough(): boolean {
    return this.#readThrough;
  }

  /** The login as the database has it on several instances (this instance's copy when the database is away); else as kept here. */
  async current(id: string): Promise<StoredUser | undefined> {
    if (!this.#readThrough) return this.get(id);
    try {
      return (await this.refresh(id)).after;
    } catch {
      return this.get(id);
    }
  }

  list(): StoredUser[] {
    return [...this.#byId.values()];
  }

  /** Takes a login back from the database after administration changed it; returns it as it was and as it is (undefined: gone or disabled). */
  async refresh(id: string): Promise<{ before: StoredUser | undefined; after: StoredUser | undefined }> {
    const before = this.#byId.get(id);
    const stored = await this.#repo.get(id);
    const after = stored && !stored.disabled ? stored : undefined;
    if (after) this.#byId.set(id, after);
    else this.#byId.delete(id);
    return { before, after };
  }

  /** The user when the password is theirs; the same work is done for unknown and disabled users. */
  async verify(id: string, password: string): Promise<StoredUser | undefined> {
    const user = await this.current(id);
    if (!user) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  async changePassword(id: string, current: string, next: string, at: number = Date.now()): Promise<void> {
    const user = await this.verify(id, current);
    if (!user) throw new HubError('FORBIDDEN', 'current: the current password is wrong');
    if (next === current) throw new HubError('BAD_REQUEST', 'next: choose a password different from the current one');
    checkPassword(next, id);
    const { createdAt: _c, updatedAt: _u, ...fields } = user;
    const saved = await this.#repo.update({ ...fields, passwordHash: await hashPassword(next), mustChangePassword: false }, at);
    this.#byId.set(id, saved);
  }
}
