/** Backtest on real InfluxDB history: the library and the CLI show what rules would have raised. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { createStore, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { createHubMetrics } from '../src/metrics/hub.metrics.ts';
import { backtest } from '../src/rules/backtest.ts';
import { loadRules } from '../src/rules/rules.loader.ts';
import type { Reading } from '../src/contracts/readings.ts';
import { tempDir } from './helpers/temp-dir.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let settings: StoreSettings;
const DAY = 86_400_000;
const start = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY; // midnight UTC three days ago

beforeAll(async () => {
  dir = await tempDir('backtest');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  settings = { url: influx.url, api: 'v1', database: 'history' };
  const store = createStore({ logger: pino({ level: 'silent' }), metrics: createHubMetrics() }, { ...settings, createDatabase: true, spoolDir: `${dir.path}/spool`, spoolMaxBytes: 1e7, flushIntervalMs: 50 });
  await store.start();
  const base = { compound: 'c01', receivedAt: start, tags: {} };
  const write = (r: Reading) => store.write(r);
  // Day 1, 10:00: a car passes over mh-01 (tilt for 2 s) — no alarm.
  const t1 = start + 10 * 3_600_000;
  for (const [dt, tilt] of [[0, 1], [1000, 35], [3000, 1], [8000, 1]] as const) write({ ...base, type: 'manhole', device: 'mh-01', kind: 'telemetry', ts: t1 + dt, fields: { tiltDeg: tilt } });
  // Day 2, 09:00: mh-02 tilts and stays tilted for a minute — alarm after 30 s.
  const t2 = start + DAY + 9 * 3_600_000;
  for (let s = 0; s <= 60; s += 5) write({ ...base, type: 'manhole', device: 'mh-02', kind: 'telemetry', ts: t2 + s * 1000, fields: { tiltDeg: 32 } });
  write({ ...base, type: 'manhole', device: 'mh-02', kind: 'telemetry', ts: t2 + 70_000, fields: { tiltDeg: 2 } });
  // Day 2, 18:00: a passenger trapped in elev-01.
  write({ ...base, type: 'elevator', device: 'elev-01', kind: 'event', ts: start + DAY + 18 * 3_600_000, event: 'trapped' });
  await store.close();
});
afterAll(async () => {
  await influx?.stop();
  await dir?.remove();
});

describe('backtest', () => {
  it('replays history through the pack: the long tilt and the trapped passenger, not the passing car', async () => {
    const rules = (await loadRules(undefined)).filter((r) => r.id !== 'device-offline');
    const days: number[] = [];
    const changes = await backtest({ settings, rules, from: start, to: start + 3 * DAY, onProgress: (day) => days.push(day) });
    const raised = changes.filter((c) => c.change === 'raised').map((c) => `${c.ruleId} ${c.device} ${new Date(c.at).toISOString()}`);
    expect(raised).toEqual([
      `manhole-tilt mh-02 ${new Date(start + DAY + 9 * 3_600_000 + 30_000).toISOString()}`,
      `elevator-trapped elev-01 ${new Date(start + DAY + 18 * 3_600_000).toISOString()}`,
    ]);
    expect(changes.some((c) => c.change === 'cleared' && c.ruleId === 'manhole-tilt')).toBe(true);
    expect(days).toEqual([1, 2, 3]);
  });

  it('the CLI prints what one rule would have raised', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/backtest.cli.ts', '--from', String(start), '--to', new Date(start + 3 * DAY).toISOString(), '--rule', 'manhole-tilt'], {
      env: { ...process.env, INFLUX_URL: influx.url, INFLUX_DATABASE: 'history' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toMatch(/backtest: 1 rule\(s\)/);
    expect(err).toMatch(/day 2: 14 readings/); // only manhole history is read for a manhole rule
    expect(out).toMatch(/raised\s+major\s+manhole-tilt\s+c01\/manhole\/mh-02/);
    expect(out).toMatch(/^1 raised: manhole-tilt ×1$/m);
    expect(code).toBe(0);
  });

  it('the CLI names a wrong option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/backtest.cli.ts', '--from', 'yesterday', '--to', '2026-01-01'], { env: { ...process.env, INFLUX_URL: influx.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(err).toMatch(/^backtest: --from: expected a date/);
  });
});
