/**
 * The hub as a child process, as `npx compound-hub` runs it (`node bin/compound-hub.js`: src/main.ts through tsx), for
 * fault tests: fixed HTTP and embedded-broker ports (free ones, kept across restarts), the
 * test logins, a metrics token, stopped by PID. Whatever happens to the test, the hub does
 * not outlive the test process.
 *
 *   const hub = await startHubProcess({ DATA_DIR, REGISTRY_FILE, INFLUX_URL });
 *   hub.rssBytes();                              // from /proc/<pid>/status
 *   hub.kill('SIGKILL'); await hub.exited();     // a crash
 *   await hub.restart();                         // same ports, same env
 *   await hub.stop();                            // SIGTERM, SIGKILL after a grace period
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeUsersFile } from '../../src/testing/access.fixture.ts';
import { freePort } from './free-port.ts';
import { HUB_TEST_USERS, forgetLogins } from './test-hub.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 20_000;
const LOG_LIMIT = 256 * 1024;

export interface HubExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HubProcess {
  /** Where the hub answers (test-hub.ts's apiFetch/getJson and live-client.ts take it). */
  readonly info: { httpUrl: string; brokerUrl: string };
  /** PID of the running hub (a new one after restart); undefined once it has exited. */
  readonly pid: number | undefined;
  /** The environment it runs with. */
  readonly env: Readonly<Record<string, string>>;
  /** GET /readyz (with the metrics token: the details too): its status and body. */
  readyz(): Promise<{ status: number; body: ReadyBody }>;
  /** One Prometheus sample summed over its labels (e.g. `compound_hub_points_dropped_total`), or a labelled one. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Resident set size now, bytes (VmRSS of /proc/<pid>/status). */
  rssBytes(): number;
  /** Sends a signal by PID and returns at once (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the current process has exited. */
  exited(): Promise<HubExit>;
  /** SIGTERM (SIGKILL after a grace period); resolves with how it exited. Idempotent. */
  stop(): Promise<HubExit>;
  /** Stops it if it runs, and starts it again with the same env and ports. */
  restart(): Promise<void>;
  /** What the hub wrote to stdout and stderr since it last started (the last 256 KiB). */
  log(): string;
}

export interface ReadyBody {
  ready: boolean;
  warnings: string[];
  broker: { kind: string; url: string; connected: boolean; clients?: number };
  storage: {
    mode: string;
    connected: boolean;
    accepting: boolean;
    spoolBytes: number;
    spoolLines: number;
    bufferedLines: number;
    pointsWritten: number;
    lastError?: string;
  };
  devices: { registered: number; online: number };
}

/** Hubs of this process, killed if the process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) if (c.pid !== undefined) signalPid(c.pid, 'SIGKILL');
  });
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const running = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

/** Sum of a metric's samples in Prometheus text, optionally only those with the given labels. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * The status of a GET, within 1 s. Over HTTPS (HTTPS_CERT) the certificate is not checked: this
 * only waits for the hub to answer; the HTTPS tests check the certificate themselves.
 */
async function probeStatus(url: string): Promise<number> {
  if (!url.startsWith('https:')) return (await fetch(url, { signal: AbortSignal.timeout(1000) })).status;
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Starts the hub with `env` on top of test defaults (DEMO off, LOG_LEVEL info, the test logins,
 * free HTTP and MQTT ports) and waits until /readyz answers (200 or 503) and the start banner is printed.
 */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const metricsToken = randomBytes(18).toString('hex');
  const fullEnv: Record<string, string> = {
    DEMO: 'off',
    LOG_LEVEL: 'info',
    USERS_FILE: await writeUsersFile(HUB_TEST_USERS),
    HTTP_PORT: String(await freePort()),
    MQTT_PORT: String(await freePort()),
    METRICS_TOKEN: metricsToken,
    ...env,
  };
  // An empty value leaves the setting out (USERS_FILE: '' for a first start without one).
  for (const [key, value] of Object.entries(fullEnv)) if (value === '') delete fullEnv[key];
  const httpUrl = `${fullEnv.HTTPS_CERT ? 'https' : 'http'}://127.0.0.1:${fullEnv.HTTP_PORT}`;
  const brokerUrl = fullEnv.MQTT_URL ?? `mqtt://127.0.0.1:${fullEnv.MQTT_PORT}`;
  let child: ChildProcess | undefined;
  let exit: Promise<HubExit> = Promise.resolve({ code: null, signal: null });
  let output = '';
  /** Processes the test signalled: their exit is expected. */
  const signalled = new WeakSet<ChildProcess>();

  const launch = async () => {
    output = '';
    const processEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('INFLUX') && !key.startsWith('MQTT_')));
    // Its own process group: signals meant for the test's group (a terminal's Ctrl-C, a runner ending a job) do not reach it; it is stopped by PID.
    const proc = spawn(process.execPath, ['bin/compound-hub.js'], { cwd: ROOT, env: { ...processEnv, ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    track(proc);
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    exit = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    // A hub that dies on its own says why on the test's stderr.
    void exit.then((how) => {
      if (!signalled.has(proc)) process.stderr.write(`hub process ${proc.pid} exited on its own (${how.code ?? how.signal}):\n${output.slice(-4000)}\n`);
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!running(proc)) {
        const how = await exit;
        throw new Error(`hub exited (${how.code ?? how.signal}) before /readyz answered:\n${output.slice(-4000)}`);
      }
      try {
        const status = await probeStatus(`${httpUrl}/readyz`);
        // Answering, and its start banner (printed a moment after the first answer) is out: tests read it.
        if ((status === 200 || status === 503) && output.includes('kill -TERM')) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await stopProcess();
    throw new Error(`hub did not answer /readyz at ${httpUrl} within ${START_TIMEOUT_MS / 1000} s:\n${output.slice(-4000)}`);
  };

  const stopProcess = async (): Promise<HubExit> => {
    const proc = child;
    if (!running(proc) || proc.pid === undefined) return exit;
    signalled.add(proc);
    signalPid(proc.pid, 'SIGCONT'); // in case a test stopped it
    signalPid(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => proc.pid !== undefined && signalPid(proc.pid, 'SIGKILL'), STOP_GRACE_MS);
    const how = await exit;
    clearTimeout(timer);
    return how;
  };

  await launch();

  const hub: HubProcess = {
    info: { httpUrl, brokerUrl },
    get pid() {
      return running(child) ? child.pid : undefined;
    },
    env: fullEnv,
    async readyz() {
      // With the metrics token: the details (addresses, error texts) an anonymous probe is not shown.
      const res = await fetch(`${httpUrl}/readyz`, { headers: { authorization: `Bearer ${metricsToken}` }, signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: (await res.json()) as ReadyBody };
    },
    async metric(name, labels) {
      const res = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` }, signal: AbortSignal.timeout(5000) });
      if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
      return sampleValue(await res.text(), name, labels);
    },
    rssBytes() {
      const pid = running(child) ? child.pid : undefined;
      if (pid === undefined) throw new Error('hub is not running');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Number(kb) * 1024;
    },
    kill(signal) {
      if (!running(child) || child.pid === undefined) return;
      signalled.add(child);
      signalPid(child.pid, signal);
    },
    exited: () => exit,
    stop: stopProcess,
    async restart() {
      await stopProcess();
      forgetLogins(hub);
      await launch();
    },
    log: () => output,
  };
  return hub;
}
