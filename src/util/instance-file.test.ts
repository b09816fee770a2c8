/**
 * The data dir's hub.json: claimed at start, refused while another Compound Hub runs on it,
 * stale when its process is gone, reused or no hub; and the message naming an earlier hub that
 * holds a port. "A Compound Hub" here is a stand-in process run as `node bin/compound-hub.js`
 * of a package named compound-hub (it listens on a port and waits).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimDataDir, describeHub, HUB_FILE, isCompoundHub, portHeldMessage, runningHub, shownDir, shownTime, type HubRecord } from './instance-file.ts';
import { processStartTicks } from './proc.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'instance-file-'));
  dirs.push(dir);
  return dir;
}

const FAKE_HUB = [
  "const net = require('node:net');",
  'const server = net.createServer().listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\\n`));',
  'setInterval(() => {}, 60_000);',
].join('\n');

/** A process that looks like a hub (`node bin/compound-hub.js` of package `name`), listening on a port. */
async function fakeHub(name = 'compound-hub', env: Record<string, string> = {}): Promise<{ pid: number; port: number; root: string }> {
  const root = await tempDir();
  await mkdir(path.join(root, 'bin'));
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name }));
  await writeFile(path.join(root, 'bin', 'compound-hub.js'), FAKE_HUB);
  const child = spawn(process.execPath, ['bin/compound-hub.js'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { pid: child.pid!, port, root };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function writeRecord(dataDir: string, record: Partial<HubRecord>): Promise<void> {
  await writeFile(path.join(dataDir, HUB_FILE), JSON.stringify({ startedAt: new Date().toISOString(), dataDir, ...record }));
}

const wanted = (http: number, mqtt?: number) => ({
  http: { host: '127.0.0.1', port: http },
  ...(mqtt !== undefined ? { mqtt: { host: '127.0.0.1', port: mqtt } } : {}),
});

describe('isCompoundHub', () => {
  it('is decided from the command line and the package it names', async () => {
    expect(isCompoundHub((await fakeHub()).pid)).toBe(true);
    expect(isCompoundHub((await fakeHub('another-project')).pid)).toBe(false);
    expect(isCompoundHub(process.pid)).toBe(false); // the test runner
    expect(isCompoundHub(await deadPid())).toBe(false);
  });
});

describe('claimDataDir', () => {
  it('writes hub.json with this process, its start time and ports; update and release', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const claim = await claimDataDir(dataDir, wanted(8080, 1883));
    expect(claim.ok).toBe(true);
    const file = path.join(dataDir, HUB_FILE);
    const record = JSON.parse(await readFile(file, 'utf8')) as HubRecord;
    expect(record).toMatchObject({ pid: process.pid, dataDir, http: { host: '127.0.0.1', port: 8080 }, mqtt: { host: '127.0.0.1', port: 1883 } });
    expect(record.startTicks).toBe(processStartTicks(process.pid));
    expect(Math.abs(Date.parse(record.startedAt) - Date.now())).toBeLessThan(60_000);
    if (!claim.ok) return;
    await claim.instance.update(wanted(18080, 11883));
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, http: { port: 18080 }, mqtt: { port: 11883 } });
    claim.instance.release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a stale file: its process gone, a reused PID, a process that is no hub, this very process, or no JSON', async () => {
    const dataDir = await tempDir();
    const other = await fakeHub('another-project');
    const hub = await fakeHub();
    const stale: Array<Partial<HubRecord> | string> = [
      { pid: await deadPid() },
      { pid: hub.pid, startTicks: processStartTicks(hub.pid)! - 1 },
      { pid: other.pid },
      { pid: process.pid },
      'not json',
    ];
    for (const record of stale) {
      if (typeof record === 'string') await writeFile(path.join(dataDir, HUB_FILE), record);
      else await writeRecord(dataDir, record);
      const claim = await claimDataDir(dataDir, wanted(8080));
      expect(claim.ok, JSON.stringify(record)).toBe(true);
      expect(JSON.parse(await readFile(path.join(dataDir, HUB_FILE), 'utf8')).pid).toBe(process.pid);
      if (claim.ok) claim.instance.release();
    }
  });

  it('is refused while a Compound Hub runs on the data dir, naming it by the port the start would fail on, else by the data dir; its file stays as it was', async () => {
    const dataDir = await tempDir();
    const hub = await fakeHub();
    const startedAt = new Date();
    await writeRecord(dataDir, { pid: hub.pid, startTicks: processStartTicks(hub.pid)!, startedAt: startedAt.toISOString(), http: { host: '127.0.0.1', port: 8080 }, mqtt: { host: '127.0.0.1', port: 1883 } });
    const before = await readFile(path.join(dataDir, HUB_FILE), 'utf8');
    const hhmm = shownTime(startedAt);
    const described = `an earlier Compound Hub (pid ${hub.pid}, started ${hhmm}, data dir ${dataDir}); stop it with: kill ${hub.pid}`;

    const both = await claimDataDir(dataDir, wanted(8080, 1883));
    expect(both).toEqual({ ok: false, message: `MQTT_PORT: 127.0.0.1:1883 is held by ${described}` });
    expect(await claimDataDir(dataDir, wanted(8080, 1884))).toEqual({ ok: false, message: `HTTP_PORT: 127.0.0.1:8080 is held by ${described}` });
    expect(await claimDataDir(dataDir, wanted(8081))).toEqual({ ok: false, message: `DATA_DIR: ${dataDir} is in use by ${described} (or set DATA_DIR to another folder)` });
    expect(await readFile(path.join(dataDir, HUB_FILE), 'utf8')).toBe(before);
    expect((await runningHub(dataDir))?.pid).toBe(hub.pid);
  });

  it('release leaves a file that names another process', async () => {
    const dataDir = await tempDir();
    const claim = await claimDataDir(dataDir, wanted(8080));
    const hub = await fakeHub();
    await writeRecord(dataDir, { pid: hub.pid });
    if (claim.ok) claim.instance.release();
    expect(existsSync(path.join(dataDir, HUB_FILE))).toBe(true);
  });
});

describe('portHeldMessage', () => {
  it('names the earlier hub of this data dir that holds the port (from hub.json)', async () => {
    const dataDir = await tempDir();
    const hub = await fakeHub();
    const startedAt = new Date();
    await writeRecord(dataDir, { pid: hub.pid, startedAt: startedAt.toISOString(), mqtt: { host: '127.0.0.1', port: hub.port } });
    expect(await portHeldMessage('MQTT_PORT', '127.0.0.1', hub.port, dataDir)).toBe(
      `MQTT_PORT: 127.0.0.1:${hub.port} is held by an earlier Compound Hub (pid ${hub.pid}, started ${shownTime(startedAt)}, data dir ${dataDir}); stop it with: kill ${hub.pid}`,
    );
  });

  it('names a hub of another data dir that listens on the port (from /proc), with its data dir', async () => {
    const theirs = await tempDir();
    const hub = await fakeHub('compound-hub', { DATA_DIR: theirs });
    const message = await portHeldMessage('HTTP_PORT', '127.0.0.1', hub.port, await tempDir());
    expect(message).toMatch(new RegExp(`^HTTP_PORT: 127\\.0\\.0\\.1:${hub.port} is held by an earlier Compound Hub \\(pid ${hub.pid}, started \\d\\d:\\d\\d, data dir ${theirs}\\); stop it with: kill ${hub.pid}$`));
    // Without DATA_DIR, a hub's data dir is ./data of its working directory.
    const plain = await fakeHub();
    expect(await portHeldMessage('HTTP_PORT', '127.0.0.1', plain.port, theirs)).toContain(`data dir ${path.join(plain.root, 'data')})`);
  });

  it('answers nothing for a port held by something else, or by nobody', async () => {
    const other = await fakeHub('another-project');
    const dataDir = await tempDir();
    expect(await portHeldMessage('MQTT_PORT', '127.0.0.1', other.port, dataDir)).toBeUndefined();
    expect(await portHeldMessage('MQTT_PORT', '127.0.0.1', 1, dataDir)).toBeUndefined();
  });
});

describe('how it is shown', () => {
  it('a folder below the working directory as ./x, else absolute; a time as HH:MM today, else with its date', () => {
    expect(shownDir(path.join(process.cwd(), 'data'))).toBe('./data');
    expect(shownDir(process.cwd())).toBe('.');
    expect(shownDir('/elsewhere/data', '/home/me')).toBe('/elsewhere/data');
    const now = new Date(2025, 2, 1, 18, 0);
    expect(shownTime(new Date(2025, 2, 1, 10, 2), now)).toBe('10:02');
    expect(shownTime(new Date(2025, 1, 28, 9, 5), now)).toBe('2025-02-28 09:05');
    expect(describeHub({ pid: 42, startedAt: new Date().toISOString(), dataDir: path.join(process.cwd(), 'data') })).toMatch(
      /^an earlier Compound Hub \(pid 42, started \d\d:\d\d, data dir \.\/data\); stop it with: kill 42$/,
    );
  });
});
