/**
 * A local InfluxDB 1.x server managed by the hub (when no INFLUX_URL is given and an
 * `influxd` is on PATH), and by the integration tests: bound to 127.0.0.1 on free
 * ports, data under a given dir, stopped by PID (SIGTERM, then SIGKILL).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { HubError } from '../errors.ts';

const STOP_GRACE_MS = 5000;
const START_TIMEOUT_MS = 30_000;

export type InfluxdLookup = { ok: true; path: string; version: string } | { ok: false; reason: string };

export interface LocalInfluxd {
  url: string;
  port: number;
  readonly pid: number | undefined;
  dataDir: string;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Sends a signal to the process (SIGKILL, SIGSTOP, SIGCONT: for fault tests). */
  kill(signal: NodeJS.Signals): void;
  /** Starts it again on the same port and data dir after it was stopped or killed. */
  restart(): Promise<void>;
}

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

export async function findInfluxd(): Promise<InfluxdLookup> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH_PATH].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, 'influxd');
    try {
      const { stdout } = await promisify(execFile)(candidate, ['version'], { timeout: 5000 });
      const version = /v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
      if (!version.startsWith('1.')) {
        return { ok: false, reason: `${candidate} is InfluxDB ${version}; only 1.x can be managed by the hub. Run it yourself and set INFLUX_URL/INFLUX_TOKEN` };
      }
      return { ok: true, path: candidate, version };
    } catch {
      // not here
    }
  }
  return { ok: false, reason: 'no influxd on PATH' };
}

async function waitForPing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HubError('INFLUXD_START_FAILED', `influxd exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    }
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 204) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HubError('INFLUXD_START_FAILED', `influxd did not answer /ping within ${START_TIMEOUT_MS / 1000} s: ${stderr()}`);
}

export async function startLocalInfluxd(options: { dataDir: string; binary?: string; port?: number; logger?: Logger }): Promise<LocalInfluxd> {
  const binary = options.binary ?? 'influxd';
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const rpcPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(dataDir, { recursive: true });
  const configFile = path.join(dataDir, 'influxd.conf');
  await writeFile(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${path.join(dataDir, 'meta')}"`,
      '[data]',
      `  dir = "${path.join(dataDir, 'data')}"`,
      `  wal-dir = "${path.join(dataDir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let stderrTail = '';
  const launch = async () => {
    stderrTail = '';
    const proc = spawn(binary, ['-config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (error) => reject(new HubError('INFLUXD_START_FAILED', `cannot run ${binary}: ${error.message}`))),
    );
    await Promise.race([waitForPing(url, proc, () => stderrTail.split('\n').slice(-5).join('\n')), spawnError]);
    options.logger?.info({ url, pid: proc.pid, dataDir }, 'local influxd started');
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    port,
    dataDir,
    get pid() {
      return child?.pid;
    },
    stop,
    kill: (signal) => {
      child?.kill(signal);
    },
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
