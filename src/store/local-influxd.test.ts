/**
 * Finding and starting influxd, with stand-in binaries (shell scripts) for what this
 * machine does not have: a 2.x influxd, and a 1.x one that fails at start. The real
 * influxd 1.6.7 is started in test/store.integration.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findInfluxd, INFLUXD_PID_FILE, startLocalInfluxd } from './local-influxd.ts';
import { isHubError } from '../errors.ts';
import { processStartTicks, waitForExit } from '../util/proc.ts';

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

/** A folder with an executable `influxd` that reports `version` and, when run, prints its arguments and 12 lines to stderr, then exits 3. */
async function fakeInfluxd(version: string): Promise<{ dir: string; binary: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fake-influxd-'));
  const binary = path.join(dir, 'influxd');
  await writeFile(
    binary,
    [
      '#!/bin/sh',
      `if [ "$1" = version ]; then echo "InfluxDB v${version} (git: test) build_date: today"; exit 0; fi`,
      'echo "args: $*" >&2',
      'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "stderr line $i" >&2; done',
      'exit 3',
      '',
    ].join('\n'),
  );
  await chmod(binary, 0o755);
  return { dir, binary };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('findInfluxd', () => {
  it('finds a 1.x influxd on PATH and reports its version', async () => {
    const fake = await fakeInfluxd('1.8.10');
    process.env.PATH = `${fake.dir}${path.delimiter}${savedPath}`;
    expect(await findInfluxd()).toEqual({ ok: true, path: fake.binary, version: '1.8.10' });
  });

  it('refuses a 2.x influxd and says to run it yourself with INFLUX_URL', async () => {
    const fake = await fakeInfluxd('2.7.4');
    process.env.PATH = `${fake.dir}${path.delimiter}${savedPath}`;
    const found = await findInfluxd();
    expect(found.ok).toBe(false);
    expect(!found.ok && found.reason).toMatch(/InfluxDB 2\.7\.4; only 1\.x can be managed.*INFLUX_URL/);
  });
});

describe('startLocalInfluxd', () => {
  it('refuses to manage a 2.x binary', async () => {
    const fake = await fakeInfluxd('2.7.4');
    const error = await rejection(startLocalInfluxd({ dataDir: path.join(fake.dir, 'data'), binary: fake.binary }));
    expect(isHubError(error, 'INFLUXD_START_FAILED')).toBe(true);
    expect(error.message).toMatch(/INFLUX_URL/);
  });

  it('fails with the last lines of stderr when influxd exits, after writing a loopback-only config under the data dir', async () => {
    const fake = await fakeInfluxd('1.6.7');
    const dataDir = path.join(fake.dir, 'data "quoted"');
    const error = await rejection(startLocalInfluxd({ dataDir, binary: fake.binary }));
    expect(isHubError(error, 'INFLUXD_START_FAILED')).toBe(true);
    expect(error.message).toMatch(/exited \(3\)/);
    expect(error.message).toContain('stderr line 12');
    expect(error.message).not.toContain('stderr line 1\n');
    const config = await readFile(path.join(dataDir, 'influxd.conf'), 'utf8');
    expect(config).toMatch(/^reporting-disabled = true$/m);
    expect(config).toMatch(/^bind-address = "127\.0\.0\.1:\d+"$/m); // RPC
    expect(config).toMatch(/^\[http\]\n {2}bind-address = "127\.0\.0\.1:\d+"$/m);
    for (const dir of ['meta', 'data', 'wal']) expect(config).toContain(JSON.stringify(path.join(dataDir, dir)));
  });

  it('fails clearly when the binary cannot be run', async () => {
    const error = await rejection(startLocalInfluxd({ dataDir: os.tmpdir(), binary: '/nonexistent/influxd' }));
    expect(isHubError(error, 'INFLUXD_START_FAILED')).toBe(true);
    expect(error.message).toMatch(/cannot run \/nonexistent\/influxd/);
  });
});

/** Processes these tests started, killed by PID if a test leaves one. */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A running process that looks like an influxd left by a hub: `node …/influxd run -config <configFile>` (a node script named influxd that waits). */
async function leftoverInfluxd(configFile: string): Promise<ChildProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftover-influxd-'));
  const script = path.join(dir, 'influxd');
  await writeFile(script, "process.stdout.write('up\\n'); setInterval(() => {}, 60_000);\n");
  const child = spawn(process.execPath, [script, 'run', '-config', configFile], { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child);
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

/** Another live process (an owner that still runs). */
function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  started.push(child);
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('an influxd left behind in the data dir (influxd.pid)', () => {
  it('is stopped by PID when the hub that started it is gone, before a new one starts', async () => {
    const fake = await fakeInfluxd('1.6.7');
    const dataDir = path.join(fake.dir, 'data');
    await mkdir(dataDir);
    const leftover = await leftoverInfluxd(path.join(dataDir, 'influxd.conf'));
    await writeFile(path.join(dataDir, INFLUXD_PID_FILE), JSON.stringify({ pid: leftover.pid, owner: await deadPid() }));
    // The stand-in binary then fails to start: what matters is that the leftover went first.
    const error = await rejection(startLocalInfluxd({ dataDir, binary: fake.binary }));
    expect(error.message).toMatch(/exited \(3\)/);
    expect(await waitForExit(leftover.pid!, 10_000)).toBe(true);
    expect(leftover.signalCode ?? (await new Promise((resolve) => leftover.once('exit', (_code, signal) => resolve(signal))))).toBe('SIGTERM');
    expect(existsSync(path.join(dataDir, INFLUXD_PID_FILE))).toBe(false);
  });

  it('is not touched when the PID is not an influxd of this data dir (another config, a reused PID)', async () => {
    const fake = await fakeInfluxd('1.6.7');
    const dataDir = path.join(fake.dir, 'data');
    await mkdir(dataDir);
    const otherDirs = await leftoverInfluxd(path.join(fake.dir, 'elsewhere', 'influxd.conf'));
    const notInflux = liveProcess();
    for (const pid of [otherDirs.pid, notInflux.pid]) {
      await writeFile(path.join(dataDir, INFLUXD_PID_FILE), JSON.stringify({ pid, owner: await deadPid() }));
      await rejection(startLocalInfluxd({ dataDir, binary: fake.binary }));
    }
    expect(otherDirs.exitCode ?? otherDirs.signalCode).toBeNull();
    expect(notInflux.exitCode ?? notInflux.signalCode).toBeNull();
  });

  it('refuses to start while the process that started it still runs, and leaves it running', async () => {
    const fake = await fakeInfluxd('1.6.7');
    const dataDir = path.join(fake.dir, 'data');
    await mkdir(dataDir);
    const running = await leftoverInfluxd(path.join(dataDir, 'influxd.conf'));
    const owner = liveProcess();
    await writeFile(path.join(dataDir, INFLUXD_PID_FILE), JSON.stringify({ pid: running.pid, owner: owner.pid, ownerStartTicks: processStartTicks(owner.pid!) }));
    const error = await rejection(startLocalInfluxd({ dataDir, binary: fake.binary }));
    expect(isHubError(error, 'INFLUXD_START_FAILED')).toBe(true);
    expect(error.message).toContain(`in use by influxd (pid ${running.pid}) of a running process (pid ${owner.pid})`);
    expect(running.exitCode ?? running.signalCode).toBeNull();
    expect(existsSync(path.join(dataDir, INFLUXD_PID_FILE))).toBe(true);
  });
});
