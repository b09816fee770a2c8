/**
 * Stopping the hub the way the README starts it (`npm start`, `npx compound-hub`, the bin), as
 * real child processes with the demo and a managed influxd: SIGTERM or SIGINT to THAT process
 * stops the hub, its influxd and the demo, frees the ports and removes DATA_DIR/hub.json; a
 * second start on the same data dir is refused at once, naming the first; an influxd left by a
 * hub killed with SIGKILL is stopped by the next start. Every process is found and stopped by PID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, processArgs, waitForExit } from '../src/util/proc.ts';
import { freePort } from './helpers/free-port.ts';
import { tempDir } from './helpers/temp-dir.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Bounds, not performance figures: a start takes a few seconds, a stop about one. */
const START_BOUND_MS = 40_000;
const STOP_BOUND_MS = 20_000;

type How = 'npm start' | 'npx compound-hub' | 'node bin/compound-hub.js';

interface Run {
  launcher: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

interface Setup {
  dataDir: string;
  httpPort: number;
  mqttPort: number;
}

/** PIDs these tests started or found (launchers, hubs, influxds): SIGKILLed after each test if still there. */
const pids = new Set<number>();
const dirs: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  pids.clear();
  for (const remove of dirs.splice(0)) await remove();
});

async function setup(): Promise<Setup> {
  const dir = await tempDir('stop-start');
  dirs.push(dir.remove);
  return { dataDir: path.join(dir.path, 'data'), httpPort: await freePort(), mqttPort: await freePort() };
}

/** Starts the hub as a user would from the repository, with the demo and a managed influxd (INFLUX_MANAGED auto), in its own process group. */
function launch(how: How, s: Setup): Run {
  // A user's shell: none of the test runner's npm, InfluxDB or MQTT settings.
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|INFLUX|MQTT_|DEMO|HTTP_|DATA_DIR|USERS_FILE|REGISTRY_FILE|ALERTS_FILE|RULES_FILE)/.test(key)));
  const env = { ...base, DATA_DIR: s.dataDir, HTTP_PORT: String(s.httpPort), MQTT_PORT: String(s.mqttPort), DEMO: 'on', DEMO_INTERVAL: '1s', INFLUX_MANAGED: 'auto', LOG_LEVEL: 'warn' };
  const [command, ...args] = how === 'node bin/compound-hub.js' ? [process.execPath, 'bin/compound-hub.js'] : how.split(' ');
  const launcher = spawn(command!, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  pids.add(launcher.pid!);
  let output = '';
  launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => launcher.once('exit', (code, signal) => resolve({ code, signal })));
  return { launcher, exit, output: () => output };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** Waits for the banner; answers the hub's PID (DATA_DIR/hub.json) and its influxd's (DATA_DIR/influxdb/influxd.pid), both checked by /proc. */
async function whenRunning(run: Run, s: Setup): Promise<{ hub: number; influxd: number }> {
  await expect
    .poll(() => {
      if (run.launcher.exitCode !== null || run.launcher.signalCode !== null) throw new Error(`exited before it ran:\n${run.output()}`);
      return run.output();
    }, { timeout: START_BOUND_MS, interval: 100 })
    .toContain('Compound Hub is running');
  const ready = await fetch(`http://127.0.0.1:${s.httpPort}/readyz`);
  expect(ready.status).toBe(200);
  const hub = (await readJson<{ pid: number; http: { port: number }; mqtt: { port: number } }>(path.join(s.dataDir, 'hub.json')));
  expect(hub).toMatchObject({ http: { port: s.httpPort }, mqtt: { port: s.mqttPort } });
  const influxd = (await readJson<{ pid: number; owner: number }>(path.join(s.dataDir, 'influxdb', 'influxd.pid')));
  expect(influxd.owner).toBe(hub.pid);
  expect(processArgs(influxd.pid)).toEqual(expect.arrayContaining([path.join(s.dataDir, 'influxdb', 'influxd.conf')]));
  pids.add(hub.pid);
  pids.add(influxd.pid);
  return { hub: hub.pid, influxd: influxd.pid };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Everything the hub started is gone: hub, influxd, ports, hub.json, the influxd pid file. */
async function expectAllStopped(s: Setup, running: { hub: number; influxd: number }): Promise<void> {
  expect(await waitForExit(running.hub, STOP_BOUND_MS)).toBe(true);
  expect(await waitForExit(running.influxd, STOP_BOUND_MS)).toBe(true);
  expect(await canBind(s.httpPort)).toBe(true);
  expect(await canBind(s.mqttPort)).toBe(true);
  expect(existsSync(path.join(s.dataDir, 'hub.json'))).toBe(false);
  expect(existsSync(path.join(s.dataDir, 'influxdb', 'influxd.pid'))).toBe(false);
}

const exitWithin = <T>(exit: Promise<T>) =>
  Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not exited within ${STOP_BOUND_MS / 1000} s`)), STOP_BOUND_MS))]);

describe('stopping the hub as the README starts it', () => {
  it('npm start, SIGTERM to the npm process: the hub runs as npm\'s own child (no shell or tsx between), stops everything and npm exits 0', async () => {
    const s = await setup();
    const run = launch('npm start', s);
    const running = await whenRunning(run, s);
    // `exec node --import tsx src/main.ts`: npm's child is the hub itself, so npm's SIGTERM reaches it.
    expect(processArgs(running.hub)).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    expect(Number((await readFile(`/proc/${running.hub}/stat`, 'utf8')).split(') ')[1]!.split(' ')[1])).toBe(run.launcher.pid);
    process.kill(run.launcher.pid!, 'SIGTERM');
    expect(await exitWithin(run.exit)).toEqual({ code: 0, signal: null });
    await expectAllStopped(s, running);
  });

  it('npm start, SIGINT to the npm process', async () => {
    const s = await setup();
    const run = launch('npm start', s);
    const running = await whenRunning(run, s);
    process.kill(run.launcher.pid!, 'SIGINT');
    expect(await exitWithin(run.exit)).toEqual({ code: 0, signal: null });
    await expectAllStopped(s, running);
  });

  it('npx compound-hub, SIGTERM to the npx process (whose shell dies without passing it on): the hub stops too', async () => {
    const s = await setup();
    const run = launch('npx compound-hub', s);
    const running = await whenRunning(run, s);
    process.kill(run.launcher.pid!, 'SIGTERM');
    await exitWithin(run.exit);
    await expectAllStopped(s, running);
  });

  it('the bin, SIGINT to the hub (Ctrl-C)', async () => {
    const s = await setup();
    const run = launch('node bin/compound-hub.js', s);
    const running = await whenRunning(run, s);
    expect(running.hub).toBe(run.launcher.pid);
    process.kill(running.hub, 'SIGINT');
    expect(await exitWithin(run.exit)).toEqual({ code: 0, signal: null });
    await expectAllStopped(s, running);
  });
});

describe('a second start, and a hub that died hard', () => {
  it('a second start on the same data dir while the first runs fails at once, naming the first, and leaves its files and influxd alone', async () => {
    const s = await setup();
    const first = launch('node bin/compound-hub.js', s);
    const running = await whenRunning(first, s);
    const hubFile = await readFile(path.join(s.dataDir, 'hub.json'), 'utf8');
    const pidFile = await readFile(path.join(s.dataDir, 'influxdb', 'influxd.pid'), 'utf8');

    const again = launch('npm start', s);
    expect((await exitWithin(again.exit)).code).not.toBe(0);
    expect(again.output()).toContain(`MQTT_PORT: 127.0.0.1:${s.mqttPort} is held by an earlier Compound Hub (pid ${running.hub}, started `);
    expect(again.output()).toContain(`stop it with: kill ${running.hub}`);
    expect(again.output()).not.toMatch(/system Mosquitto|local influxd|Compound Hub is running/);

    // Other ports, same data dir: refused too, by the data dir.
    const other = launch('node bin/compound-hub.js', { ...s, httpPort: await freePort(), mqttPort: await freePort() });
    expect((await exitWithin(other.exit)).code).toBe(1);
    expect(other.output()).toMatch(new RegExp(`DATA_DIR: .* is in use by an earlier Compound Hub \\(pid ${running.hub}, `));

    expect(await readFile(path.join(s.dataDir, 'hub.json'), 'utf8')).toBe(hubFile);
    expect(await readFile(path.join(s.dataDir, 'influxdb', 'influxd.pid'), 'utf8')).toBe(pidFile);
    expect(isAlive(running.influxd)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${s.httpPort}/readyz`)).status).toBe(200);

    process.kill(running.hub, 'SIGTERM');
    expect(await exitWithin(first.exit)).toEqual({ code: 0, signal: null });
    await expectAllStopped(s, running);
  });

  it('a hub killed with SIGKILL leaves its influxd; the next start stops that one by PID and starts fine', async () => {
    const s = await setup();
    const first = launch('node bin/compound-hub.js', s);
    const killed = await whenRunning(first, s);
    process.kill(killed.hub, 'SIGKILL');
    expect(await exitWithin(first.exit)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waitForExit(killed.influxd, 500)).toBe(false); // still running, orphaned

    const next = launch('node bin/compound-hub.js', s);
    const running = await whenRunning(next, s);
    expect(next.output()).toContain('stopping an influxd left behind by an earlier hub');
    expect(await waitForExit(killed.influxd, STOP_BOUND_MS)).toBe(true);
    expect(running.influxd).not.toBe(killed.influxd);
    expect(isAlive(running.influxd)).toBe(true);

    process.kill(running.hub, 'SIGTERM');
    expect(await exitWithin(next.exit)).toEqual({ code: 0, signal: null });
    await expectAllStopped(s, running);
  });
});
