/**
 * The store against a real InfluxDB 1.6.7 (influxd started by startLocalInfluxd on free
 * loopback ports, temp dirs, stopped by PID): exact points and field types for every
 * device type, escaping through the real parser, history queries with bound
 * parameters, and no loss across an InfluxDB outage or a hub restart during one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  createHistoryQuery, createStore, influxQuery, startLocalInfluxd, type LocalInfluxd, type StoreConfig, type StoreSettings,
} from '../src/store/index.ts';
import { createHubMetrics, type HubMetrics } from '../src/metrics/hub.metrics.ts';
import type { Reading, TelemetryReading } from '../src/contracts/readings.ts';
import { sleep, tempDir } from './helpers/temp-dir.ts';
import { countPerDevice } from './helpers/influx-counts.ts';

let influx: LocalInfluxd;
let dir: Awaited<ReturnType<typeof tempDir>>;
const logger = pino({ level: 'silent' });
const NOW = Date.now();
const T0 = NOW - 600_000;

function manhole(device: string, seq: number): Reading {
  return {
    compound: 'c01', type: 'manhole', device, kind: 'telemetry', seq, ts: T0 + seq * 10, receivedAt: NOW,
    tags: { zone: 'north gate' }, fields: { tiltDeg: seq / 10, batteryPct: 90, open: false },
  };
}

function newStore(settings: StoreSettings, spoolDir: string, metrics: HubMetrics = createHubMetrics(), extra: Partial<StoreConfig> = {}) {
  return createStore(
    { logger, metrics },
    { ...settings, createDatabase: true, spoolDir, spoolMaxBytes: 50e6, flushIntervalMs: 50, batchSize: 500, replayMinDelayMs: 50, replayMaxDelayMs: 500, ...extra },
  );
}

async function rows(settings: StoreSettings, q: string, params: Record<string, string> = {}) {
  const [result] = await influxQuery(settings, q, params);
  const series = result?.series ?? [];
  return series.flatMap((s) => s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })));
}

async function droppedTotal(metrics: HubMetrics): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === 'compound_hub_points_dropped_total');
  return m?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
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
  const exact: StoreSettings = { url: '', api: 'v1', database: 'exact' };

  it('writes readings of every type exactly once, with the values and field types sent', async () => {
    exact.url = influx.url;
    const metrics = createHubMetrics();
    const store = newStore(exact, `${dir.path}/spool-exact`, metrics);
    await store.start();
    for (let seq = 0; seq < 1000; seq += 1) for (const device of ['m1', 'm2', 'm3']) store.write(manhole(device, seq));
    const directions = ['up', 'down', 'idle'] as const;
    for (let i = 0; i < 100; i += 1) {
      store.write({
        compound: 'c01', type: 'elevator', device: 'e1', kind: 'telemetry', seq: i, ts: T0 + i * 1000, receivedAt: NOW, tags: { building: 'b3' },
        fields: { floor: i % 30 - 2, speed: i % 4, loadPct: i / 4, direction: directions[i % 3]!, doorOpen: i % 2 === 0, mode: 'normal' },
      });
    }
    store.write({ compound: 'c01', type: 'elevator', device: 'e1', kind: 'event', seq: 100, ts: T0 + 100_500, receivedAt: NOW, tags: { building: 'b3' }, event: 'fault', code: 'E:42' });
    store.write({ compound: 'c01', type: 'fire_lane', device: 'f1', kind: 'telemetry', ts: T0, receivedAt: NOW, tags: {}, fields: { occupied: true, objectType: 'ebike', confidence: 1 } });
    store.write({ compound: 'c01', type: 'parking', device: 'p1', kind: 'status', ts: T0, receivedAt: NOW, tags: {}, online: false });
    store.write({ compound: 'c01', type: 'parking', device: 'p1', kind: 'status', ts: T0 + 1, receivedAt: NOW, tags: {}, online: true });
    await store.close();
    expect(await droppedTotal(metrics)).toBe(0);
    expect(store.state().pointsWritten).toBe(3000 + 100 + 1 + 1 + 2);

    expect(await countPerDevice(exact, 'manhole', 'tiltDeg')).toEqual({ m1: 1000, m2: 1000, m3: 1000 });
    const counts = await rows(exact, 'SELECT COUNT(*) FROM "elevator" GROUP BY "device"');
    expect(counts).toEqual([expect.objectContaining({ device: 'e1', count_floor: 100, count_direction: 100, count_seq: 101, count_event: 1 })]);

    // The stored kinds are the contract's: a float field stays float even for 0, 1, 2, 3.
    const kinds = Object.fromEntries((await rows(exact, 'SHOW FIELD KEYS FROM "elevator"')).map((r) => [r.fieldKey, r.fieldType]));
    expect(kinds).toEqual({
      floor: 'integer', speed: 'float', loadPct: 'float', direction: 'string', doorOpen: 'boolean', mode: 'string', seq: 'integer', event: 'string', code: 'string',
    });

    const elevator = await rows(exact, 'SELECT * FROM "elevator" WHERE "device" = $d ORDER BY time ASC', { d: 'e1' });
    expect(elevator[7]).toEqual({
      time: T0 + 7000, building: 'b3', compound: 'c01', device: 'e1', floor: 5, speed: 3, loadPct: 1.75, direction: 'down', doorOpen: false, mode: 'normal', seq: 7, event: null, code: null,
    });
    expect(elevator[100]).toMatchObject({ time: T0 + 100_500, event: 'fault', code: 'E:42', seq: 100, floor: null });
    expect(await rows(exact, 'SELECT * FROM "fire_lane"')).toEqual([
      { time: T0, compound: 'c01', device: 'f1', occupied: true, objectType: 'ebike', confidence: 1 },
    ]);
    expect(await rows(exact, 'SELECT * FROM "device_status"')).toEqual([
      { time: T0, compound: 'c01', device: 'p1', type: 'parking', online: false },
      { time: T0 + 1, compound: 'c01', device: 'p1', type: 'parking', online: true },
    ]);
  });

  it('escapes tags and strings so that the real parser keeps every tag and value apart', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'escaping' };
    const metrics = createHubMetrics();
    const store = newStore(settings, `${dir.path}/spool-escaping`, metrics);
    await store.start();
    const plain = ['with space', 'a,b', 'k=v', '号楼 3', ' lead', 'trail ', 'q"uote', '=,= ,'];
    const nasty = ['trail\\', 'x\\,y', 'a\\b', 'x\\\\ y', 'new\nline'];
    const all = [...plain, ...nasty];
    all.forEach((value, i) =>
      store.write({ compound: 'esc', type: 'elevator', device: `d${i}`, kind: 'event', ts: T0 + i, receivedAt: NOW, tags: { building: value, zone: `z${i}` }, event: 'fault', code: `c"\\${value}` }),
    );
    await store.close();
    expect(await droppedTotal(metrics)).toBe(0);
    const stored = await rows(settings, 'SELECT * FROM "elevator" ORDER BY time ASC');
    expect(stored.map((r) => [r.device, r.zone, r.compound])).toEqual(all.map((_, i) => [`d${i}`, `z${i}`, 'esc']));
    // Without backslashes or newlines, everything comes back exactly.
    plain.forEach((value, i) => expect(stored[i]).toMatchObject({ building: value, code: `c"\\${value}` }));
    // With them, InfluxDB 1.x keeps `\\` as two characters in tags and a trailing one cannot be stored: close, not exact.
    expect(stored[plain.length]).toMatchObject({ building: 'trail', code: 'c"\\trail\\' });
    expect(stored[plain.length + 2]).toMatchObject({ building: 'a\\b' });
    expect(stored[plain.length + 4]).toMatchObject({ building: 'new\\nline', code: 'c"\\new\\nline' });
  });

  it('answers latest and series with bound parameters; a point from a device clock in the future stays hidden', async () => {
    const history = createHistoryQuery(exact);
    const points = await history.series({ type: 'manhole', compound: 'c01', device: 'm2', field: 'tiltDeg', from: T0, to: T0 + 40 });
    expect(points).toEqual([0, 1, 2, 3, 4].map((seq) => ({ ts: T0 + seq * 10, value: seq / 10 })));
    expect(await history.series({ type: 'manhole', compound: 'c01', device: 'm2', field: 'tiltDeg', from: T0, limit: 3 })).toHaveLength(3);
    const events = await history.series({ type: 'elevator', compound: 'c01', device: 'e1', field: 'event', from: T0 });
    expect(events).toEqual([{ ts: T0 + 100_500, value: 'fault' }]);

    const latest = await history.latest({ type: 'manhole', compound: 'c01' });
    expect(latest.map((d) => d.device).sort()).toEqual(['m1', 'm2', 'm3']);
    for (const device of latest) expect(device).toEqual({ compound: 'c01', device: device.device, ts: T0 + 999 * 10, fields: { tiltDeg: 99.9, batteryPct: 90, open: false } });
    const [e1] = await history.latest({ type: 'elevator', device: 'e1' });
    expect(e1).toEqual({
      compound: 'c01', device: 'e1', ts: T0 + 100_500,
      fields: { floor: 99 % 30 - 2, speed: 99 % 4, loadPct: 99 / 4, direction: 'up', doorOpen: false, mode: 'normal', event: 'fault', code: 'E:42' },
    });

    // A device whose clock runs an hour ahead: stored, but not part of "now".
    const store = newStore(exact, `${dir.path}/spool-future`);
    await store.start();
    store.write({ ...(manhole('m2', 5000) as TelemetryReading), ts: Date.now() + 3_600_000, fields: { tiltDeg: 77 } });
    await store.close();
    expect(await countPerDevice(exact, 'manhole', 'tiltDeg')).toMatchObject({ m2: 1001 });
    const series = await history.series({ type: 'manhole', compound: 'c01', device: 'm2', field: 'tiltDeg', from: T0, limit: 10_000 });
    expect(series).toHaveLength(1000);
    expect(series.at(-1)).toEqual({ ts: T0 + 999 * 10, value: 99.9 });
    const [m2] = await history.latest({ type: 'manhole', compound: 'c01', device: 'm2' });
    expect(m2).toMatchObject({ ts: T0 + 999 * 10, fields: { tiltDeg: 99.9 } });
  });

  it('binds query values: an InfluxQL injection finds nothing and harms nothing', async () => {
    const history = createHistoryQuery(exact);
    for (const compound of [`c01' OR '1'='1`, `c01"; DROP DATABASE "exact`, 'c01\\', `c01' OR "compound" =~ /.*/ --`]) {
      expect(await history.series({ type: 'manhole', compound, device: 'm1', field: 'tiltDeg', from: 0 })).toEqual([]);
      expect(await history.latest({ type: 'manhole', compound })).toEqual([]);
    }
    await expect(history.series({ type: 'manhole', compound: 'c01', device: 'm1', field: 'tiltDeg" FROM x; DROP', from: 0 })).rejects.toThrow(/has no field/);
    expect(await countPerDevice(exact, 'manhole', 'tiltDeg')).toEqual({ m1: 1000, m2: 1001, m3: 1000 });
    expect((await rows(exact, 'SHOW DATABASES')).map((r) => r.name)).toContain('exact');
  });

  it('loses nothing when influxd is killed mid-stream and restarted on the same port and data dir', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'outage' };
    const metrics = createHubMetrics();
    const store = newStore(settings, `${dir.path}/spool-outage`, metrics);
    await store.start();
    let seq = 0;
    const writeSome = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        for (const device of ['m1', 'm2']) store.write(manhole(device, seq));
        seq += 1;
        if (i % 50 === 0) await sleep(5);
      }
    };
    await writeSome(500);
    const pid = influx.pid;
    influx.kill('SIGKILL');
    await writeSome(1000);
    await expect.poll(() => store.state().spoolLines, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(store.state()).toMatchObject({ connected: false, spooling: true });
    await influx.restart();
    expect(influx.pid).not.toBe(pid);
    await writeSome(500);
    await expect.poll(() => store.state().spooling, { timeout: 30_000 }).toBe(false);
    await store.close();
    expect(store.state().spoolLines).toBe(0);
    expect(await droppedTotal(metrics)).toBe(0);
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m1: 2000, m2: 2000 });
  });

  it('keeps points in the spool across a hub restart during an outage and replays them', async () => {
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'restart' };
    const spool = `${dir.path}/spool-restart`;
    influx.kill('SIGKILL');
    const first = newStore(settings, spool);
    await first.start();
    expect(first.state().connected).toBe(false);
    for (let seq = 0; seq < 300; seq += 1) first.write(manhole('m9', seq));
    await first.close();
    expect(first.state().spoolLines).toBe(300);

    await influx.restart();
    const second = newStore(settings, spool);
    await second.start();
    await expect.poll(() => second.state().spoolLines, { timeout: 30_000 }).toBe(0);
    await second.close();
    expect(second.state().pointsWritten).toBe(300);
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ m9: 300 });
  });
});
