/**
 * The northbound pull tokens (migration 0010, NorthboundTokensRepo) on SQLite and on a real
 * PostgreSQL (test/helpers/postgres.ts), as the repository suite does for the other tables:
 * kept by digest with their scope, found by digest, listed oldest first, revoked once (the first
 * time stays), touched; a taken id or digest is CONFLICT; times past 2^31 come back exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openState, type OpenStateOptions, type StateStore } from '../../src/state/index.ts';
import { HubError } from '../../src/errors.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { sha, silent, T0 } from './fixtures.ts';

describe.each(['sqlite', 'postgres'] as const)('northbound tokens: the repository on %s', (engine) => {
  let postgres: Postgres | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await startPostgres();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await postgres?.stop();
  });

  async function options(): Promise<OpenStateOptions> {
    const dir = await tempDir('nb-tokens');
    cleanups.push(dir.remove);
    return { dataDir: dir.path, ...(postgres ? { databaseUrl: await postgres.createDatabase() } : {}) };
  }
  async function open(o: OpenStateOptions): Promise<StateStore> {
    const state = await openState(o, silent);
    cleanups.push(() => state.close());
    return state;
  }

  it('keeps tokens by digest with their scope, finds them by digest, lists them oldest first, without the digest', async () => {
    const state = await open(await options());
    await state.northboundTokens.insert({ id: 'nbt-bbbbbbbbbbbb', name: '市指挥中心', scope: 'all', createdBy: 'root', createdAt: T0 + 5 }, sha('secret-b'));
    await state.northboundTokens.insert({ id: 'nbt-aaaaaaaaaaaa', name: 'district', scope: ['c1', 'c2'], createdBy: 'root', createdAt: T0 }, sha('secret-a'));
    expect(await state.northboundTokens.list()).toStrictEqual([
      { id: 'nbt-aaaaaaaaaaaa', name: 'district', scope: ['c1', 'c2'], createdBy: 'root', createdAt: T0, revokedAt: null, lastUsedAt: null },
      { id: 'nbt-bbbbbbbbbbbb', name: '市指挥中心', scope: 'all', createdBy: 'root', createdAt: T0 + 5, revokedAt: null, lastUsedAt: null },
    ]);
    expect(await state.northboundTokens.findByDigest(sha('secret-b'))).toMatchObject({ id: 'nbt-bbbbbbbbbbbb', scope: 'all' });
    expect(await state.northboundTokens.findByDigest(sha('secret-c'))).toBeUndefined();
    expect(JSON.stringify(await state.northboundTokens.list())).not.toContain(sha('secret-a'));
  });

  it('refuses a taken id or a taken digest with CONFLICT', async () => {
    const state = await open(await options());
    await state.northboundTokens.insert({ id: 'nbt-aaaaaaaaaaaa', name: 'a', scope: 'all', createdBy: 'root', createdAt: T0 }, sha('a'));
    for (const [id, digest] of [['nbt-aaaaaaaaaaaa', sha('other')], ['nbt-cccccccccccc', sha('a')]] as const) {
      const error = await state.northboundTokens.insert({ id, name: 'b', scope: 'all', createdBy: 'root', createdAt: T0 }, digest).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).code).toBe('CONFLICT');
    }
    expect(await state.northboundTokens.list()).toHaveLength(1);
  });

  it('revokes once (the first time stays), notes the last use, and keeps both across reopening', async () => {
    const o = await options();
    const state = await open(o);
    await state.northboundTokens.insert({ id: 'nbt-aaaaaaaaaaaa', name: 'a', scope: ['c1'], createdBy: 'root', createdAt: T0 }, sha('a'));
    await state.northboundTokens.touch('nbt-aaaaaaaaaaaa', T0 + 10);
    expect(await state.northboundTokens.revoke('nbt-aaaaaaaaaaaa', T0 + 20)).toMatchObject({ revokedAt: T0 + 20, lastUsedAt: T0 + 10 });
    expect(await state.northboundTokens.revoke('nbt-aaaaaaaaaaaa', T0 + 30)).toMatchObject({ revokedAt: T0 + 20 });
    expect(await state.northboundTokens.revoke('nbt-000000000000', T0 + 30)).toBeUndefined();
    await state.close();
    const again = await open(o);
    expect(await again.northboundTokens.findByDigest(sha('a'))).toStrictEqual({ id: 'nbt-aaaaaaaaaaaa', name: 'a', scope: ['c1'], createdBy: 'root', createdAt: T0, revokedAt: T0 + 20, lastUsedAt: T0 + 10 });
  });
});
