/**
 * DATA_DIR/hub.json names the hub process that runs on a data dir (pid, ports, start time)
 * while it runs; it is removed on a clean stop. A second start on the same data dir is refused
 * before it touches anything there, and a port held by an earlier hub of ours is named as such:
 *
 *   MQTT_PORT: 127.0.0.1:1883 is held by an earlier Compound Hub (pid 1234, started 10:02, data dir ./data); stop it with: kill 1234
 *
 * A file left by a hub that died (its pid gone, reused, or not a Compound Hub) is stale and
 * taken over. "Is a Compound Hub" is decided from /proc/PID/cmdline, never from a name alone.
 */
import { existsSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { isAlive, listenerOf, processArgs, processCwd, processEnv, processStartTicks, processStartedAt } from './proc.ts';

export const HUB_FILE = 'hub.json';

export interface Listener {
  host: string;
  port: number;
}

export interface HubRecord {
  pid: number;
  /** /proc start time of `pid` (clock ticks since boot): tells a reused PID from the hub. */
  startTicks?: number;
  /** ISO time the hub started. */
  startedAt: string;
  /** Absolute data dir. */
  dataDir: string;
  http?: Listener;
  mqtt?: Listener;
}

/** The hub's entry points, as they appear in its command line (`node --import tsx src/main.ts`, `node bin/compound-hub.js`, `.bin/compound-hub`). */
const ENTRY = /(?:^|\/)(?:src\/main\.ts|bin\/compound-hub\.js|\.bin\/compound-hub)$/;

/** Whether `pid` runs a Compound Hub: its command line names the hub's entry point (of a package named compound-hub, where that can be read). */
export function isCompoundHub(pid: number): boolean {
  const args = processArgs(pid);
  const entry = args?.slice(1).find((arg) => ENTRY.test(arg));
  if (!entry) return false;
  const cwd = processCwd(pid);
  if (!path.isAbsolute(entry) && cwd === undefined) return true; // not ours to look closer: the entry point is enough
  try {
    const file = realpathSync(path.resolve(cwd ?? '/', entry));
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(file)), 'package.json'), 'utf8')) as { name?: unknown };
    return manifest.name === 'compound-hub';
  } catch {
    return true;
  }
}

function parseRecord(text: string): HubRecord | undefined {
  try {
    const json = JSON.parse(text) as Partial<HubRecord>;
    if (!Number.isInteger(json.pid) || typeof json.startedAt !== 'string' || typeof json.dataDir !== 'string') return undefined;
    return json as HubRecord;
  } catch {
    return undefined;
  }
}

/** Whether the record names a live Compound Hub other than this process. */
function isRunning(record: HubRecord): boolean {
  if (record.pid === process.pid || !isAlive(record.pid)) return false;
  if (record.startTicks !== undefined && processStartTicks(record.pid) !== record.startTicks) return false; // PID reused
  return isCompoundHub(record.pid);
}

/** The hub that runs on `dataDir` according to its hub.json, if it still runs. */
export async function runningHub(dataDir: string): Promise<HubRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, HUB_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const record = parseRecord(text);
  return record && isRunning(record) ? record : undefined;
}

/** A folder as the user would type it: `./data` below the working directory, else absolute. */
export function shownDir(dir: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, dir);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : `./${relative}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 10:02 today, else 2025-03-01 10:02 (local time). */
export function shownTime(at: Date, now = new Date()): string {
  const hhmm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? hhmm : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${hhmm}`;
}

/** "an earlier Compound Hub (pid 1234, started 10:02, data dir ./data); stop it with: kill 1234" */
export function describeHub(record: HubRecord): string {
  return `an earlier Compound Hub (pid ${record.pid}, started ${shownTime(new Date(record.startedAt))}, data dir ${shownDir(record.dataDir)}); stop it with: kill ${record.pid}`;
}

/**
 * When `port` is held by an earlier Compound Hub: the full message for `setting` naming it (from
 * `dataDir`'s hub.json, else from the process that listens on the port); otherwise undefined
 * (the caller keeps its own message).
 */
export async function portHeldMessage(setting: string, host: string, port: number, dataDir: string): Promise<string | undefined> {
  const held = (record: HubRecord) => `${setting}: ${host}:${port} is held by ${describeHub(record)}`;
  const mine = await runningHub(dataDir);
  if (mine && (mine.http?.port === port || mine.mqtt?.port === port)) return held(mine);
  const pid = listenerOf(port);
  if (pid === undefined || pid === process.pid || !isCompoundHub(pid)) return undefined;
  // Another data dir: where that hub keeps its hub.json (its DATA_DIR, default ./data of its working directory).
  const cwd = processCwd(pid) ?? '/';
  const theirs = path.resolve(cwd, processEnv(pid, 'DATA_DIR') ?? 'data');
  const recorded = await runningHub(theirs);
  if (recorded?.pid === pid) return held(recorded);
  const startedAt = processStartedAt(pid);
  return held({ pid, startedAt: new Date(startedAt ?? Date.now()).toISOString(), dataDir: theirs });
}

export interface Instance {
  /** Records the ports the hub listens on now that it is up. */
  update(listeners: { http: Listener; mqtt?: Listener }): Promise<void>;
  /** Removes hub.json if it still names this process (synchronous: also from an 'exit' handler). */
  release(): void;
}

export type Claim = { ok: true; instance: Instance } | { ok: false; message: string };

/**
 * Claims `dataDir` for this process by writing its hub.json. While another Compound Hub runs on
 * it, answers its refusal instead, naming that hub: by the port the new start would fail on
 * (MQTT first, as the hub binds it first), or by the data dir.
 */
export async function claimDataDir(dataDir: string, wanted: { http: Listener; mqtt?: Listener }): Promise<Claim> {
  const file = path.join(dataDir, HUB_FILE);
  const startedAt = Date.now();
  const startTicks = processStartTicks(process.pid);
  const record = (listeners: { http: Listener; mqtt?: Listener }): HubRecord => ({
    pid: process.pid,
    ...(startTicks !== undefined ? { startTicks } : {}),
    startedAt: new Date(startedAt).toISOString(),
    dataDir,
    ...listeners,
  });
  // Created for the owner only (0700): it holds the database, the spool, keys (docs/reliability.md).
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt += 1) {
    try {
      await writeFile(file, `${JSON.stringify(record(wanted), null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
    }
    const other = await runningHub(dataDir);
    if (other) return { ok: false, message: refusal(other, dataDir, wanted) };
    await unlink(file).catch(() => undefined); // stale: left by a hub that is gone
  }
  let released = false;
  return {
    ok: true,
    instance: {
      async update(listeners) {
        if (!released) await writeFileAtomic(file, `${JSON.stringify(record(listeners), null, 2)}\n`, 0o600);
      },
      release() {
        released = true;
        try {
          if (existsSync(file) && parseRecord(readFileSync(file, 'utf8'))?.pid === process.pid) unlinkSync(file);
        } catch {
          // already gone, or the data dir went away
        }
      },
    },
  };
}

function refusal(other: HubRecord, dataDir: string, wanted: { http: Listener; mqtt?: Listener }): string {
  const described = describeHub(other);
  if (wanted.mqtt && other.mqtt?.port === wanted.mqtt.port) return `MQTT_PORT: ${wanted.mqtt.host}:${wanted.mqtt.port} is held by ${described}`;
  if (other.http?.port === wanted.http.port) return `HTTP_PORT: ${wanted.http.host}:${wanted.http.port} is held by ${described}`;
  return `DATA_DIR: ${shownDir(dataDir)} is in use by ${described} (or set DATA_DIR to another folder)`;
}
