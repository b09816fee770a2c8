/**
 * The store against a real InfluxDB 1.6.7 (influxd started on a free loopback port):
 * exact points written, history queries with bound parameters, and no loss across an
 * InfluxDB outage or a hub restart during one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createHistoryQuery, createStore, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { createHubMetrics } from '../src/metrics/hub.metrics.ts';
import type { Reading } from '../src/contracts/readings.ts';
import { sleep, tempDir } from './helpers/temp-dir.ts';
import { countPerDevice } from './helpers/influx-counts.ts';

let influx: LocalInfluxd;
let dir: Awaited<ReturnType<typeof tempDir>>;
const logger = pino({ level: 'silent' });
const NOW = Date.now();

function telemetry(device: string, seq: number): Reading {
  return {
    compound: 'c01', type: 'manhole', device, kind: 'telemetry', seq, ts: NOW - 600_000 + seq * 10, receivedAt: NOW,
    tags: { zone: 'north gate' }, fields: { tiltDeg: seq / 10, batteryPct: 90, open: false },
  };
}

function newStore(settings: StoreSettings, spool: string) {
  return createStore({ logger, metrics: createHubMetrics() }, { ...settings, createDatabase: true, spoolDir: spool, spoolMaxBytes: 50e6, flushIntervalMs: 100, batchSize: 500 });
}

beforeAll(async () => {
  dir = await tempDir('store');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
});
afterAll(async () => {
  await influx?.stop();
  await dir?.remove();
});

describe('store on InfluxDB 1.6.7', () => {
  it('writes every reading exactly once, with the values sent', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'exact' };
    const store = newStore(settings, `${dir.path}/spool-exact`);
    await store.start();
    for (let seq = 0; seq < 1000; seq += 1) for (const device of ['m1', 'm2', 'm3']) store.write(telemetry(device, seq));
    await store.close();
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m1: 1000, m2: 1000, m3: 1000 });

    const history = createHistoryQuery(settings);
    const points = await history.series({ type: 'manhole', compound: 'c01', device: 'm2', field: 'tiltDeg', from: NOW - 600_000, to: NOW - 600_000 + 40 });
    expect(points).toEqual([0, 1, 2, 3, 4].map((seq) => ({ ts: NOW - 600_000 + seq * 10, value: seq / 10 })));
    const latest = await history.latest({ type: 'manhole', compound: 'c01' });
    expect(latest.map((d) => d.device).sort()).toEqual(['m1', 'm2', 'm3']);
    expect(latest[0]).toMatchObject({ ts: NOW - 600_000 + 999 * 10, fields: { tiltDeg: 99.9, batteryPct: 90, open: false } });
  });

  it('binds query values: an InfluxQL injection finds nothing and harms nothing', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'exact' };
    const history = createHistoryQuery(settings);
    for (const compound of [`c01' OR '1'='1`, `c01"; DROP DATABASE "exact`, 'c01\\']) {
      expect(await history.series({ type: 'manhole', compound, device: 'm1', field: 'tiltDeg', from: 0 })).toEqual([]);
    }
    await expect(history.series({ type: 'manhole', compound: 'c01', device: 'm1', field: 'tiltDeg" FROM x; DROP', from: 0 })).rejects.toThrow(/has no field/);
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m1: 1000, m2: 1000, m3: 1000 });
  });

  it('loses nothing when influxd is killed mid-stream and restarted', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'outage' };
    const store = newStore(settings, `${dir.path}/spool-outage`);
    await store.start();
    let seq = 0;
    const writeSome = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        store.write(telemetry('m1', seq));
        seq += 1;
        if (i % 50 === 0) await sleep(5);
      }
    };
    await writeSome(500);
    influx.kill('SIGKILL');
    await writeSome(1000);
    await expect.poll(() => store.state().spoolLines, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(store.state().connected).toBe(false);
    await influx.restart();
    await writeSome(500);
    await expect.poll(() => store.state().spoolLines, { timeout: 30_000 }).toBe(0);
    await store.close();
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m1: 2000 });
  });

  it('keeps points in the spool across a restart during an outage and replays them', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'restart' };
    const spool = `${dir.path}/spool-restart`;
    influx.kill('SIGKILL');
    const first = newStore(settings, spool);
    await first.start();
    for (let seq = 0; seq < 300; seq += 1) first.write(telemetry('m9', seq));
    await first.close();
    expect(first.state().spoolLines).toBe(300);

    await influx.restart();
    const second = newStore(settings, spool);
    await second.start();
    await expect.poll(() => second.state().spoolLines, { timeout: 30_000 }).toBe(0);
    await second.close();
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m9: 300 });
  });
});
