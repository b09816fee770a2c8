import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { UsersStore, hashNewUser } from './users.store.ts';
import { openState } from '../state/index.ts';
import type { StateStore } from '../state/state.types.ts';

const opened: Array<{ dir: string; state: StateStore }> = [];
afterEach(async () => {
  for (const { dir, state } of opened.splice(0)) {
    await state.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function freshState(dir?: string): Promise<{ dir: string; state: StateStore }> {
  const d = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'users-')));
  const state = await openState({ dataDir: d }, pino({ level: 'silent' }));
  opened.push({ dir: d, state });
  return { dir: d, state };
}

describe('logins in the operational database', () => {
  it('keeps only hashes, verifies passwords, and comes back after a reopen', async () => {
    const { dir, state } = await freshState();
    const users = await UsersStore.load(state.users);
    expect(await users.addMissing([{ id: 'admin', role: 'admin', password: 'first-run-pass', mustChangePassword: true }], 1000)).toEqual([{ id: 'admin', password: 'first-run-pass' }]);
    expect(JSON.stringify(await state.users.list())).not.toContain('first-run-pass');
    expect((await users.verify('admin', 'first-run-pass'))?.mustChangePassword).toBe(true);
    expect(await users.verify('admin', 'wrong')).toBeUndefined();
    expect(await users.verify('nobody', 'first-run-pass')).toBeUndefined();
    await state.close();
    opened.pop();
    const again = await UsersStore.load((await freshState(dir)).state.users);
    expect((await again.verify('admin', 'first-run-pass'))?.id).toBe('admin');
  });

  it('writes a changed password back and clears mustChangePassword', async () => {
    const { state } = await freshState();
    const users = await UsersStore.load(state.users);
    await users.addMissing([{ id: 'admin', role: 'admin', password: 'first-run-pass', mustChangePassword: true }], 1000);
    await expect(users.changePassword('admin', 'nope', 'a-much-better-one')).rejects.toThrow(/current password is wrong/);
    await expect(users.changePassword('admin', 'first-run-pass', 'short')).rejects.toThrow(/at least 12/);
    await expect(users.changePassword('admin', 'first-run-pass', 'Admin-2024!!')).rejects.toThrow(/login id/);
    await users.changePassword('admin', 'first-run-pass', 'a-much-better-one');
    const reloaded = await UsersStore.load(state.users);
    expect((await reloaded.verify('admin', 'a-much-better-one'))?.mustChangePassword).toBe(false);
  });

  it('adds the logins it lacks, keeping the ones it has as they are', async () => {
    const { state } = await freshState();
    const users = await UsersStore.load(state.users);
    await users.addMissing([{ id: 'admin', role: 'admin', password: 'first-run-pass' }], 1000);
    const added = await users.addMissing(
      [
        { id: 'admin', role: 'admin', password: 'another-pass-1' },
        { id: 'zhou-min', name: '周敏', role: 'worker', compounds: ['c01'], password: 'duty-officer-1' },
      ],
      2000,
    );
    expect(added).toEqual([{ id: 'zhou-min', password: 'duty-officer-1' }]);
    expect(await users.verify('admin', 'first-run-pass')).toBeDefined();
    expect(await users.verify('zhou-min', 'duty-officer-1')).toMatchObject({ name: '周敏', role: 'worker' });
    expect(await users.addMissing([{ id: 'zhou-min', role: 'worker', password: 'x-x-x-x-x-x' }], 3000)).toEqual([]);
  });

  it('a disabled login cannot log in, and refresh takes an admin change at once', async () => {
    const { state } = await freshState();
    await state.users.insert(await hashNewUser({ id: 'li', role: 'worker', grids: ['g1'], password: 'worker-pass-1' }), 1000);
    const users = await UsersStore.load(state.users);
    expect(await users.verify('li', 'worker-pass-1')).toBeDefined();
    const stored = (await state.users.get('li'))!;
    const { createdAt: _c, updatedAt: _u, ...fields } = stored;
    await state.users.update({ ...fields, disabled: true }, 2000);
    expect(users.get('li')).toBeDefined();
    const { before, after } = await users.refresh('li');
    expect(before?.id).toBe('li');
    expect(after).toBeUndefined();
    expect(users.get('li')).toBeUndefined();
    expect(await users.verify('li', 'worker-pass-1')).toBeUndefined();
  });

  it('refuses an invalid users file with path: message lines', () => {
    const bad = JSON.stringify({ users: [{ id: 'Bad Id', role: 'boss', passwordHash: 'plain' }, { id: 'm', role: 'manager', passwordHash: 'plain' }] });
    let error: unknown;
    try {
      UsersStore.parse(bad, 'bad.json');
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/users\.0\.id: must match/);
    expect(String(error)).toMatch(/users\.0\.role/);
    expect(String(error)).toMatch(/users\.1\.passwordHash: must be a scrypt hash/);
    expect(() => UsersStore.parse('{', 'bad.json')).toThrow(/is not JSON/);
  });
});
