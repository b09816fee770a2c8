/**
 * What migration 0009 and SessionsRepo keep for logins on several instances, on SQLite and on a real
 * PostgreSQL (test/helpers/postgres.ts): sessions found by digest and touched without insert,
 * half-done two-factor logins taken once, per-account failures swapped only when unchanged, and key
 * check values (the first kept wins). Two stores open on one database stand for two instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openState, type OpenStateOptions, type StateStore } from '../../src/state/index.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { silent, T0 } from './fixtures.ts';

describe.each(['sqlite', 'postgres'] as const)('logins on several instances: the repository on %s', (engine) => {
  let postgres: Postgres | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await startPostgres();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await postgres?.stop();
  });

  /** Two stores on one fresh database (two instances). */
  async function two(): Promise<[StateStore, StateStore]> {
    const dir = await tempDir('logins');
    cleanups.push(dir.remove);
    const options: OpenStateOptions = { dataDir: dir.path, ...(postgres ? { databaseUrl: await postgres.createDatabase() } : {}) };
    const a = await openState(options, silent);
    const b = await openState(options, silent);
    cleanups.push(() => a.close(), () => b.close());
    return [a, b];
  }

  it('finds sessions by digest and touches only those kept, telling which are gone', async () => {
    const [a, b] = await two();
    await a.sessions.save([
      { id: 'd1', userId: 'li', createdAt: T0, expiresAt: T0 + 1000 },
      { id: 'd2', userId: 'wang', createdAt: T0, expiresAt: T0 + 2000 },
    ]);
    expect(await b.sessions.find([])).toEqual([]);
    expect((await b.sessions.find(['d2', 'nope', 'd1'])).sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([
      { id: 'd1', userId: 'li', createdAt: T0, expiresAt: T0 + 1000 },
      { id: 'd2', userId: 'wang', createdAt: T0, expiresAt: T0 + 2000 },
    ]);
    await a.sessions.remove(['d1']);
    expect(await b.sessions.touch([])).toEqual([]);
    expect(await b.sessions.touch([{ id: 'd1', expiresAt: T0 + 5000 }, { id: 'd2', expiresAt: T0 + 6000 }])).toEqual(['d1']);
    expect(await a.sessions.list()).toStrictEqual([{ id: 'd2', userId: 'wang', createdAt: T0, expiresAt: T0 + 6000 }]);
  });

  it('removes the sessions of a user but one, telling which', async () => {
    const [a, b] = await two();
    await a.sessions.save(['u1', 'u2', 'u3'].map((id) => ({ id, userId: id === 'u3' ? 'li' : 'zhao', createdAt: T0, expiresAt: T0 + 1000 })));
    expect(await b.sessions.removeOfUser('zhao', 'u1')).toEqual(['u2']);
    expect(await b.sessions.removeOfUser('nobody')).toEqual([]);
    expect((await a.sessions.list()).map((s) => s.id)).toEqual(['u1', 'u3']);
    expect(await b.sessions.removeOfUser('zhao')).toEqual(['u1']);
  });

  it('keeps half-done logins until they are over, taken once, and ends those of a user', async () => {
    const [a, b] = await two();
    await a.sessions.addPending({ id: 'p1', userId: 'root', expiresAt: T0 + 300_000 }, T0);
    await a.sessions.addPending({ id: 'p2', userId: 'root', expiresAt: T0 + 300_000 }, T0);
    await a.sessions.addPending({ id: 'p3', userId: 'zhao', expiresAt: T0 + 10 }, T0);
    expect(await b.sessions.pendingUser('p1', T0 + 1)).toBe('root');
    expect(await b.sessions.pendingUser('p3', T0 + 10)).toBeUndefined(); // over
    expect(await b.sessions.pendingUser('nope', T0)).toBeUndefined();
    const takes = await Promise.all([a.sessions.takePending('p1', T0 + 2), b.sessions.takePending('p1', T0 + 2)]);
    expect(takes.sort()).toEqual([false, true]);
    expect(await b.sessions.takePending('p3', T0 + 10)).toBe(false);
    await b.sessions.removePendingOf('root');
    expect(await a.sessions.pendingUser('p2', T0 + 3)).toBeUndefined();
    // Those over are removed when another is kept.
    await a.sessions.addPending({ id: 'p4', userId: 'li', expiresAt: T0 + 400_000 }, T0 + 20);
    expect(await a.sessions.takePending('p3', T0)).toBe(false);
  });

  it('swaps an account’s failures only when they are as expected', async () => {
    const [a, b] = await two();
    const one = { failures: 1, lockedUntil: 0, lastFailure: T0 };
    const two_ = { failures: 2, lockedUntil: 0, lastFailure: T0 + 1 };
    expect(await a.sessions.loginFailures('root')).toBeUndefined();
    expect(await a.sessions.swapLoginFailures('root', undefined, undefined)).toBe(true);
    expect(await a.sessions.swapLoginFailures('root', undefined, one)).toBe(true);
    expect(await b.sessions.swapLoginFailures('root', undefined, one)).toBe(false); // there is one now
    expect(await b.sessions.swapLoginFailures('root', undefined, undefined)).toBe(false);
    expect(await b.sessions.swapLoginFailures('root', two_, one)).toBe(false); // not as expected
    const raced = await Promise.all([a.sessions.swapLoginFailures('root', one, two_), b.sessions.swapLoginFailures('root', one, { ...two_, lastFailure: T0 + 2 })]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    const now = await b.sessions.loginFailures('root');
    expect(now?.failures).toBe(2);
    expect(await a.sessions.swapLoginFailures('root', one, undefined)).toBe(false);
    expect(await a.sessions.swapLoginFailures('root', now, { failures: 5, lockedUntil: T0 + 60_000, lastFailure: T0 + 3 })).toBe(true);
    expect(await b.sessions.loginFailures('root')).toStrictEqual({ failures: 5, lockedUntil: T0 + 60_000, lastFailure: T0 + 3 });
    expect(await b.sessions.swapLoginFailures('root', { failures: 5, lockedUntil: T0 + 60_000, lastFailure: T0 + 3 }, undefined)).toBe(true);
    expect(await a.sessions.loginFailures('root')).toBeUndefined();
  });

  it('keeps the first check value of a key', async () => {
    const [a, b] = await two();
    expect(await a.sessions.keyCheck('mfa.key', 'first')).toBe('first');
    expect(await b.sessions.keyCheck('mfa.key', 'second')).toBe('first');
    expect(await b.sessions.keyCheck('other', 'second')).toBe('second');
  });
});
