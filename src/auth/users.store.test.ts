import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsersStore } from './users.store.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
const fresh = async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'users-')));

describe('users file', () => {
  it('is created at first run with the given users, hashed, mode 0600, and the passwords returned once', async () => {
    const file = path.join(await fresh(), 'sub', 'users.json');
    const first = await UsersStore.open(file, () => [{ id: 'admin', role: 'admin', password: 'first-run-pass', mustChangePassword: true }]);
    expect(first.created).toEqual([{ id: 'admin', password: 'first-run-pass' }]);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('first-run-pass');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await UsersStore.open(file, () => {
      throw new Error('not called when the file exists');
    });
    expect(again.created).toBeUndefined();
    expect((await again.users.verify('admin', 'first-run-pass'))?.mustChangePassword).toBe(true);
    expect(await again.users.verify('admin', 'wrong')).toBeUndefined();
    expect(await again.users.verify('nobody', 'first-run-pass')).toBeUndefined();
  });

  it('writes a changed password back and clears mustChangePassword', async () => {
    const file = path.join(await fresh(), 'users.json');
    const { users } = await UsersStore.open(file, () => [{ id: 'admin', role: 'admin', password: 'first-run-pass', mustChangePassword: true }]);
    await expect(users.changePassword('admin', 'nope', 'a-much-better-one')).rejects.toThrow(/current password is wrong/);
    await expect(users.changePassword('admin', 'first-run-pass', 'short')).rejects.toThrow(/at least 10/);
    await users.changePassword('admin', 'first-run-pass', 'a-much-better-one');
    const reopened = (await UsersStore.open(file)).users;
    expect((await reopened.verify('admin', 'a-much-better-one'))?.mustChangePassword).toBe(false);
  });

  it('adds the logins a file lacks, keeping the ones it has as they are', async () => {
    const file = path.join(await fresh(), 'users.json');
    const { users } = await UsersStore.open(file, () => [{ id: 'admin', role: 'admin', password: 'first-run-pass' }]);
    const added = await users.addMissing([
      { id: 'admin', role: 'admin', password: 'another-pass-1' },
      { id: 'zhou-min', name: '周敏', role: 'worker', compounds: ['c01'], password: 'duty-officer-1' },
    ]);
    expect(added).toEqual([{ id: 'zhou-min', password: 'duty-officer-1' }]);
    const reopened = (await UsersStore.open(file)).users;
    expect(await reopened.verify('admin', 'first-run-pass')).toBeDefined();
    expect(await reopened.verify('zhou-min', 'duty-officer-1')).toMatchObject({ name: '周敏', role: 'worker' });
    expect(await users.addMissing([{ id: 'zhou-min', role: 'worker', password: 'x-x-x-x-x-x' }])).toEqual([]);
  });

  it('refuses a missing USERS_FILE and an invalid one with path: message lines', async () => {
    const d = await fresh();
    await expect(UsersStore.open(path.join(d, 'none.json'))).rejects.toThrow(/does not exist/);
    const bad = path.join(d, 'bad.json');
    await writeFile(bad, JSON.stringify({ users: [{ id: 'Bad Id', role: 'boss', passwordHash: 'plain' }, { id: 'm', role: 'manager', passwordHash: 'plain' }] }));
    const error = await UsersStore.open(bad).catch((e: Error) => e);
    expect(String(error)).toMatch(/users\.0\.id: must match/);
    expect(String(error)).toMatch(/users\.0\.role/);
    expect(String(error)).toMatch(/users\.1\.passwordHash: must be a scrypt hash/);
    await writeFile(bad, '{');
    await expect(UsersStore.open(bad)).rejects.toThrow(/is not JSON/);
  });
});
