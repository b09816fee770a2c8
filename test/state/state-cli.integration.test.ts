/**
 * `compound-hub backup FILE` and `compound-hub seed [--dry-run]` (src/cli/state.cli.ts) on the
 * settings the hub reads: SQLite in DATA_DIR, and PostgreSQL by DATABASE_URL. One run goes
 * through the real entry point (bin/compound-hub.js, what `npx compound-hub` runs).
 */
import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStateCommand } from '../../src/cli/state.cli.ts';
import { openState } from '../../src/state/index.ts';
import { DEFAULT_RULES } from '../../src/rules/default.pack.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registry, sha, silent, users } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) } },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

describe('compound-hub backup / seed', () => {
  let postgres: Postgres;
  const removals: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => {
    for (const remove of removals) await remove();
    await postgres?.stop();
  });

  /** A data dir with seed files, and the env naming them. */
  async function setup(databaseUrl?: string) {
    const dir = await tempDir('state-cli');
    removals.push(dir.remove);
    const files = {
      REGISTRY_FILE: path.join(dir.path, 'registry.json'),
      RULES_FILE: path.join(dir.path, 'rules.json'),
      ALERTS_FILE: path.join(dir.path, 'alerts.json'),
      USERS_FILE: path.join(dir.path, 'users.json'),
    };
    await writeFile(files.REGISTRY_FILE, JSON.stringify(registry()));
    await writeFile(files.RULES_FILE, JSON.stringify(DEFAULT_RULES));
    await writeFile(files.ALERTS_FILE, JSON.stringify({ grids: [{ id: 'g1', compounds: ['c1'], workers: ['li-qiang'] }] }));
    await writeFile(files.USERS_FILE, JSON.stringify({ users: users() }));
    const env = { DATA_DIR: path.join(dir.path, 'data'), ...files, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    return { dir: dir.path, env, files };
  }

  it.each(['sqlite', 'postgres'] as const)('seed on %s: prints the diff, applies it unless --dry-run', async (engine) => {
    const { env, files } = await setup(engine === 'postgres' ? await postgres.createDatabase() : undefined);

    const dry = capture();
    expect(await runStateCommand(['seed', '--dry-run'], env, dry.io)).toBe(0);
    expect(dry.out).toContain('+ district xihu');
    expect(dry.out).toContain('+ device c1/elevator/e1');
    expect(dry.out).toContain('+ rules (new document)');
    expect(dry.out).toContain('+ user li-qiang');
    expect(dry.out).toMatch(/dry run, nothing written/);
    const state = await openState({ dataDir: env.DATA_DIR, databaseUrl: env.DATABASE_URL }, silent);
    try {
      expect(await state.places.isEmpty()).toBe(true);
    } finally {
      await state.close();
    }

    const apply = capture();
    expect(await runStateCommand(['seed'], env, apply.io)).toBe(0);
    expect(apply.out).toMatch(/change\(s\) applied\. A hub running on this database sees them only after a restart\./);

    // Change the files: the diff names the changes.
    const next = registry();
    const c1 = next.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
    c1.devices[0]!.name = '1号电梯';
    c1.devices.push({ id: 'e9', type: 'elevator', secretSha256: sha('e9'), reportIntervalSec: 60 });
    await writeFile(files.REGISTRY_FILE, JSON.stringify(next));
    await writeFile(files.USERS_FILE, JSON.stringify({ users: users().map((u) => (u.id === 'li-qiang' ? { ...u, role: 'manager', compounds: ['c1'] } : u)) }));
    const again = capture();
    expect(await runStateCommand(['seed', '--dry-run'], env, again.io)).toBe(0);
    expect(again.out.split('\n').filter((l) => /^[+~-] /.test(l))).toEqual([
      '~ device c1/elevator/e1: name 1号梯 → 1号电梯',
      '+ device c1/elevator/e9',
      '~ user li-qiang: role worker → manager, compounds (none) → c1',
    ]);
    expect(await runStateCommand(['seed'], env, capture().io)).toBe(0);
    const same = capture();
    expect(await runStateCommand(['seed'], env, same.io)).toBe(0);
    expect(same.out).toContain('the database already says what the seed files say');

    // A broken seed file: refused with its loader's message, nothing applied.
    await writeFile(files.RULES_FILE, JSON.stringify({ rules: [{ id: 'x' }] }));
    const broken = capture();
    expect(await runStateCommand(['seed'], env, broken.io)).toBe(1);
    expect(broken.err).toContain(files.RULES_FILE);
  });

  it('backup on SQLite writes the file and prints its size; an existing file is refused', async () => {
    const { dir, env } = await setup();
    expect(await runStateCommand(['seed'], env, capture().io)).toBe(0);
    const file = path.join(dir, 'backup.db');
    const run = capture();
    expect(await runStateCommand(['backup', file], env, run.io)).toBe(0);
    const { size } = await stat(file);
    expect(size).toBeGreaterThan(0);
    expect(run.out).toBe(`backup: ${path.join(env.DATA_DIR, 'hub.db')} → ${file} (${size} bytes)\n`);
    const none = capture();
    expect(await runStateCommand(['backup', path.join(dir, 'other.db')], { ...env, DATA_DIR: path.join(dir, 'empty-data') }, none.io)).toBe(1);
    expect(none.err).toMatch(/there is no operational database at .*empty-data\/hub\.db/);
    const refused = capture();
    expect(await runStateCommand(['backup', file], env, refused.io)).toBe(1);
    expect(refused.err).toMatch(/exists already/);
  });

  it('backup on PostgreSQL points to pg_dump', async () => {
    const { dir, env } = await setup(await postgres.createDatabase());
    const run = capture();
    expect(await runStateCommand(['backup', path.join(dir, 'x.db')], env, run.io)).toBe(1);
    expect(run.err).toMatch(/use pg_dump/);
  });

  it('answers a wrong command line with the usage', async () => {
    const { env } = await setup();
    for (const argv of [['backup'], ['backup', 'a', 'b'], ['seed', 'extra'], ['seed', '--force']]) {
      const run = capture();
      expect(await runStateCommand(argv, env, run.io)).toBe(2);
      expect(run.err).toMatch(/Usage: compound-hub backup FILE/);
    }
  });

  it('runs through the entry point (npx compound-hub backup FILE) without starting a hub', async () => {
    const { dir, env } = await setup();
    expect(await runStateCommand(['seed'], env, capture().io)).toBe(0);
    const file = path.join(dir, 'entry-backup.db');
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/compound-hub.js'), 'backup', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/^backup: .*hub\.db → .*entry-backup\.db \(\d+ bytes\)\n$/);
    expect((await stat(file)).size).toBeGreaterThan(0);
  });
});
