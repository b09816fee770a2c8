/** Logins for tests: a users file in a temp dir (USERS_FILE seeds) and the access deps the API and socket need, on a real SQLite state. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { UsersStore, hashNewUser, type NewUser } from '../auth/users.store.ts';
import { Sessions } from '../auth/sessions.ts';
import { LoginLimiter, DEFAULT_LOGIN_LIMITS } from '../auth/login-limiter.ts';
import type { AccessDeps } from '../api/api.types.ts';
import { openState } from '../state/index.ts';
import type { StateStore } from '../state/state.types.ts';

export const TEST_PASSWORD = 'test-password-1';

/** admin `root`; worker `wang` (grid g1); managers `zhao` (c01) and `qian` (c02); viewer `sun` (all). */
export const FIXTURE_USERS: NewUser[] = [
  { id: 'root', role: 'admin', password: TEST_PASSWORD },
  { id: 'wang', role: 'worker', grids: ['g1'], password: TEST_PASSWORD },
  { id: 'zhao', role: 'manager', compounds: ['c01'], password: TEST_PASSWORD },
  { id: 'qian', role: 'manager', compounds: ['c02'], password: TEST_PASSWORD },
  { id: 'sun', role: 'viewer', password: TEST_PASSWORD },
];

/** Users files' text already hashed (scrypt is slow on purpose), by user list. */
const hashed = new WeakMap<NewUser[], Promise<string>>();

function usersFileText(users: NewUser[]): Promise<string> {
  let text = hashed.get(users);
  if (!text) {
    text = Promise.all(users.map(hashNewUser)).then((all) => `${JSON.stringify({ users: all }, null, 2)}\n`);
    hashed.set(users, text);
  }
  return text;
}

/** Writes a users file with `users` into a new temp folder; returns its path. */
export async function writeUsersFile(users: NewUser[] = FIXTURE_USERS): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'hub-users-')), 'users.json');
  await writeFile(file, await usersFileText(users), { mode: 0o600 });
  return file;
}

/** A fresh SQLite state in a temp dir with `users` in it. */
export async function stateFixture(users: NewUser[] = FIXTURE_USERS): Promise<StateStore> {
  const state = await openState({ dataDir: await mkdtemp(path.join(os.tmpdir(), 'hub-state-')) }, pino({ level: 'silent' }));
  const file = await writeUsersFile(users);
  for (const user of UsersStore.parse(await readFile(file, 'utf8'), file).users) await state.users.insert(user, Date.now());
  return state;
}

/** Fresh access state (own database, sessions, limiter) on each call. */
export async function accessFixture(users: NewUser[] = FIXTURE_USERS, limits = DEFAULT_LOGIN_LIMITS): Promise<AccessDeps & { state: StateStore }> {
  const state = await stateFixture(users);
  return {
    state,
    users: await UsersStore.load(state.users),
    sessions: new Sessions({ idleMs: 3_600_000, absoluteMs: 86_400_000, maxPerUser: 5 }),
    limiter: new LoginLimiter(limits),
    cookieSecure: false,
    sessionIdleMs: 3_600_000,
  };
}
