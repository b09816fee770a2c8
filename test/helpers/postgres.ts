/**
 * A throwaway PostgreSQL for tests: `initdb` into a temporary directory, `pg_ctl start` on a
 * free loopback port (sockets in the same directory, fsync off), trust authentication for the
 * `postgres` superuser. Stopped with `pg_ctl stop -m fast`, or, failing that, by the
 * postmaster's PID (read from postmaster.pid); whatever happens to the test, it does not outlive
 * the test process.
 *
 * PostgreSQL refuses to run as root: run as root (CI containers), the directory is given to the
 * `postgres` system user (Debian's postgresql package makes it; `nobody` otherwise) and initdb and
 * pg_ctl run as that user through `runuser`.
 *
 *   const pg = await startPostgres();
 *   const url = await pg.createDatabase();   // a fresh database: postgres://postgres@127.0.0.1:PORT/t_…
 *   await pg.stop();                         // also removes the directory
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { sleep, tempDir } from './temp-dir.ts';

const run = promisify(execFile);

export interface Postgres {
  /** The `postgres` database (superuser, no password). */
  readonly url: string;
  readonly port: number;
  /** PID of the postmaster. */
  readonly pid: number;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The server log so far. */
  log(): Promise<string>;
  /** pg_ctl stop -m fast (by PID if that fails), then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/** Postmasters of this process, ended if the process exits without stopping them. */
const live = new Set<number>();
let exitHookInstalled = false;
function track(pid: number) {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) kill(p, 'SIGQUIT');
  });
}

function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Debian's versioned binary directory (newest), else PATH. */
function binary(name: 'initdb' | 'pg_ctl'): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin', name);
  }
  return name;
}

/** As root: the system user PostgreSQL runs as. */
async function runAsUser(): Promise<{ name: string; uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number((await run('id', ['-u', name])).stdout.trim());
      const gid = Number((await run('id', ['-g', name])).stdout.trim());
      return { name, uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('postgres test helper: running as root, but there is neither a postgres nor a nobody user to run PostgreSQL as');
}

export async function startPostgres(): Promise<Postgres> {
  const dir = await tempDir('postgres');
  const data = path.join(dir.path, 'data');
  const logFile = path.join(dir.path, 'postgres.log');
  const user = await runAsUser();
  if (user) await chown(dir.path, user.uid, user.gid);
  const exec = (name: 'initdb' | 'pg_ctl', args: string[]) =>
    user
      ? run('runuser', ['-u', user.name, '--', binary(name), ...args], { cwd: dir.path, timeout: 60_000 })
      : run(binary(name), args, { cwd: dir.path, timeout: 60_000 });
  const fail = async (what: string, error: unknown): Promise<never> => {
    const e = error as { stderr?: string; message: string };
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await dir.remove();
    throw new Error(`${what} failed: ${e.stderr?.trim() || e.message}${log ? `\n${log.trim()}` : ''}`);
  };

  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    return fail('initdb', error);
  }

  let port = 0;
  // A port found free can be taken before the postmaster binds it: try another one.
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await exec('pg_ctl', ['-D', data, '-l', logFile, '-o', `-p ${port} -k ${dir.path} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-t', '30', 'start']);
      break;
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (attempt < 4 && /could not bind|address already in use/i.exec(log)) continue;
      return fail('pg_ctl start', error);
    }
  }
  const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  track(pid);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;

  return {
    url,
    port,
    pid,
    async createDatabase(name = `t_${randomBytes(6).toString('hex')}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop']);
      } catch {
        // pg_ctl could not stop it: end the postmaster by its PID (SIGQUIT: immediate shutdown, then SIGKILL).
        kill(pid, 'SIGQUIT');
        for (let i = 0; i < 100 && alive(pid); i += 1) await sleep(50);
        if (alive(pid)) kill(pid, 'SIGKILL');
      }
      live.delete(pid);
      await dir.remove();
    },
  };
}
