/**
 * Finding and starting influxd, with stand-in binaries (shell scripts) for what this
 * machine does not have: a 2.x influxd, and a 1.x one that fails at start. The real
 * influxd 1.6.7 is started in test/store.integration.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findInfluxd, startLocalInfluxd } from './local-influxd.ts';
import { isHubError } from '../errors.ts';

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
