/**
 * The users file on disk: read and checked at start, password changes written back
 * atomically (temp file + rename, mode 0600). A missing default file is created with one
 * `admin` whose generated password is returned once, to be printed at start.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import { usersFileSchema, type User, type UsersFile } from './users.schema.ts';

/** A user to create with a known password (first run, demo). */
export interface NewUser extends Omit<User, 'passwordHash' | 'mustChangePassword'> {
  password: string;
  mustChangePassword?: boolean;
}

export interface OpenedUsers {
  users: UsersStore;
  /** Set when the file was created by this start: the logins to print once. */
  created?: Array<{ id: string; password: string }>;
}

/** Compared against when the user does not exist, so timing does not tell who exists. */
let dummyHash: Promise<string> | undefined;

export class UsersStore {
  readonly #file: string;
  #data: UsersFile;

  private constructor(file: string, data: UsersFile) {
    this.#file = file;
    this.#data = data;
  }

  /**
   * Opens `file`. When it does not exist and `initial` is given, writes it with those users
   * (`initial()` is only called then); otherwise a missing file is an error.
   */
  static async open(file: string, initial?: () => NewUser[]): Promise<OpenedUsers> {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new HubError('CONFIG_INVALID', `USERS_FILE: ${file} cannot be read: ${(error as Error).message}`);
      }
    }
    if (text !== undefined) return { users: new UsersStore(file, UsersStore.parse(text, file)) };
    if (!initial) throw new HubError('CONFIG_INVALID', `USERS_FILE: ${file} does not exist`);
    const fresh = initial();
    const data: UsersFile = { users: [] };
    for (const { password, mustChangePassword, ...user } of fresh) {
      data.users.push({ ...user, passwordHash: await hashPassword(password), mustChangePassword: mustChangePassword ?? false });
    }
    const store = new UsersStore(file, usersFileSchema.parse(data));
    await store.#save();
    return { users: store, created: fresh.map((u) => ({ id: u.id, password: u.password })) };
  }

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

  /** Adds those of `users` whose id is not in the file yet (a demo data dir from an earlier version); returns them with their passwords. */
  async addMissing(users: NewUser[]): Promise<Array<{ id: string; password: string }>> {
    const missing = users.filter((u) => !this.get(u.id));
    if (!missing.length) return [];
    for (const { password, mustChangePassword, ...user } of missing) {
      this.#data.users.push({ ...user, passwordHash: await hashPassword(password), mustChangePassword: mustChangePassword ?? false });
    }
    this.#data = usersFileSchema.parse(this.#data);
    await this.#save();
    return missing.map((u) => ({ id: u.id, password: u.password }));
  }

  get(id: string): User | undefined {
    return this.#data.users.find((u) => u.id === id);
  }

  list(): readonly User[] {
    return this.#data.users;
  }

  /** The user when the password is theirs; the same work is done for unknown users. */
  async verify(id: string, password: string): Promise<User | undefined> {
    const user = this.get(id);
    if (!user) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  async changePassword(id: string, current: string, next: string): Promise<void> {
    const user = await this.verify(id, current);
    if (!user) throw new HubError('FORBIDDEN', 'current: the current password is wrong');
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw new HubError('BAD_REQUEST', `next: use at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (next === current) throw new HubError('BAD_REQUEST', 'next: choose a password different from the current one');
    user.passwordHash = await hashPassword(next);
    user.mustChangePassword = false;
    await this.#save();
  }

  async #save(): Promise<void> {
    await writeFileAtomic(this.#file, `${JSON.stringify(this.#data, null, 2)}\n`);
  }
}
