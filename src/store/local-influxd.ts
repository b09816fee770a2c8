/**
 * A local InfluxDB 1.x server managed by the hub (when no INFLUX_URL is given and an
 * `influxd` 1.x is on PATH), and by the integration tests: HTTP and RPC bound to free
 * loopback ports, reporting disabled, meta/data/wal under a given dir, a generated
 * config file, stopped by PID (SIGTERM, then SIGKILL after a grace period).
 * Its PID is kept in `influxd.pid` under the data dir while it runs: an influxd left there by a
 * hub that died hard (SIGKILL) is stopped by the next start, after checking by
 * /proc/PID/cmdline that it is an influxd run with this data dir's config (never by name).
 * InfluxDB 2.x/3.x binaries are not managed: run them yourself and set INFLUX_URL.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { HubError } from '../errors.ts';
import { isAlive, processArgs, processStartTicks, waitForExit } from '../util/proc.ts';

const STOP_GRACE_MS = 5000;
const START_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;
const STDERR_TAIL_LINES = 8;

export type InfluxdLookup = { ok: true; path: string; version: string } | { ok: false; reason: string };

export interface LocalInfluxd {
  url: string;
  port: number;
  /** PID of the running process (a new one after `restart`). */
  readonly pid: number | undefined;
  dataDir: string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Sends a signal to the process (SIGKILL, SIGSTOP, SIGCONT: for fault tests); does not wait. */
  kill(signal: NodeJS.Signals): void;
  /** Starts it again on the same ports and data dir (stopping it first if it still runs). */
  restart(): Promise<void>;
}

/** Written under the data dir while influxd runs: which process it is, and which process started it. */
export const INFLUXD_PID_FILE = 'influxd.pid';

interface PidRecord {
  pid: number;
  /** The process that started it (a hub, a test), and its /proc start time: tells a live owner from a reused PID. */
  owner: number;
  ownerStartTicks?: number;
}

/** influxd processes this process runs (by PID). */
const ownInfluxds = new Set<number>();

/** Whether `pid` is an influxd run with `configFile` (its /proc/PID/cmdline names both). */
function isInfluxdOf(pid: number, configFile: string): boolean {
  const args = processArgs(pid);
  return Boolean(args?.some((arg) => path.basename(arg) === 'influxd') && args.includes(configFile));
}

/**
 * Stops an influxd left in this data dir by an earlier hub that is gone (known by the pid file).
 * One whose starter still runs is not touched: the start is refused instead.
 */
async function stopLeftover(dataDir: string, configFile: string, log: Logger | undefined): Promise<void> {
  const pidFile = path.join(dataDir, INFLUXD_PID_FILE);
  let saved: Partial<PidRecord>;
  try {
    saved = JSON.parse(await readFile(pidFile, 'utf8')) as Partial<PidRecord>;
  } catch {
    await rm(pidFile, { force: true });
    return; // none, or not readable as one
  }
  const pid = saved.pid;
  if (Number.isInteger(pid) && isAlive(pid!) && isInfluxdOf(pid!, configFile)) {
    const owner = saved.owner;
    const ownerRuns =
      owner !== undefined && isAlive(owner) && (saved.ownerStartTicks === undefined || processStartTicks(owner) === saved.ownerStartTicks);
    if (ownInfluxds.has(pid!) || (ownerRuns && owner !== process.pid)) {
      throw new HubError('INFLUXD_START_FAILED', `${dataDir} is in use by influxd (pid ${pid}) of a running process (pid ${owner}); stop that one first`);
    }
    log?.warn({ pid, dataDir }, 'stopping an influxd left behind by an earlier hub');
    process.kill(pid!, 'SIGCONT');
    process.kill(pid!, 'SIGTERM');
    if (!(await waitForExit(pid!, STOP_GRACE_MS))) {
      process.kill(pid!, 'SIGKILL');
      await waitForExit(pid!, STOP_GRACE_MS);
    }
  }
  await rm(pidFile, { force: true });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const SEARCH_PATH = ['/usr/bin', '/usr/sbin', '/usr/local/bin'];
const run = promisify(execFile);

/** The version an `influxd` binary reports (`influxd version`), e.g. "1.6.7". */
export async function influxdVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['version'], { timeout: 5000 });
  return /v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
}

function unsupported(binary: string, version: string): string {
  return `${binary} is InfluxDB ${version}; only 1.x can be managed by the hub. Run it yourself and set INFLUX_URL (with INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET)`;
}

/** Looks for an `influxd` on PATH (then /usr/bin, /usr/sbin, /usr/local/bin) and checks that it is 1.x. */
export async function findInfluxd(): Promise<InfluxdLookup> {
  const dirs = [...new Set([...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH_PATH].filter(Boolean))];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'influxd');
    let version: string;
    try {
      version = await influxdVersion(candidate);
    } catch {
      continue; // not here, or not runnable
    }
    if (!version.startsWith('1.')) return { ok: false, reason: unsupported(candidate, version) };
    return { ok: true, path: candidate, version };
  }
  return { ok: false, reason: 'no influxd on PATH' };
}

/** A TOML basic string (JSON string escapes are valid TOML escapes). */
const toml = (value: string) => JSON.stringify(value);

function configText(dataDir: string, httpPort: number, rpcPort: number): string {
  return [
    'reporting-disabled = true',
    `bind-address = ${toml(`127.0.0.1:${rpcPort}`)}`,
    '[meta]',
    `  dir = ${toml(path.join(dataDir, 'meta'))}`,
    '[data]',
    `  dir = ${toml(path.join(dataDir, 'data'))}`,
    `  wal-dir = ${toml(path.join(dataDir, 'wal'))}`,
    '  query-log-enabled = false',
    '[http]',
    `  bind-address = ${toml(`127.0.0.1:${httpPort}`)}`,
    '  log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
  ].join('\n');
}

/** The environment without INFLUXDB_* variables, which would override the generated config. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('INFLUXDB_')));
}

async function waitForPing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HubError('INFLUXD_START_FAILED', `influxd exited (${child.exitCode ?? child.signalCode}) before answering /ping:\n${stderr()}`);
    }
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 204) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new HubError('INFLUXD_START_FAILED', `influxd did not answer /ping at ${url} within ${START_TIMEOUT_MS / 1000} s:\n${stderr()}`);
}

export async function startLocalInfluxd(options: { dataDir: string; binary?: string; port?: number; logger?: Logger }): Promise<LocalInfluxd> {
  const binary = options.binary ?? 'influxd';
  const log = options.logger?.child({ stage: 'influxd' });
  let version: string;
  try {
    version = await influxdVersion(binary);
  } catch (error) {
    throw new HubError('INFLUXD_START_FAILED', `cannot run ${binary} version: ${(error as Error).message}`, { cause: error });
  }
  if (!version.startsWith('1.')) throw new HubError('INFLUXD_START_FAILED', unsupported(binary, version));

  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const configFile = path.join(dataDir, 'influxd.conf');
  const pidFile = path.join(dataDir, INFLUXD_PID_FILE);
  await stopLeftover(dataDir, configFile, log);
  let port = options.port ?? (await freePort());
  let rpcPort = await freePort();
  let child: ChildProcess | undefined;
  let stderrTail: string[] = [];
  // Never leave an orphan influxd behind when the process exits (a hub that dies hard leaves its pid file instead).
  const killOnExit = () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    try {
      unlinkSync(pidFile);
    } catch {
      // gone already
    }
  };

  const launch = async () => {
    await writeFile(configFile, configText(dataDir, port, rpcPort), { mode: 0o600 });
    stderrTail = [];
    const proc = spawn(binary, ['run', '-config', configFile], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
    child = proc;
    if (proc.pid !== undefined) {
      const pid = proc.pid;
      ownInfluxds.add(pid);
      proc.once('exit', () => ownInfluxds.delete(pid));
      const ownerStartTicks = processStartTicks(process.pid);
      const record: PidRecord = { pid, owner: process.pid, ...(ownerStartTicks !== undefined ? { ownerStartTicks } : {}) };
      try {
        writeFileSync(pidFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      } catch (error) {
        log?.warn({ err: (error as Error).message, pidFile }, 'influxd pid file not written: a hard kill of the hub would leave this influxd running');
      }
    }
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      stderrTail.push(...chunk.split('\n').filter(Boolean));
      if (stderrTail.length > 50) stderrTail = stderrTail.slice(-STDERR_TAIL_LINES);
    });
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (error) => reject(new HubError('INFLUXD_START_FAILED', `cannot run ${binary}: ${error.message}`))),
    );
    try {
      await Promise.race([waitForPing(`http://127.0.0.1:${port}`, proc, () => stderrTail.slice(-STDERR_TAIL_LINES).join('\n')), spawnError]);
    } catch (error) {
      await stop();
      throw error;
    }
    log?.info({ url: `http://127.0.0.1:${port}`, pid: proc.pid, dataDir, version }, 'local influxd started');
  };

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      await rm(pidFile, { force: true });
      return;
    }
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT'); // in case a test stopped it
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    await rm(pidFile, { force: true });
  }

  process.on('exit', killOnExit);
  // A port found free can be taken before influxd binds it: try fresh ports (unless one was asked for).
  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch();
      break;
    } catch (error) {
      const portRace = /address already in use/i.test((error as Error).message);
      if (!portRace || attempt >= PORT_ATTEMPTS) {
        process.removeListener('exit', killOnExit);
        throw error;
      }
      if (options.port === undefined) port = await freePort();
      rpcPort = await freePort();
      log?.warn({ attempt }, 'influxd port taken meanwhile: trying other ports');
    }
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    get pid() {
      return child?.pid;
    },
    stop: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
      log?.info({ dataDir }, 'local influxd stopped');
    },
    kill: (signal) => {
      child?.kill(signal);
    },
    restart: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
      process.on('exit', killOnExit);
      await launch();
    },
  };
}
