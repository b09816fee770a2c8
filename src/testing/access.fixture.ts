/** Logins for tests: a users file in a temp dir and the access deps the API and socket need. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsersStore, type NewUser } from '../auth/users.store.ts';
import { Sessions } from '../auth/sessions.ts';
import { LoginLimiter, DEFAULT_LOGIN_LIMITS } from '../auth/login-limiter.ts';
import type { AccessDeps } from '../api/api.types.ts';

export const TEST_PASSWORD = 'test-password-1';

/** admin `root`; worker `wang` (grid g1); managers `zhao` (c01) and `qian` (c02); viewer `sun` (all). */
export const FIXTURE_USERS: NewUser[] = [
  { id: 'root', role: 'admin', password: TEST_PASSWORD },
  { id: 'wang', role: 'worker', grids: ['g1'], password: TEST_PASSWORD },
  { id: 'zhao', role: 'manager', compounds: ['c01'], password: TEST_PASSWORD },
  { id: 'qian', role: 'manager', compounds: ['c02'], password: TEST_PASSWORD },
  { id: 'sun', role: 'viewer', password: TEST_PASSWORD },
];

/** Users files already hashed (scrypt is slow on purpose), by user list. */
const hashed = new WeakMap<NewUser[], Promise<string>>();

/** Writes a users file with `users` into a new temp folder; returns its path. */
export async function writeUsersFile(users: NewUser[] = FIXTURE_USERS): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'hub-users-')), 'users.json');
  let text = hashed.get(users);
  if (!text) {
    text = UsersStore.open(file, () => users).then(() => readFile(file, 'utf8'));
    hashed.set(users, text);
  }
  await writeFile(file, await text);
  return file;
}

/** Fresh access state (own users file copy, sessions, limiter) on each call. */
export async function accessFixture(users: NewUser[] = FIXTURE_USERS, limits = DEFAULT_LOGIN_LIMITS): Promise<AccessDeps> {
  const opened = await UsersStore.open(await writeUsersFile(users));
  return {
    users: opened.users,
    sessions: new Sessions({ idleMs: 3_600_000, absoluteMs: 86_400_000, maxPerUser: 5 }),
    limiter: new LoginLimiter(limits),
    cookieSecure: false,
    sessionIdleMs: 3_600_000,
  };
}
