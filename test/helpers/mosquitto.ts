/**
 * A real Mosquitto broker for tests: a child process on a free loopback port with its own
 * temporary config dir, stopped by PID (SIGTERM, then SIGKILL). Optional password file and
 * ACL for per-device authentication. Whatever happens to the test, the broker does not
 * outlive the test process.
 *
 *   const broker = await startMosquitto();                  // allow_anonymous, no persistence
 *   const secured = await startMosquitto({ passwords: { 'c01/elevator/elev-01': secret }, acl: 'pattern readwrite compounds/%u/#' });
 *   broker.kill('SIGKILL'); await broker.restart();         // a crash and a comeback, same port
 *   await broker.stop();                                     // also removes the temp dir
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface MosquittoOptions {
  /** Lines appended to the generated config (e.g. `log_type notice`, `max_inflight_messages 10`). */
  extraConfig?: string;
  /** user name → password; written hashed to a password file. Turns anonymous access off unless `allowAnonymous`. */
  passwords?: Readonly<Record<string, string>>;
  /** Content of an ACL file (`user …` / `topic …` / `pattern …` lines). */
  acl?: string;
  /** Default: true without `passwords`, false with them. */
  allowAnonymous?: boolean;
  /** A fixed port (default: a free one). */
  port?: number;
  /** Keep sessions and their queued messages across restarts (mosquitto.db in the temp dir); default false. */
  persistence?: boolean;
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  /** PID of the running broker (changes on restart); undefined once stopped. */
  readonly pid: number | undefined;
  /** The temporary directory holding the config (removed by stop()). */
  readonly dir: string;
  readonly configFile: string;
  /** What the broker wrote to stderr since it last started (the last 256 KiB). */
  log(): string;
  /** SIGTERM, then SIGKILL after 3 s; waits for the exit and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal to the broker's PID and returns at once (crash tests). */
  kill(signal?: NodeJS.Signals): void;
  /** Stops the broker if it runs and starts it again on the same port and config. */
  restart(): Promise<void>;
}

const LOG_LIMIT = 256 * 1024;
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3000;

/** Brokers of this process, killed if the process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) signal(c, 'SIGKILL');
    });
  }
}

function binary(name: 'mosquitto' | 'mosquitto_passwd'): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/sbin', '/opt/homebrew/bin']) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return name; // let PATH decide; spawn reports ENOENT clearly
}

/** A loopback TCP port that was free a moment ago. */
async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Signals a child by PID unless it has exited (a PID that is already gone is not an error). */
function signal(child: ChildProcess, name: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

class MosquittoExited extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'compound-hub-mosquitto-'));
  // Started as root, mosquitto drops to its own user before reading the password and ACL files
  // (and before writing its database, which then needs a folder it may write to).
  await chmod(dir, options.persistence ? 0o777 : 0o755);
  const configFile = path.join(dir, 'mosquitto.conf');
  const persistence = options.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false'];
  const lines = [...persistence, 'log_dest stderr', 'log_type error', 'log_type warning', 'log_timestamp_format %H:%M:%S'];
  if (options.passwords) {
    const file = path.join(dir, 'passwords');
    await writeFile(file, Object.entries(options.passwords).map(([user, pw]) => `${user}:${pw}\n`).join(''), { mode: 0o644 });
    await promisify(execFile)(binary('mosquitto_passwd'), ['-U', file]);
    await chmod(file, 0o644);
    lines.push(`password_file ${file}`);
  }
  if (options.acl !== undefined) {
    const file = path.join(dir, 'acl');
    await writeFile(file, `${options.acl}\n`, { mode: 0o644 });
    lines.push(`acl_file ${file}`);
  }
  lines.push(`allow_anonymous ${options.allowAnonymous ?? !options.passwords}`);

  let port = options.port ?? (await freeLoopbackPort());
  let child: ChildProcess | undefined;
  let stderr = '';
  let removed = false;

  const writeConfig = () =>
    writeFile(configFile, [`listener ${port} 127.0.0.1`, ...lines, options.extraConfig ?? '', ''].join('\n'), { mode: 0o644 });

  const launch = async () => {
    stderr = '';
    const proc = spawn(binary('mosquitto'), ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    track(proc);
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > LOG_LIMIT) stderr = stderr.slice(-LOG_LIMIT);
    });
    let spawnError: Error | undefined;
    proc.once('error', (error) => (spawnError = error));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`mosquitto could not start (${binary('mosquitto')}): ${spawnError.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        await sleep(20); // let the last stderr chunk arrive
        throw new MosquittoExited(
          `mosquitto exited (${proc.exitCode ?? proc.signalCode}) on port ${port}: ${stderr.trim() || '(no output)'}`,
          stderr.match(/address already in use/i) !== null,
        );
      }
      if (await portOpen(port)) return;
      await sleep(25);
    }
    await stopProcess();
    throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms: ${stderr.trim() || '(no output)'}`);
  };

  const stopProcess = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    signal(proc, 'SIGTERM');
    const timer = setTimeout(() => signal(proc, 'SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  // A port found free can be taken before mosquitto binds it: try another one.
  for (let attempt = 1; ; attempt += 1) {
    await writeConfig();
    try {
      await launch();
      break;
    } catch (error) {
      if (error instanceof MosquittoExited && error.addressInUse && options.port === undefined && attempt < 5) {
        port = await freeLoopbackPort();
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    dir,
    configFile,
    log: () => stderr,
    async stop() {
      await stopProcess();
      if (!removed) {
        removed = true;
        await rm(dir, { recursive: true, force: true });
      }
    },
    kill(name = 'SIGTERM') {
      if (child) signal(child, name);
    },
    async restart() {
      if (removed) throw new Error('mosquitto: restart() after stop()');
      await stopProcess();
      await launch();
    },
  };
}
