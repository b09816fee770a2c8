/**
 * The operational database (src/state) against both engines: one suite, run on SQLite (a file in
 * a temp dir) and on a real PostgreSQL started for this file (test/helpers/postgres.ts). Every
 * repository method, conflicts, transactions, reopening, the newer-schema refusal, backup and
 * restore (SQLite), and the seed diff/apply.
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openState, type OpenStateOptions, type StateStore } from '../../src/state/index.ts';
import { applySeeds, diffSeeds, importSeeds, type Seeds } from '../../src/state/seed.ts';
import { Migrator, type Kysely, type KyselyPlugin } from 'kysely';
import { KNOWN_SCHEMA_VERSION, migrate } from '../../src/state/migrate.ts';
import { MIGRATIONS } from '../../src/state/migrations/index.ts';
import { BACKFILL_PAGE } from '../../src/state/migrations/0006-alert-desk.ts';
import { openDatabase } from '../../src/state/database.ts';
import { registrySchema, type RegistryData } from '../../src/config/registry.schema.ts';
import { HubError, isHubError } from '../../src/errors.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../helpers/free-port.ts';
import { alert, capturingLogger, delivery, HASH_A, HASH_B, registry, sha, silent, T0, users } from './fixtures.ts';

const ENGINES = ['sqlite', 'postgres'] as const;

/** The HubError a promise rejects with (fails the test when it resolves). */
async function hubError(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a HubError').toBeInstanceOf(HubError);
  return error as HubError;
}

/** Everything a store keeps, for "the same data" comparisons. */
async function snapshot(state: StateStore) {
  const reg = await state.places.registry();
  const devices = await Promise.all(reg.districts.flatMap((d) => d.streets.flatMap((s) => s.communities.flatMap((m) => m.compounds.map((c) => state.places.devicesOf(c.id))))));
  return {
    registry: reg,
    devices,
    compound: await state.places.getCompound('c1'),
    users: await state.users.list(),
    sessions: await state.sessions.list(),
    alerts: await state.docs.get('alerts'),
    rules: await state.docs.get('rules'),
    silences: await state.silences.list(T0),
    openAlerts: await state.alerts.listOpen(),
    deliveries: await state.deliveries.list(100),
    audit: await state.audit.query({ limit: 1000 }),
  };
}

/** A store with something in every table. */
async function populate(state: StateStore): Promise<void> {
  await state.places.replaceRegistry(registry(), T0);
  await state.places.upsertCompound({ ...(await state.places.getCompound('c1'))!, contacts: [{ name: '物业前台', phone: '0571-1234567', role: 'desk' }] }, T0 + 1);
  for (const u of users()) await state.users.insert(u, T0);
  await state.sessions.save([{ id: 's1', userId: 'admin', createdAt: T0, expiresAt: T0 + 3_600_000 }]);
  await state.docs.put('alerts', { grids: [{ id: 'g1', compounds: ['c1'], workers: ['li-qiang'] }] }, { by: 'admin', at: T0 });
  await state.docs.put('rules', { rules: [] }, { by: 'admin', at: T0 });
  await state.silences.put({ id: 's-1', compound: 'c1', from: T0 - 1000, until: T0 + 60_000, reason: '维保', actor: 'wang' });
  await state.alerts.save([alert('a-1', T0), alert('a-2', T0 + 1)]);
  await state.deliveries.save([delivery(T0), delivery(T0 + 5, 'delivered')]);
  await state.audit.append({ at: T0, actor: 'admin', actorName: 'Admin', address: '127.0.0.1', action: 'login' });
  await state.audit.append({ at: T0 + 1, actor: 'wang', action: 'device_added', target: 'device:c1/elevator/e1', compound: 'c1', before: null, after: { name: '1号梯' }, note: 'new' });
}

describe.each(ENGINES)('operational database on %s', (engine) => {
  let postgres: Postgres | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    if (engine === 'postgres') postgres = await startPostgres();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await postgres?.stop();
  });

  /** Options for a fresh, empty database of this engine. */
  async function freshOptions(): Promise<OpenStateOptions> {
    const dir = await tempDir('state');
    cleanups.push(dir.remove);
    return { dataDir: dir.path, ...(postgres ? { databaseUrl: await postgres.createDatabase() } : {}) };
  }

  async function open(options: OpenStateOptions, logger = silent): Promise<StateStore> {
    const state = await openState(options, logger);
    cleanups.push(() => state.close());
    return state;
  }

  async function fresh(): Promise<StateStore> {
    return open(await freshOptions());
  }

  /** Runs SQL on the database beside the hub (the test's own hand on the data). */
  async function raw(options: OpenStateOptions, sql: string): Promise<void> {
    if (options.databaseUrl) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    } else {
      const db = new SqliteDatabase(path.join(options.dataDir, 'hub.db'));
      db.exec(sql);
      db.close();
    }
  }

  describe('opening', () => {
    it('opens at the newest schema and logs engine, location and schema version once', async () => {
      const options = await freshOptions();
      if (options.databaseUrl) options.databaseUrl = options.databaseUrl.replace('postgres@', 'postgres:s3cret-pw@');
      const { logger, lines } = capturingLogger();
      const state = await open(options, logger);
      expect(state.engine).toBe(engine);
      expect(state.schemaVersion).toBe(KNOWN_SCHEMA_VERSION);
      expect(KNOWN_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
      if (engine === 'sqlite') expect(state.location).toBe(path.join(options.dataDir, 'hub.db'));
      else {
        expect(state.location).toBe(`postgres://127.0.0.1:${postgres!.port}${new URL(options.databaseUrl!).pathname}`);
        expect(state.location).not.toContain('s3cret');
      }
      const opened = lines.filter((l) => l.msg === 'operational database open');
      expect(opened).toHaveLength(1);
      expect(opened[0]).toMatchObject({ engine, location: state.location, schemaVersion: KNOWN_SCHEMA_VERSION });
      expect(JSON.stringify(lines)).not.toContain('s3cret');
    });

    if (engine === 'sqlite') {
      it('runs SQLite in WAL mode', async () => {
        const options = await freshOptions();
        const state = await open(options);
        await state.users.insert(users()[0]!, T0);
        const db = new SqliteDatabase(path.join(options.dataDir, 'hub.db'), { readonly: true });
        try {
          expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        } finally {
          db.close();
        }
      });
    }

    it('is empty at first and not once places, compounds, users or docs are kept', async () => {
      const state = await fresh();
      expect(await state.places.isEmpty()).toBe(true);
      await state.places.upsertPlace({ kind: 'district', id: 'xihu', name: '西湖区' }, T0);
      expect(await state.places.isEmpty()).toBe(false);

      const withCompound = await fresh();
      await withCompound.places.upsertCompound({ id: 'c1', community: 'm1', name: 'C1' }, T0);
      expect(await withCompound.places.isEmpty()).toBe(false);

      const withUser = await fresh();
      await withUser.users.insert(users()[0]!, T0);
      expect(await withUser.places.isEmpty()).toBe(false);

      const withDoc = await fresh();
      await withDoc.docs.put('rules', { rules: [] }, { by: 'seed', at: T0 });
      expect(await withDoc.places.isEmpty()).toBe(false);

      const withSessionOnly = await fresh();
      await withSessionOnly.sessions.save([{ id: 'x', userId: 'nobody', createdAt: T0, expiresAt: T0 + 1 }]);
      expect(await withSessionOnly.places.isEmpty()).toBe(true);
    });

    it('keeps everything across close and open again', async () => {
      const options = await freshOptions();
      const first = await openState(options, silent);
      await populate(first);
      const before = await snapshot(first);
      await first.close();
      await first.close(); // twice is harmless
      const again = await open(options);
      expect(again.schemaVersion).toBe(KNOWN_SCHEMA_VERSION);
      expect(await snapshot(again)).toStrictEqual(before);
      expect(await again.places.isEmpty()).toBe(false);
    });

    it('refuses a database written by a newer hub, naming both schema versions', async () => {
      const options = await freshOptions();
      const first = await openState(options, silent);
      await first.users.insert(users()[0]!, T0);
      const location = first.location;
      await first.close();
      await raw(options, `INSERT INTO kysely_migration (name, timestamp) VALUES ('0099-future-tables', '2030-01-01T00:00:00.000Z')`);
      const error = await hubError(openState(options, silent));
      expect(error.code).toBe('STATE_TOO_NEW');
      expect(error.message).toBe(
        `${location} was written by a newer Compound Hub (schema 99; this hub knows up to ${KNOWN_SCHEMA_VERSION}): run the newer hub, or restore a backup made by this version (docs/storage.md)`,
      );
      expect(error.params).toEqual({ found: 99, known: KNOWN_SCHEMA_VERSION });
      // Nothing was changed: taking the row out again, the data is all there.
      await raw(options, `DELETE FROM kysely_migration WHERE name = '0099-future-tables'`);
      const again = await open(options);
      expect((await again.users.list()).map((u) => u.id)).toEqual(['admin']);
    });
  });

  describe('users', () => {
    it('inserts, gets, lists and updates logins; CONFLICT for a taken id, NOT_FOUND for a missing one', async () => {
      const state = await fresh();
      const [admin, worker, manager] = users() as [ReturnType<typeof users>[number], ReturnType<typeof users>[number], ReturnType<typeof users>[number]];
      const stored = await state.users.insert(admin, T0);
      expect(stored).toStrictEqual({ ...admin, disabled: false, createdAt: T0, updatedAt: T0 });
      await state.users.insert(worker, T0 + 1);
      await state.users.insert(manager, T0 + 2);
      expect(await state.users.get('li-qiang')).toStrictEqual({ ...worker, disabled: false, createdAt: T0 + 1, updatedAt: T0 + 1 });
      expect(await state.users.get('nobody')).toBeUndefined();
      expect((await state.users.list()).map((u) => u.id)).toEqual(['admin', 'li-qiang', 'wang']);

      const taken = await hubError(state.users.insert({ ...worker, role: 'admin' }, T0 + 3));
      expect(taken.code).toBe('CONFLICT');
      expect(taken.params).toEqual({ user: 'li-qiang' });
      expect((await state.users.get('li-qiang'))!.role).toBe('worker');

      const { name: _name, grids: _grids, ...bare } = worker;
      const updated = await state.users.update({ ...bare, role: 'manager', compounds: ['c1'], passwordHash: HASH_A, mustChangePassword: true, disabled: true }, T0 + 10);
      expect(updated).toStrictEqual({
        id: 'li-qiang',
        role: 'manager',
        compounds: ['c1'],
        passwordHash: HASH_A,
        mustChangePassword: true,
        disabled: true,
        createdAt: T0 + 1,
        updatedAt: T0 + 10,
      });
      expect(await state.users.get('li-qiang')).toStrictEqual(updated);
      expect(typeof updated.updatedAt).toBe('number');

      const missing = await hubError(state.users.update({ ...admin, id: 'ghost', disabled: false }, T0));
      expect(missing.code).toBe('NOT_FOUND');
      expect(await state.users.get('ghost')).toBeUndefined();
    });

    it('keeps a login\'s contact (users.contact, JSON text), replaces it whole, and takes it away; seeds sync it without saying what it is', async () => {
      const state = await fresh();
      const [, worker] = users() as [ReturnType<typeof users>[number], ReturnType<typeof users>[number]];
      const contact = { mobile: '13800000001', wecom: 'LiQiang', dingtalk: 'ding-li', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706' };
      expect(await state.users.insert({ ...worker, contact }, T0)).toStrictEqual({ ...worker, contact, disabled: false, createdAt: T0, updatedAt: T0 });
      expect((await state.users.get('li-qiang'))!.contact).toStrictEqual(contact);
      expect((await state.users.list())[0]!.contact).toStrictEqual(contact);
      const { createdAt: _c, updatedAt: _u, ...stored } = (await state.users.get('li-qiang'))!;
      expect((await state.users.update({ ...stored, contact: { feishu: 'ou_other' } }, T0 + 1)).contact).toStrictEqual({ feishu: 'ou_other' });
      const { contact: _gone, ...without } = stored;
      const bare = await state.users.update(without, T0 + 2);
      expect(bare).not.toHaveProperty('contact');
      // An empty contact is no contact.
      expect(await state.users.update({ ...without, contact: {} }, T0 + 3)).not.toHaveProperty('contact');

      const seeded = { users: [{ ...worker, contact }] };
      expect((await diffSeeds(state, seeded)).lines).toEqual(['~ user li-qiang: contact (changed)']);
      expect((await applySeeds(state, seeded, 'seed', T0 + 4)).lines).toEqual(['~ user li-qiang: contact (changed)']);
      expect((await state.users.get('li-qiang'))!.contact).toStrictEqual(contact);
      const audit = JSON.stringify(await state.audit.query({ limit: 10 }));
      expect(audit).toContain('contact (changed)');
      expect(audit).not.toContain('13800000001');
    });

    it('keeps a login\'s second factor beside it (migration 0003): set, listed, a TOTP step and a recovery code each taken once, even when asked at once; user updates leave it alone', async () => {
      const options = await freshOptions();
      const state = await open(options);
      const [admin, worker] = users() as [ReturnType<typeof users>[number], ReturnType<typeof users>[number]];
      await state.users.insert(admin, T0);
      await state.users.insert(worker, T0);
      expect(await state.users.getMfa('admin')).toBeUndefined();
      expect(await state.users.listMfa()).toEqual([]);
      // Started, not confirmed: no enabledAt, no codes.
      await state.users.setMfa('admin', { secret: 'v1.sealed-a', recoveryHashes: [] }, T0 + 1);
      expect(await state.users.getMfa('admin')).toStrictEqual({ secret: 'v1.sealed-a', recoveryHashes: [] });
      const hashes = ['a', 'b', 'c'].map(sha);
      const enabledAt = T0 + 2 + 2_000_000_000; // beyond 32 bits, as times are
      await state.users.setMfa('admin', { secret: 'v1.sealed-a', enabledAt, lastStep: 59_000_000, recoveryHashes: hashes }, T0 + 2);
      const mfa = await state.users.getMfa('admin');
      expect(mfa).toStrictEqual({ secret: 'v1.sealed-a', enabledAt, lastStep: 59_000_000, recoveryHashes: hashes });
      expect(typeof mfa!.enabledAt).toBe('number');
      expect(await state.users.listMfa()).toStrictEqual([{ id: 'admin', mfa }]);
      // Not part of the login: get/list/update neither show nor touch it.
      const stored = (await state.users.get('admin'))!;
      expect(stored).not.toHaveProperty('mfa');
      expect(JSON.stringify(await state.users.list())).not.toContain('sealed');
      const { createdAt: _c, updatedAt: _u, ...fields } = stored;
      await state.users.update({ ...fields, name: 'Root' }, T0 + 3);
      expect(await state.users.getMfa('admin')).toStrictEqual(mfa);

      // A step is taken once; an earlier one is refused; a later one is taken.
      expect(await state.users.takeTotpStep('admin', 59_000_000)).toBe(false);
      expect(await state.users.takeTotpStep('admin', 59_000_001)).toBe(true);
      expect(await state.users.takeTotpStep('admin', 59_000_001)).toBe(false);
      expect(await state.users.takeTotpStep('admin', 58_999_999)).toBe(false);
      // The same step asked for at once (from two stores on one database, as two hubs would): one wins.
      const second = await open(options);
      const racing = await Promise.all([state.users.takeTotpStep('admin', 59_000_002), second.users.takeTotpStep('admin', 59_000_002), state.users.takeTotpStep('admin', 59_000_002)]);
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect((await state.users.getMfa('admin'))!.lastStep).toBe(59_000_002);
      // No second factor: nothing to take.
      expect(await state.users.takeTotpStep('li-qiang', 1)).toBe(false);

      // Recovery codes: each used once, the count left given back; the same code at once is taken by one.
      expect(await state.users.takeRecoveryCode('admin', sha('a'))).toBe(2);
      expect(await state.users.takeRecoveryCode('admin', sha('a'))).toBeUndefined();
      expect(await state.users.takeRecoveryCode('admin', sha('nope'))).toBeUndefined();
      const both = await Promise.all([state.users.takeRecoveryCode('admin', sha('b')), second.users.takeRecoveryCode('admin', sha('b'))]);
      expect(both.filter((left) => left !== undefined)).toEqual([1]);
      expect((await state.users.getMfa('admin'))!.recoveryHashes).toEqual([sha('c')]);
      expect(await state.users.takeRecoveryCode('li-qiang', sha('c'))).toBeUndefined();

      // A new secret or a confirmation is written only while none is confirmed: a stale hub cannot take a confirmed factor away.
      expect(await second.users.setUnconfirmedMfa('admin', { secret: 'v1.sealed-b', recoveryHashes: [] }, T0 + 4)).toBe(false);
      expect((await state.users.getMfa('admin'))!.secret).toBe('v1.sealed-a');
      // New recovery codes replace only the codes: the step taken stays taken.
      expect(await state.users.setRecoveryHashes('admin', [sha('d')], T0 + 4)).toBe(true);
      expect(await state.users.getMfa('admin')).toStrictEqual({ secret: 'v1.sealed-a', enabledAt, lastStep: 59_000_002, recoveryHashes: [sha('d')] });
      // …and only for a confirmed factor (not one merely started, nor none).
      expect(await state.users.setUnconfirmedMfa('li-qiang', { secret: 'v1.sealed-c', recoveryHashes: [] }, T0 + 4)).toBe(true);
      expect(await state.users.setRecoveryHashes('li-qiang', [sha('e')], T0 + 4)).toBe(false);
      expect((await state.users.getMfa('li-qiang'))!.recoveryHashes).toEqual([]);
      await state.users.setMfa('li-qiang', null, T0 + 4);

      // Removed (disabled, or an admin's reset); NOT_FOUND for a missing login.
      await state.users.setMfa('admin', null, T0 + 4);
      expect(await state.users.setRecoveryHashes('admin', [sha('f')], T0 + 4)).toBe(false);
      expect(await state.users.getMfa('admin')).toBeUndefined();
      expect(await state.users.listMfa()).toEqual([]);
      expect(await state.users.takeRecoveryCode('admin', sha('c'))).toBeUndefined();
      expect((await hubError(state.users.setMfa('ghost', { secret: 'x', recoveryHashes: [] }, T0))).code).toBe('NOT_FOUND');
    });
  });

  describe('partition leases', () => {
    const TTL = 10_000;

    it('gives a free partition to its first taker, refuses it to others until it expires, then hands it over with a new epoch', async () => {
      const state = await fresh();
      expect(await state.leases.list()).toEqual([]);
      const a = await state.leases.acquire(7, 'hub-a', T0, TTL);
      expect(a).toEqual({ partition: 7, owner: 'hub-a', expiresAt: T0 + TTL, epoch: 1 });
      // Held: another instance is refused, however often it asks; the owner may take it again (same epoch).
      expect(await state.leases.acquire(7, 'hub-b', T0 + 1, TTL)).toBeUndefined();
      expect(await state.leases.acquire(7, 'hub-a', T0 + 2, TTL)).toEqual({ partition: 7, owner: 'hub-a', expiresAt: T0 + 2 + TTL, epoch: 1 });
      // Renewed before it expires: held longer. At its expiry exactly it still holds; just after, it is free.
      const renewed = (await state.leases.renew(a!, T0 + 5_000, TTL))!;
      expect(renewed.expiresAt).toBe(T0 + 5_000 + TTL);
      expect(await state.leases.acquire(7, 'hub-b', renewed.expiresAt, TTL)).toBeUndefined();
      const b = await state.leases.acquire(7, 'hub-b', renewed.expiresAt + 1, TTL);
      expect(b).toEqual({ partition: 7, owner: 'hub-b', expiresAt: renewed.expiresAt + 1 + TTL, epoch: 2 });
      // The former owner learns it lost it: its renewal and release are refused.
      expect(await state.leases.renew(renewed, renewed.expiresAt + 2, TTL)).toBeUndefined();
      expect(await state.leases.release(renewed, renewed.expiresAt + 2)).toBe(false);
      // A graceful hand-over: released, it is free at once for the next, epoch 3.
      expect(await state.leases.release(b!, renewed.expiresAt + 3)).toBe(true);
      expect(await state.leases.renew(b!, renewed.expiresAt + 4, TTL)).toBeUndefined();
      expect((await state.leases.acquire(7, 'hub-c', renewed.expiresAt + 4, TTL))?.epoch).toBe(3);
      expect((await state.leases.list()).map((l) => [l.partition, l.owner, l.epoch])).toEqual([[7, 'hub-c', 3]]);
      await state.close();
    });

    it('lets exactly one of several instances take a partition they ask for at once, first time and on takeover', async () => {
      const options = await freshOptions();
      // Three stores on one database, as three hubs would have (opened one after the other: each migrates first).
      const stores: StateStore[] = [];
      for (let i = 0; i < 3; i++) stores.push(await open(options));
      try {
        for (let partition = 0; partition < 8; partition++) {
          const won = await Promise.all(stores.map((s, i) => s.leases.acquire(partition, `hub-${i}`, T0, TTL)));
          expect(won.filter(Boolean), `partition ${partition}`).toHaveLength(1);
          // After it expires, all ask again at once: again one, with the next epoch.
          const again = await Promise.all(stores.map((s, i) => s.leases.acquire(partition, `hub-x${i}`, T0 + TTL + 1, TTL)));
          expect(again.filter(Boolean).map((l) => l!.epoch), `partition ${partition}`).toEqual([2]);
        }
        expect(await stores[0]!.leases.list()).toHaveLength(8);
      } finally {
        for (const s of stores) await s.close();
      }
    });

    it('renews in one statement only the leases the owner holds unexpired', async () => {
      const state = await fresh();
      await state.leases.acquire(1, 'hub-a', T0, TTL);
      await state.leases.acquire(2, 'hub-a', T0, 100);
      await state.leases.acquire(3, 'hub-b', T0, TTL);
      const renewed = await state.leases.renewMine('hub-a', [1, 2, 3], T0 + 500, TTL);
      // 2 expired at T0 + 100 (anyone may take it now), 3 is another's.
      expect(renewed.map((l) => [l.partition, l.expiresAt])).toEqual([[1, T0 + 500 + TTL]]);
      expect(await state.leases.renewMine('hub-a', [], T0 + 600, TTL)).toEqual([]);
    });
  });

  describe('cluster members', () => {
    it('keeps each instance once with its latest beat, and forgets one that leaves', async () => {
      const state = await fresh();
      await state.members.heartbeat('hub-b', T0, T0);
      await state.members.heartbeat('hub-a', T0, T0 + 10);
      await state.members.heartbeat('hub-a', T0, T0 + 3000);
      expect(await state.members.list()).toEqual([
        { instance: 'hub-a', startedAt: T0, heartbeatAt: T0 + 3000 },
        { instance: 'hub-b', startedAt: T0, heartbeatAt: T0 },
      ]);
      await state.members.leave('hub-b');
      expect((await state.members.list()).map((m) => m.instance)).toEqual(['hub-a']);
    });
  });

  describe('versioned alerts (scale-out)', () => {
    it('writes an alert only over the version it started from', async () => {
      const state = await fresh();
      const a = alert('v-1', T0);
      expect(await state.alerts.writeIf(a, 0)).toBe(1);
      // Its id is taken: a second insert loses.
      expect(await state.alerts.writeIf(a, 0)).toBeUndefined();
      const accepted = { ...a, workflow: 'accepted' as const };
      expect(await state.alerts.writeIf(accepted, 1)).toBe(2);
      // Another instance still at version 1 loses, and sees what came first.
      expect(await state.alerts.writeIf({ ...a, count: 5 }, 1)).toBeUndefined();
      expect(await state.alerts.getVersioned('v-1')).toStrictEqual({ alert: accepted, version: 2 });
      await state.alerts.writeIf(alert('v-2', T0 + 1, 'closed'), 0);
      await state.alerts.writeIf({ ...alert('v-3', T0 + 2), compound: 'c02' }, 0);
      expect((await state.alerts.listOpenVersioned()).map((r) => [r.alert.id, r.version])).toEqual([['v-1', 2], ['v-3', 1]]);
      expect((await state.alerts.listOpenVersioned(['c02'])).map((r) => r.alert.id)).toEqual(['v-3']);
      expect(await state.alerts.listOpenVersioned([])).toEqual([]);
      // What changed since a time (its last sighting, 5 s after raising in the fixture), closed ones too: a lost message is caught up from it.
      expect((await state.alerts.changedSince(T0 + 5001)).map((r) => r.alert.id).sort()).toEqual(['v-2', 'v-3']);
    });

    it('takes steps of one alert from several instances in turn, none lost, and writes nothing for a step refused', async () => {
      const options = await freshOptions();
      // A cluster's instances share PostgreSQL; SQLite is one hub's (its steps come through its one connection).
      const stores: StateStore[] = [];
      for (let i = 0; i < 3; i++) stores.push(engine === 'postgres' || i === 0 ? await open(options) : stores[0]!);
      try {
        await stores[0]!.alerts.writeIf(alert('s-1', T0), 0);
        // Each instance comments at once: each step sees the one before it.
        const steps = await Promise.all(
          stores.map((s, i) =>
            s.alerts.stepLocked('s-1', ({ alert: stored }) => ({ ...stored, history: [...stored.history, { alertId: 's-1', kind: 'commented' as const, at: T0 + i, actor: `hub-${i}` }] })),
          ),
        );
        expect(steps.map((s) => s.version).sort()).toEqual([2, 3, 4]);
        const stored = (await stores[1]!.alerts.getVersioned('s-1'))!;
        expect(stored.version).toBe(4);
        expect(stored.alert.history.filter((e) => e.kind === 'commented')).toHaveLength(3);
        await expect(stores[2]!.alerts.stepLocked('s-1', () => { throw new Error('refused'); })).rejects.toThrow('refused');
        expect((await stores[0]!.alerts.getVersioned('s-1'))!.version).toBe(4);
        await expect(stores[0]!.alerts.stepLocked('nope', (s) => s.alert)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        for (const s of new Set(stores)) await s.close();
      }
    });
  });

  describe('sessions', () => {
    it('saves (insert or update by id), lists and removes sessions', async () => {
      const state = await fresh();
      expect(await state.sessions.list()).toEqual([]);
      await state.sessions.save([
        { id: 'h1', userId: 'admin', createdAt: T0, expiresAt: T0 + 1000 },
        { id: 'h2', userId: 'wang', createdAt: T0 + 1, expiresAt: T0 + 2000 },
      ]);
      await state.sessions.save([{ id: 'h1', userId: 'admin', createdAt: T0, expiresAt: T0 + 9999 }]);
      await state.sessions.save([]);
      expect(await state.sessions.list()).toStrictEqual([
        { id: 'h1', userId: 'admin', createdAt: T0, expiresAt: T0 + 9999 },
        { id: 'h2', userId: 'wang', createdAt: T0 + 1, expiresAt: T0 + 2000 },
      ]);
      await state.sessions.remove(['h1', 'nope']);
      await state.sessions.remove([]);
      expect((await state.sessions.list()).map((s) => s.id)).toEqual(['h2']);
    });
  });

  describe('places', () => {
    it('round-trips the registry through registrySchema, in the file order', async () => {
      const state = await fresh();
      const data = registry();
      await state.places.replaceRegistry(data, T0);
      const back = await state.places.registry();
      expect(registrySchema.safeParse(back).success).toBe(true);
      expect(back).toStrictEqual(registrySchema.parse(data));
      expect(back.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.devices[0]!.position).toEqual({ x: 12.5, y: 40 });
      expect(await state.places.getCompound('c1')).toStrictEqual({ id: 'c1', community: 'm1', name: '金色家园', grid: 'g1', buildings: { b1: '1号楼', b2: '2号楼' }, zones: { north: '北区' } });
      expect(await state.places.getCompound('c2')).toStrictEqual({ id: 'c2', community: 'm1', name: '银色家园', area: 'county', location: { lat: 29.6052, lon: 119.0421 } });
      const e1 = await state.places.getDevice('c1', 'elevator', 'e1');
      expect(e1).toStrictEqual({ compound: 'c1', ...data.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.devices[0]!, createdAt: T0, updatedAt: T0 });
      expect(typeof e1!.createdAt).toBe('number');
      expect(await state.places.getDevice('c1', 'elevator', 'nope')).toBeUndefined();
    });

    it('replaces the tree: changes what differs, retires devices left out, removes compounds and places left out, keeps contacts', async () => {
      const state = await fresh();
      await state.places.replaceRegistry(registry(), T0);
      await state.places.upsertCompound({ ...(await state.places.getCompound('c1'))!, contacts: [{ name: '物业前台', phone: '110' }] }, T0 + 1);

      const next = registry();
      const street = next.districts[0]!.streets[0]!;
      street.name = '灵隐';
      next.districts[0]!.streets.pop(); // beishan gone
      const c1 = street.communities[0]!.compounds[0]!;
      c1.devices = c1.devices.filter((d) => d.id !== 'p3'); // retired
      c1.devices[0]!.name = '1号电梯';
      street.communities[0]!.compounds.pop(); // c2 gone
      await state.places.replaceRegistry(next, T0 + 100);

      expect(await state.places.registry()).toStrictEqual(registrySchema.parse(next));
      expect((await state.places.getCompound('c1'))!.contacts).toEqual([{ name: '物业前台', phone: '110' }]);
      expect(await state.places.getCompound('c2')).toBeUndefined();
      const p3 = await state.places.getDevice('c1', 'parking', 'p3');
      expect(p3).toMatchObject({ retiredAt: T0 + 100, updatedAt: T0 + 100, createdAt: T0 });
      expect(await state.places.getDevice('c1', 'elevator', 'e1')).toMatchObject({ name: '1号电梯', updatedAt: T0 + 100, createdAt: T0 });
      expect(await state.places.getDevice('c1', 'elevator', 'e2')).toMatchObject({ updatedAt: T0 }); // unchanged: not written
      expect((await state.places.devicesOf('c1')).map((d) => d.id)).toEqual(['e1', 'e2', 'p3']);
      expect(await state.places.getDevice('c2', 'manhole', 'm1')).toMatchObject({ retiredAt: T0 + 100 });

      // Back in the file: in service again.
      await state.places.replaceRegistry(registry(), T0 + 200);
      expect(await state.places.registry()).toStrictEqual(registrySchema.parse(registry()));
      const back = await state.places.getDevice('c1', 'parking', 'p3');
      expect(back!.retiredAt).toBeUndefined();
      expect(back!.createdAt).toBe(T0);
    });

    it('replaces the tree in one transaction: a failing replace changes nothing', async () => {
      const state = await fresh();
      await state.places.replaceRegistry(registry(), T0);
      const before = await state.places.registry();
      const bad = registry();
      const c1 = bad.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
      c1.name = 'renamed';
      c1.devices.push({ ...c1.devices[0]!, id: 'e9' }, { ...c1.devices[0]!, id: 'e9' }); // e9 twice
      const error = await hubError(state.places.replaceRegistry(bad, T0 + 1));
      expect(error.code).toBe('CONFLICT');
      expect(await state.places.registry()).toStrictEqual(before);
      expect(await state.places.getDevice('c1', 'elevator', 'e9')).toBeUndefined();
    });

    it('upserts places and compounds', async () => {
      const state = await fresh();
      await state.places.upsertPlace({ kind: 'district', id: 'xihu', name: '西湖' }, T0);
      await state.places.upsertPlace({ kind: 'street', id: 's1', name: 'S1', parent: 'xihu' }, T0);
      await state.places.upsertPlace({ kind: 'community', id: 'm1', name: 'M1', parent: 's1' }, T0);
      await state.places.upsertPlace({ kind: 'district', id: 'xihu', name: '西湖区' }, T0 + 1);
      await state.places.upsertCompound({ id: 'c1', community: 'm1', name: 'C1', contacts: [{ name: 'desk' }] }, T0);
      await state.places.upsertCompound({ id: 'c1', community: 'm1', name: 'C1 new', grid: 'g1', zones: { z: 'Z' } }, T0 + 1);
      expect(await state.places.getCompound('c1')).toStrictEqual({ id: 'c1', community: 'm1', name: 'C1 new', grid: 'g1', zones: { z: 'Z' } });
      expect(await state.places.getCompound('nope')).toBeUndefined();
      expect(await state.places.registry()).toStrictEqual({
        districts: [{ id: 'xihu', name: '西湖区', streets: [{ id: 's1', name: 'S1', communities: [{ id: 'm1', name: 'M1', compounds: [{ id: 'c1', name: 'C1 new', grid: 'g1', zones: { z: 'Z' }, area: 'city', devices: [] }] }] }] }],
      });
    });

    it('adds devices all or none: CONFLICT names the device that exists (retired too); NOT_FOUND for an unknown compound', async () => {
      const state = await fresh();
      await state.places.replaceRegistry(registry(), T0);
      const e = (id: string) => ({ compound: 'c1', id, type: 'elevator' as const, secretSha256: sha(id), reportIntervalSec: 60 });
      await state.places.insertDevices([e('e7'), { ...e('e8'), name: '8号梯', position: { x: 1, y: 2 } }], T0 + 1);
      expect(await state.places.getDevice('c1', 'elevator', 'e8')).toStrictEqual({ ...e('e8'), name: '8号梯', position: { x: 1, y: 2 }, createdAt: T0 + 1, updatedAt: T0 + 1 });
      expect((await state.places.devicesOf('c1')).map((d) => d.id)).toEqual(['e1', 'e2', 'p3', 'e7', 'e8']);

      const duplicate = await hubError(state.places.insertDevices([e('e10'), e('e11'), e('e1')], T0 + 2));
      expect(duplicate.code).toBe('CONFLICT');
      expect(duplicate.params).toEqual({ device: 'c1/elevator/e1' });
      expect(await state.places.getDevice('c1', 'elevator', 'e10')).toBeUndefined();
      expect(await state.places.getDevice('c1', 'elevator', 'e11')).toBeUndefined();

      const inBatch = await hubError(state.places.insertDevices([e('e12'), e('e12')], T0 + 2));
      expect(inBatch.code).toBe('CONFLICT');
      expect(await state.places.getDevice('c1', 'elevator', 'e12')).toBeUndefined();

      const e2 = (await state.places.getDevice('c1', 'elevator', 'e2'))!;
      const { createdAt: _c, updatedAt: _u, ...e2Fields } = e2;
      await state.places.updateDevice({ ...e2Fields, retiredAt: T0 + 3 }, T0 + 3);
      const retired = await hubError(state.places.insertDevices([e('e2')], T0 + 4));
      expect(retired.code).toBe('CONFLICT');
      expect(retired.params).toEqual({ device: 'c1/elevator/e2' });

      const unknown = await hubError(state.places.insertDevices([{ ...e('x1'), compound: 'nowhere' }], T0));
      expect(unknown.code).toBe('NOT_FOUND');
      await state.places.insertDevices([], T0);
    });

    it('updates a device (retiring it takes it out of the registry, not out of devicesOf); NOT_FOUND for a missing one', async () => {
      const state = await fresh();
      await state.places.replaceRegistry(registry(), T0);
      const { createdAt: _c, updatedAt: _u, ...e1 } = (await state.places.getDevice('c1', 'elevator', 'e1'))!;
      const { position: _p, name: _n, ...rest } = e1;
      const updated = await state.places.updateDevice({ ...rest, secretSha256: sha('rotated'), reportIntervalSec: 15, zone: 'north' }, T0 + 5);
      expect(updated).toStrictEqual({ ...rest, secretSha256: sha('rotated'), reportIntervalSec: 15, zone: 'north', createdAt: T0, updatedAt: T0 + 5 });
      expect(await state.places.getDevice('c1', 'elevator', 'e1')).toStrictEqual(updated);

      await state.places.updateDevice({ ...rest, retiredAt: T0 + 6 }, T0 + 6);
      const live = (await state.places.registry()).districts[0]!.streets[0]!.communities[0]!.compounds[0]!.devices.map((d) => d.id);
      expect(live).toEqual(['e2', 'p3']);
      expect((await state.places.devicesOf('c1')).find((d) => d.id === 'e1')).toMatchObject({ retiredAt: T0 + 6 });

      const missing = await hubError(state.places.updateDevice({ ...rest, id: 'ghost' }, T0));
      expect(missing.code).toBe('NOT_FOUND');
      expect(missing.params).toEqual({ device: 'c1/elevator/ghost' });
    });
  });

  describe('docs', () => {
    it('writes versions: unconditional, conditional, CONFLICT naming the current version', async () => {
      const state = await fresh();
      expect(await state.docs.get('rules')).toBeUndefined();
      expect(await state.docs.put('rules', { rules: [] }, { by: 'seed', at: T0 })).toStrictEqual({ body: { rules: [] }, version: 1, updatedAt: T0, updatedBy: 'seed' });
      expect((await state.docs.put('rules', { rules: [1] }, { by: 'seed', at: T0 + 1 })).version).toBe(2);
      const third = await state.docs.put('rules', { rules: [1, 2] }, { expectedVersion: 2, by: 'admin', at: T0 + 2 });
      expect(third).toStrictEqual({ body: { rules: [1, 2] }, version: 3, updatedAt: T0 + 2, updatedBy: 'admin' });
      const stale = await hubError(state.docs.put('rules', { rules: ['stale'] }, { expectedVersion: 2, by: 'wang', at: T0 + 3 }));
      expect(stale.code).toBe('CONFLICT');
      expect(stale.params).toEqual({ version: 3 });
      expect(await state.docs.get('rules')).toStrictEqual(third);
      expect(await state.docs.get('alerts')).toBeUndefined();

      // Version 0: only while there is none.
      const created = await state.docs.put('alerts', { grids: [] }, { expectedVersion: 0, by: 'admin', at: T0 });
      expect(created.version).toBe(1);
      const exists = await hubError(state.docs.put('alerts', { grids: [1] }, { expectedVersion: 0, by: 'admin', at: T0 }));
      expect(exists.code).toBe('CONFLICT');
      expect(exists.params).toEqual({ version: 1 });
    });

    it('of two writers with the same version, one wins and the other gets CONFLICT', async () => {
      const state = await fresh();
      await state.docs.put('alerts', { v: 0 }, { by: 'seed', at: T0 });
      const results = await Promise.allSettled([
        state.docs.put('alerts', { v: 'a' }, { expectedVersion: 1, by: 'a', at: T0 + 1 }),
        state.docs.put('alerts', { v: 'b' }, { expectedVersion: 1, by: 'b', at: T0 + 1 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isHubError(lost[0]!.reason, 'CONFLICT')).toBe(true);
      const doc = (await state.docs.get('alerts'))!;
      expect(doc.version).toBe(2);
      expect(doc.body).toEqual({ v: doc.updatedBy });

    });

    it('of two stores on one database writing the same version, one wins', async () => {
      const options = await freshOptions();
      const one = await open(options);
      const two = await open(options);
      await one.docs.put('rules', { n: 0 }, { by: 'seed', at: T0 });
      const results = await Promise.allSettled([
        one.docs.put('rules', { n: 1 }, { expectedVersion: 1, by: 'one', at: T0 + 1 }),
        two.docs.put('rules', { n: 2 }, { expectedVersion: 1, by: 'two', at: T0 + 1 }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(isHubError(rejected.reason, 'CONFLICT')).toBe(true);
      expect((await two.docs.get('rules'))!.version).toBe(2);
    });
  });

  describe('silences', () => {
    it('puts, lists those in force, ends early (kept), NOT_FOUND for a missing one', async () => {
      const state = await fresh();
      await state.silences.put({ id: 's-a', compound: 'c1', from: T0, until: T0 + 1000, reason: '维保', actor: 'wang' });
      await state.silences.put({ id: 's-b', deviceKey: 'c1/elevator/e1', type: 'elevator', ruleId: 'trapped', from: T0, until: T0 + 5000, reason: 'test', actor: 'admin' });
      await state.silences.put({ id: 's-c', ruleId: 'x', from: T0 - 10, until: T0 - 1, reason: 'over', actor: 'admin' });
      expect(await state.silences.list(T0)).toStrictEqual([
        { id: 's-a', compound: 'c1', from: T0, until: T0 + 1000, reason: '维保', actor: 'wang' },
        { id: 's-b', deviceKey: 'c1/elevator/e1', type: 'elevator', ruleId: 'trapped', from: T0, until: T0 + 5000, reason: 'test', actor: 'admin' },
      ]);
      expect((await state.silences.list(T0 + 1000)).map((s) => s.id)).toEqual(['s-b']);
      // put again = extended
      await state.silences.put({ id: 's-a', compound: 'c1', from: T0, until: T0 + 9000, reason: '维保', actor: 'wang' });
      expect((await state.silences.list(T0 + 1000)).map((s) => s.id)).toEqual(['s-a', 's-b']);
      await state.silences.end('s-a', T0 + 1, 'admin');
      await state.silences.end('s-a', T0 + 2, 'wang'); // ended already: the first end stays
      expect((await state.silences.list(T0 + 2)).map((s) => s.id)).toEqual(['s-b']);
      const missing = await hubError(state.silences.end('ghost', T0, 'admin'));
      expect(missing.code).toBe('NOT_FOUND');
    });
  });

  describe('alerts', () => {
    it('saves whole alerts with their history; lists those not closed, oldest first', async () => {
      const state = await fresh();
      const late = alert('a-late', T0 + 100);
      const early = alert('a-early', T0);
      const closed = alert('a-closed', T0 - 100, 'closed');
      await state.alerts.save([late, early, closed]);
      await state.alerts.save([]);
      expect(await state.alerts.listOpen()).toStrictEqual([early, late]);
      expect(await state.alerts.get('a-closed')).toStrictEqual(closed);
      expect(await state.alerts.get('nope')).toBeUndefined();

      const accepted = { ...early, workflow: 'accepted' as const, history: [...early.history, { alertId: 'a-early', kind: 'accepted' as const, at: T0 + 50, actor: 'li-qiang' }] };
      const done = { ...late, workflow: 'closed' as const };
      await state.alerts.save([accepted, done]);
      expect(await state.alerts.listOpen()).toStrictEqual([accepted]);
      expect((await state.alerts.get('a-early'))!.history).toHaveLength(3);
    });
  });

  describe('migration 0006 (the desk columns)', () => {
    it('fills severity and assignee for every alert of a database at schema 0005, reading the bodies a page at a time', async () => {
      const options = await freshOptions();
      const opened = await openDatabase(options);
      const at0005 = await new Migrator({ db: opened.db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } }).migrateTo('0005-worker-photos');
      expect(at0005.error).toBeUndefined();
      const count = 1200;
      const severities = ['critical', 'major', 'minor'] as const;
      const bodies = Array.from({ length: count }, (_, i) => {
        const a = alert(`a-${String(i).padStart(5, '0')}`, T0 + i, i % 4 === 0 ? 'new' : 'accepted');
        return { ...a, severity: severities[i % 3]!, ...(i % 4 === 0 ? {} : { assignee: `w-${i % 7}` }) };
      });
      for (let i = 0; i < count; i += 100) {
        await (opened.db as Kysely<any>)
          .insertInto('alerts')
          .values(bodies.slice(i, i + 100).map((a) => ({ id: a.id, compound: a.compound, device_key: a.deviceKey, rule_id: a.ruleId, workflow: a.workflow, open: 1, raised_at: a.raisedAt, updated_at: a.raisedAt, body: JSON.stringify(a) })))
          .execute();
      }
      // Migrating to 0006 through a connection that counts the alert bodies each query reads.
      let most = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          if (args.result.rows.some((row) => row && typeof row === 'object' && 'body' in row)) most = Math.max(most, args.result.rows.length);
          return args.result;
        },
      };
      expect(await migrate(opened.db.withPlugin(counting), 'test')).toBe(KNOWN_SCHEMA_VERSION);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(BACKFILL_PAGE);
      const rows = (await (opened.db as Kysely<any>).selectFrom('alerts').select(['id', 'severity', 'assignee']).orderBy('id').execute()) as Array<{ id: string; severity: string | null; assignee: string | null }>;
      await opened.db.destroy();
      expect(rows).toHaveLength(count);
      expect(rows).toEqual(bodies.map((a) => ({ id: a.id, severity: a.severity, assignee: a.assignee ?? null })));

      // The hub opens it at the newest schema, the alerts as they were.
      const state = await open(options);
      expect(state.schemaVersion).toBe(KNOWN_SCHEMA_VERSION);
      expect(await state.alerts.get('a-01199')).toStrictEqual(bodies[1199]);
    });
  });

  describe('webhook deliveries', () => {
    it('saves (insert or update by webhook, alert, kind, at) and lists newest first', async () => {
      const state = await fresh();
      await state.deliveries.save([delivery(T0), delivery(T0 + 2), { ...delivery(T0 + 1), webhook: 'dingtalk' }]);
      await state.deliveries.save([{ ...delivery(T0 + 2), attempts: 3, status: 'failed', httpStatus: 502, error: 'bad gateway' }]);
      await state.deliveries.save([]);
      expect(await state.deliveries.list(10)).toStrictEqual([
        { webhook: 'wecom', alertId: 'a-1', kind: 'raised', at: T0 + 2, attempts: 3, status: 'failed', httpStatus: 502, error: 'bad gateway' },
        { webhook: 'dingtalk', alertId: 'a-1', kind: 'raised', at: T0 + 1, attempts: 1, status: 'pending' },
        { webhook: 'wecom', alertId: 'a-1', kind: 'raised', at: T0, attempts: 1, status: 'pending' },
      ]);
      expect((await state.deliveries.list(1)).map((d) => d.at)).toEqual([T0 + 2]);
    });
  });

  describe('audit', () => {
    it('appends with increasing ids, queries by filters newest first, pages back, prunes by age', async () => {
      const state = await fresh();
      const first = await state.audit.append({ at: T0, actor: 'admin', actorName: 'Admin', address: '10.0.0.1', action: 'login' });
      expect(first).toStrictEqual({ id: first.id, at: T0, actor: 'admin', actorName: 'Admin', address: '10.0.0.1', action: 'login' });
      expect(typeof first.id).toBe('number');
      const second = await state.audit.append({
        at: T0 + 10,
        actor: 'wang',
        action: 'device_added',
        target: 'device:c1/elevator/e9',
        compound: 'c1',
        before: null,
        after: { name: '9号梯', n: 1 },
        note: '新梯',
      });
      expect(second.id).toBeGreaterThan(first.id);
      expect(second).toStrictEqual({ id: second.id, at: T0 + 10, actor: 'wang', action: 'device_added', target: 'device:c1/elevator/e9', compound: 'c1', before: null, after: { name: '9号梯', n: 1 }, note: '新梯' });
      await state.audit.append({ at: T0 + 20, actor: 'wang', action: 'silence_created', compound: 'c2', after: [1, 2] });
      await state.audit.append({ at: T0 + 30, actor: 'li-qiang', action: 'alert_accepted', compound: 'c1', target: 'alert:a-1' });

      const ids = async (q: Parameters<StateStore['audit']['query']>[0]) => (await state.audit.query(q)).map((e) => e.at - T0);
      expect(await ids({})).toEqual([30, 20, 10, 0]);
      expect(await ids({ actor: 'wang' })).toEqual([20, 10]);
      expect(await ids({ compound: 'c1' })).toEqual([30, 10]);
      expect(await ids({ action: 'login' })).toEqual([0]);
      expect(await ids({ from: T0 + 10, to: T0 + 30 })).toEqual([20, 10]);
      expect(await ids({ actor: 'wang', compound: 'c1', action: 'device_added' })).toEqual([10]);
      expect(await ids({ limit: 2 })).toEqual([30, 20]);
      const page = await state.audit.query({ limit: 2 });
      expect(await ids({ beforeId: page[1]!.id, limit: 2 })).toEqual([10, 0]);
      expect(await ids({ beforeId: first.id })).toEqual([]);

      expect(await state.audit.prune(T0 + 20)).toBe(2);
      expect(await ids({})).toEqual([30, 20]);
      expect(await state.audit.prune(T0)).toBe(0);
      // Ids are not reused after a prune.
      const next = await state.audit.append({ at: T0 + 40, actor: 'hub', action: 'alert_escalated' });
      expect(next.id).toBeGreaterThan(second.id + 1);
    });

    it('gives at most 1000 entries, 100 by default', async () => {
      const state = await fresh();
      for (let i = 0; i < 1005; i += 1) await state.audit.append({ at: T0 + i, actor: 'hub', action: 'tick' });
      expect(await state.audit.query({})).toHaveLength(100);
      expect(await state.audit.query({ limit: 5000 })).toHaveLength(1000);
      expect((await state.audit.query({ limit: 5000 }))[0]!.at).toBe(T0 + 1004);
    });
  });

  describe('backup', () => {
    it(engine === 'sqlite' ? 'backs up a running database; the copy restores into a fresh data dir with the same data' : 'refuses: PostgreSQL is backed up with pg_dump', async () => {
      const options = await freshOptions();
      const state = await open(options);
      await populate(state);
      const dir = await tempDir('backup');
      cleanups.push(dir.remove);
      const file = path.join(dir.path, 'hub-backup.db');
      if (engine === 'postgres') {
        const error = await hubError(state.backup(file));
        expect(error.code).toBe('STATE_UNSUPPORTED');
        expect(error.message).toMatch(/^use pg_dump: /);
        return;
      }
      await state.backup(file);
      expect((await stat(file)).size).toBeGreaterThan(0);
      // Never over an existing backup; an empty file (made by mktemp) is fine.
      const again = await hubError(state.backup(file));
      expect(again.code).toBe('BAD_REQUEST');
      const nowhere = await hubError(state.backup(path.join(dir.path, 'no-such-folder', 'b.db')));
      expect(nowhere.code).toBe('BAD_REQUEST');
      const empty = path.join(dir.path, 'empty.db');
      await writeFile(empty, '');
      await state.backup(empty);
      expect((await stat(empty)).size).toBeGreaterThan(0);

      // Written after the backup: not in it.
      await state.audit.append({ at: T0 + 99, actor: 'admin', action: 'after_backup' });
      const before = await snapshot(state);

      // Restore: (hub stopped) the copy becomes DATA_DIR/hub.db of a fresh data dir, no -wal/-shm beside it.
      const restored = await tempDir('restored');
      cleanups.push(restored.remove);
      await mkdir(restored.path, { recursive: true });
      await copyFile(file, path.join(restored.path, 'hub.db'));
      expect((await readdir(restored.path)).sort()).toEqual(['hub.db']);
      const back = await open({ dataDir: restored.path });
      const after = await snapshot(back);
      expect(after.audit.map((e) => e.action)).toEqual(['device_added', 'login']);
      expect({ ...after, audit: [] }).toStrictEqual({ ...before, audit: [] });
      expect(after.audit).toStrictEqual(before.audit.filter((e) => e.action !== 'after_backup'));
    });
  });

  describe('seeds', () => {
    const seeds = (): Seeds & { registry: RegistryData } => ({ registry: registry(), alerts: { grids: [{ id: 'g1', compounds: ['c1'], workers: ['li-qiang'] }] }, rules: { rules: [] }, users: users() });

    it('imports at the first start; the same seeds then differ in nothing', async () => {
      const state = await fresh();
      expect(await importSeeds(state, seeds(), 'seed', T0)).toEqual({ places: 4, compounds: 2, devices: 4, users: 3, docs: ['alerts', 'rules'] });
      expect(await state.places.isEmpty()).toBe(false);
      expect(await state.places.registry()).toStrictEqual(registry());
      expect(await state.docs.get('alerts')).toMatchObject({ version: 1, updatedBy: 'seed', body: seeds().alerts });
      expect((await state.users.list()).map((u) => u.id)).toEqual(['admin', 'li-qiang', 'wang']);
      expect(await diffSeeds(state, seeds())).toEqual({ lines: [] });
      expect((await state.audit.query({ action: 'seed_imported' })).length).toBe(1);
    });

    it('shows a site plan the sync would change or drop, summarised; a compound removed takes its plan image with it', async () => {
      const state = await fresh();
      await importSeeds(state, seeds(), 'seed', T0);
      // Set through the API since: a plan and its image.
      const plan = {
        buildings: [1, 2, 3, 4].map((n) => ({ id: `b${n}`, outline: [[n, n], [n + 5, n], [n + 5, n + 5]] as Array<[number, number]> })),
        zones: [],
        roads: [{ line: [[0, 0], [100, 100]] as Array<[number, number]>, width: 3 }, { line: [[0, 100], [100, 0]] as Array<[number, number]>, width: 3 }],
        gates: [],
      };
      const { sitePlan: _none, ...c1 } = (await state.places.getCompound('c1'))!;
      await state.places.upsertCompound({ ...c1, sitePlan: plan }, T0 + 1);
      await state.planImages.put({ compound: 'c2', type: 'image/png', data: Buffer.from('png'), updatedAt: T0 + 1, updatedBy: 'admin' });

      // The file has no plan for c1: the sync would drop it, and says so without the geometry.
      expect((await diffSeeds(state, seeds())).lines).toEqual(['~ compound c1: sitePlan 4 buildings, 2 roads → (none)']);
      const moved = seeds();
      moved.registry.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.sitePlan = { ...plan, roads: [{ ...plan.roads[0]!, width: 5 }, plan.roads[1]!] };
      expect((await diffSeeds(state, moved)).lines).toEqual(['~ compound c1: sitePlan 4 buildings, 2 roads (geometry changed)']);

      // c2 left out, then back under the same id: no old image.
      const without = seeds();
      without.registry.districts[0]!.streets[0]!.communities[0]!.compounds.pop();
      await applySeeds(state, without, 'seed', T0 + 2);
      expect(await state.planImages.info('c2')).toBeUndefined();
      await applySeeds(state, seeds(), 'seed', T0 + 3);
      expect(await state.planImages.get('c2')).toBeUndefined();
      expect((await state.places.getCompound('c1'))!.sitePlan).toBeUndefined();
    });

    it('diffs the seed files against the database, line by line, and applies them', async () => {
      const state = await fresh();
      await importSeeds(state, seeds(), 'seed', T0);
      // Changed through the product since: a password and a disabled login stay as they are.
      const li = (await state.users.get('li-qiang'))!;
      const { createdAt: _c, updatedAt: _u, ...liFields } = li;
      await state.users.update({ ...liFields, passwordHash: HASH_A, mustChangePassword: true }, T0 + 1);
      const wang = (await state.users.get('wang'))!;
      const { createdAt: _c2, updatedAt: _u2, ...wangFields } = wang;
      await state.users.update({ ...wangFields, disabled: true }, T0 + 1);

      const next = seeds();
      const c1 = next.registry.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
      c1.devices.push({ id: 'e9', type: 'elevator', secretSha256: sha('e9'), reportIntervalSec: 60 });
      c1.devices[0]!.name = '1号电梯';
      c1.devices[1]!.secretSha256 = sha('new secret');
      c1.devices = c1.devices.filter((d) => d.id !== 'p3');
      c1.grid = 'g2';
      const c2 = next.registry.districts[0]!.streets[0]!.communities[0]!.compounds[1]!;
      c2.area = 'city';
      c2.location = { lat: 29.6, lon: 119.04 };
      next.registry.districts[0]!.streets.pop();
      next.rules = { rules: [{ changed: true }] };
      next.alerts = { grids: [{ workers: ['li-qiang'], compounds: ['c1'], id: 'g1' }] }; // same document, keys in another order
      const { grids: _grids, ...liSeed } = users()[1]!;
      next.users = [
        { ...liSeed, role: 'manager', compounds: ['c1'] },
        { id: 'zhao', role: 'viewer', passwordHash: HASH_B, mustChangePassword: false },
        { ...users()[2]!, name: '王经理' },
      ];

      const expected = [
        '- street beishan',
        '~ compound c1: grid g1 → g2',
        '~ compound c2: area county → city, location {"lat":29.6052,"lon":119.0421} → {"lat":29.6,"lon":119.04}',
        '~ device c1/elevator/e1: name 1号梯 → 1号电梯',
        '~ device c1/elevator/e2: secret changed',
        '+ device c1/elevator/e9',
        '- device c1/parking/p3 (retired)',
        '~ rules (document differs)',
        '~ user li-qiang: role worker → manager, compounds (none) → c1, grids g1 → (none)',
        '+ user zhao',
        '~ user wang: name (none) → 王经理',
      ];
      expect((await diffSeeds(state, next)).lines).toEqual(expected);
      // A dry run changes nothing.
      expect((await diffSeeds(state, next)).lines).toEqual(expected);
      expect(await state.places.getDevice('c1', 'elevator', 'e9')).toBeUndefined();

      expect((await applySeeds(state, next, 'seed', T0 + 50)).lines).toEqual(expected);
      expect(await diffSeeds(state, next)).toEqual({ lines: [] });
      expect(await state.places.registry()).toStrictEqual(registrySchema.parse(next.registry));
      expect(await state.places.getDevice('c1', 'parking', 'p3')).toMatchObject({ retiredAt: T0 + 50 });
      expect((await state.docs.get('rules'))!).toMatchObject({ version: 2, body: { rules: [{ changed: true }] }, updatedBy: 'seed' });
      expect((await state.docs.get('alerts'))!.version).toBe(1);
      expect(await state.users.get('li-qiang')).toStrictEqual({
        id: 'li-qiang',
        name: '李强',
        role: 'manager',
        compounds: ['c1'],
        passwordHash: HASH_A,
        mustChangePassword: true,
        disabled: false,
        createdAt: T0,
        updatedAt: T0 + 50,
      });
      expect(await state.users.get('wang')).toMatchObject({ name: '王经理', disabled: true });
      expect(await state.users.get('zhao')).toMatchObject({ role: 'viewer', passwordHash: HASH_B });
      // Users are never deleted by a sync.
      expect((await state.users.list()).map((u) => u.id)).toEqual(['admin', 'li-qiang', 'wang', 'zhao']);
      const [entry] = await state.audit.query({ action: 'seed_applied' });
      expect(entry).toMatchObject({ actor: 'seed', at: T0 + 50, after: { changes: expected } });

      // A retired device back in the file, and a new document.
      const fresher = await fresh();
      await applySeeds(fresher, { registry: next.registry }, 'seed', T0);
      expect((await diffSeeds(fresher, { registry: registry(), alerts: { a: 1 } })).lines).toEqual([
        '+ street beishan',
        '~ compound c1: grid g2 → g1',
        '~ compound c2: area city → county, location {"lat":29.6,"lon":119.04} → {"lat":29.6052,"lon":119.0421}',
        '~ device c1/elevator/e1: name 1号电梯 → 1号梯',
        '~ device c1/elevator/e2: secret changed',
        '+ device c1/parking/p3',
        '- device c1/elevator/e9 (retired)',
        '+ alerts (new document)',
      ]);
      await applySeeds(fresher, { registry: registry() }, 'seed', T0 + 1);
      expect((await diffSeeds(fresher, { registry: next.registry })).lines).toEqual([
        '- street beishan',
        '~ compound c1: grid g1 → g2',
        '~ compound c2: area county → city, location {"lat":29.6052,"lon":119.0421} → {"lat":29.6,"lon":119.04}',
        '~ device c1/elevator/e1: name 1号梯 → 1号电梯',
        '~ device c1/elevator/e2: secret changed',
        '+ device c1/elevator/e9 (back from retirement)',
        '- device c1/parking/p3 (retired)',
      ]);
    });
  });
});

describe('opening a database that cannot be used', () => {
  it('names an unreachable PostgreSQL by its URL without the password', async () => {
    const port = await freePort();
    const error = await hubError(openState({ dataDir: '/nonexistent', databaseUrl: `postgres://hub:t0ps3cret@127.0.0.1:${port}/hub?sslmode=disable` }, silent));
    expect(error.code).toBe('STATE_UNAVAILABLE');
    expect(error.message).toContain(`PostgreSQL at postgres://127.0.0.1:${port}/hub cannot be reached`);
    expect(error.message).not.toContain('t0ps3cret');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('names a SQLite file that is not a database', async () => {
    const dir = await tempDir('corrupt');
    try {
      const file = path.join(dir.path, 'hub.db');
      await writeFile(file, 'this is not a database, just some text that is long enough '.repeat(200));
      const error = await hubError(openState({ dataDir: dir.path }, silent));
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.message).toContain(file);
      expect(error.message).toMatch(/not a database/);
    } finally {
      await dir.remove();
    }
  });

  it('names a SQLite path that cannot be opened', async () => {
    const dir = await tempDir('unreadable');
    try {
      await mkdir(path.join(dir.path, 'hub.db')); // a directory where the file should be
      const error = await hubError(openState({ dataDir: dir.path }, silent));
      expect(error.code).toBe('STATE_UNAVAILABLE');
      expect(error.message).toContain(path.join(dir.path, 'hub.db'));
    } finally {
      await dir.remove();
    }
  });
});
