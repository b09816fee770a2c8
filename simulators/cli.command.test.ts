import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrySchema } from '../src/config/registry.schema.ts';
import { verifyDeviceSecret, deriveDeviceSecret } from '../src/contracts/credentials.ts';
import { runCli } from './cli.command.ts';
import { SCENARIOS } from './scenarios/index.ts';

async function cli(argv: string[], env: Record<string, string> = {}, signal?: AbortSignal) {
  let out = '';
  let err = '';
  const code = await runCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t), ...(signal ? { signal } : {}) });
  return { code, out, err };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'compound-sim-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compound-sim command', () => {
  it('--help prints every option and exits 0', async () => {
    const { code, out, err } = await cli(['--help']);
    expect(code).toBe(0);
    expect(err).toBe('');
    for (const option of ['--url', '--compounds', '--elevators', '--manholes', '--fire-lanes', '--parking', '--interval', '--duration', '--seed', '--fleet-key', '--scenario', '--qos', '--connection', '--username', '--password', '--write-registry', '--help']) {
      expect(out).toContain(option);
    }
    expect(out).toContain('faults: every device now and then falls into a fault');
    // Every scenario --scenario accepts, with what it does, and the demo's counts as defaults.
    for (const [name, scenario] of Object.entries(SCENARIOS)) expect(out).toContain(`${name}: ${scenario.description}`);
    expect(out).toContain('power-cut: c01 building b1 loses power at 10 s');
    expect(out).toMatch(/--elevators N +elevators per compound \(default 7\)/);
  });

  it('a bad option: one line naming it, a hint, exit 2', async () => {
    const { code, out, err } = await cli(['--fleet-key', 'k', '--interval', 'soon']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe('compound-sim: --interval: expected a duration like 5s, 500ms or 2m, got "soon"\nRun with --help for the options.\n');
  });

  it('--write-registry writes a registry the hub accepts for the same fleet key, and exits 0', async () => {
    const file = path.join(dir, 'fleet.json');
    const { code, out } = await cli(['--compounds', 'x1,x2', '--elevators', '2', '--parking', '3', '--interval', '10s', '--write-registry', file], { SIM_FLEET_KEY: 'fk' });
    expect(code).toBe(0);
    expect(out).toContain(`wrote the registry of 30 devices in 2 compounds to ${file}`);
    const registry = registrySchema.parse(JSON.parse(await readFile(file, 'utf8')));
    const compounds = registry.districts[0]!.streets[0]!.communities[0]!.compounds;
    expect(compounds.map((c) => c.id)).toEqual(['x1', 'x2']);
    const elev = compounds[0]!.devices.find((d) => d.id === 'elev-02')!;
    expect(elev).toMatchObject({ type: 'elevator', reportIntervalSec: 10 });
    expect(verifyDeviceSecret(deriveDeviceSecret('fk', 'x1/elevator/elev-02'), elev.secretSha256)).toBe(true);
  });

  it('--write-registry to a path that cannot be written: exit 1 with the reason', async () => {
    const { code, err } = await cli(['--fleet-key', 'k', '--write-registry', path.join(dir, 'missing', 'dir', 'fleet.json')]);
    expect(code).toBe(1);
    expect(err).toMatch(/^compound-sim: --write-registry: cannot write .*fleet\.json: ENOENT/);
  });

  it('with no broker to reach: says so and exits 1', async () => {
    const port = await closedPort();
    const { code, out, err } = await cli(['--url', `mqtt://127.0.0.1:${port}`, '--connection', 'shared', '--compounds', '1', '--duration', '300ms', '--progress', '100ms']);
    expect(code).toBe(1);
    expect(out).toMatch(/^compound-sim: 29 devices in 1 compounds → mqtt:\/\/127\.0\.0\.1:\d+ \(shared, QoS 1, every 5s, scenario normal, seed 1\)\n/);
    expect(out).toMatch(/0\/29 connected, 0 published \(0\.0\/s\), 0 events, [1-9]\d* errors.*ECONNREFUSED/);
    expect(err).toMatch(/nothing was published \(last error: shared connection: connect ECONNREFUSED .*\); is a broker listening at mqtt:\/\/127\.0\.0\.1:\d+\?/);
  });

  it('stops when its signal aborts', async () => {
    const port = await closedPort();
    const abort = new AbortController();
    const run = cli(['--url', `mqtt://127.0.0.1:${port}`, '--connection', 'shared', '--compounds', '1', '--progress', '0'], {}, abort.signal);
    setTimeout(() => abort.abort(), 100);
    const { code, out } = await run;
    expect(out).toMatch(/stopped after \d+\.\d s: 0 published/);
    expect(code).toBe(1); // nothing reached a broker
  });
});
