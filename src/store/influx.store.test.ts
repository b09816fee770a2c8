/**
 * The store's HTTP behaviour against a local stand-in for InfluxDB (real sockets, real
 * client library): request shape per API version, what happens on 2xx, 4xx, 5xx,
 * timeouts and dropped connections, the spool, backpressure and shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createStore, type Store } from './influx.store.ts';
import { freePort } from './local-influxd.ts';
import { startFakeInflux, type FakeInflux, type WriteAnswer } from './fake-influx.testing.ts';
import { createHubMetrics, type HubMetrics } from '../metrics/hub.metrics.ts';
import type { Reading } from '../contracts/readings.ts';
import type { StoreConfig } from './store.types.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function fake(options: { port?: number } = {}): Promise<FakeInflux> {
  const server = await startFakeInflux(options);
  cleanup.push(() => server.close());
  return server;
}

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'store-'));

const reading = (seq: number): Reading => ({
  compound: 'c01', type: 'parking', device: 'p1', kind: 'telemetry', seq, ts: 1_700_000_000_000 + seq, receivedAt: 1, tags: {}, fields: { occupied: true },
});
/** The line of reading(seq), at ns precision: tie-break 2 × seq. */
const line = (seq: number) => `parking,compound=c01,device=p1 occupied=true,seq=${seq}i ${1_700_000_000_000 + seq}${String(2 * seq).padStart(6, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Opened {
  store: Store;
  metrics: HubMetrics;
  logs: Array<Record<string, unknown>>;
  spoolDir: string;
}

async function open(url: string, config: Partial<StoreConfig> = {}): Promise<Opened> {
  const metrics = createHubMetrics();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (msg: string) => logs.push(JSON.parse(msg) as Record<string, unknown>) });
  const spoolDir = config.spoolDir ?? (await tmp());
  const store = createStore(
    { logger, metrics },
    {
      url, api: 'v1', database: 'hub', spoolDir, spoolMaxBytes: 1e6,
      flushIntervalMs: 20, batchSize: 100, replayMinDelayMs: 20, replayMaxDelayMs: 100, ...config,
    },
  );
  cleanup.push(() => store.close());
  await store.start();
  return { store, metrics, logs, spoolDir };
}

async function metric(metrics: HubMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
const dropped = (metrics: HubMetrics, reason?: string) => metric(metrics, 'compound_hub_points_dropped_total', reason ? { reason } : {});

describe('request shape', () => {
  it('v2: posts to /api/v2/write with org, bucket, ns precision and the token', async () => {
    const influx = await fake();
    const { store } = await open(influx.url, { api: 'v2', token: 'secret-token', org: 'acme', bucket: 'hub' });
    store.write(reading(1));
    await expect.poll(() => store.state().pointsWritten).toBe(1);
    const [write] = influx.writes();
    expect(write).toMatchObject({ method: 'POST', path: '/api/v2/write', body: line(1) });
    expect(Object.fromEntries(write!.query)).toEqual({ org: 'acme', bucket: 'hub', precision: 'ns' });
    expect(write!.headers).toMatchObject({ authorization: 'Token secret-token', 'content-type': 'text/plain; charset=utf-8' });
    expect(influx.requests.find((r) => r.path === '/ping')?.headers.authorization).toBe('Token secret-token');
  });

  it('v1: creates the database, then posts to /write with db, rp, ns precision (n) and basic auth', async () => {
    const influx = await fake();
    const basic = `Basic ${Buffer.from('writer:p@ss').toString('base64')}`;
    const { store } = await open(influx.url, { database: 'hub db', retentionPolicy: 'weekly', username: 'writer', password: 'p@ss', createDatabase: true });
    const create = influx.requests.find((r) => r.path === '/query');
    expect(new URLSearchParams(create!.body).get('q')).toBe('CREATE DATABASE "hub db"');
    expect(create!.headers.authorization).toBe(basic);
    store.write(reading(1));
    await expect.poll(() => store.state().pointsWritten).toBe(1);
    const [write] = influx.writes();
    expect(write).toMatchObject({ method: 'POST', url: '/write?db=hub+db&rp=weekly&precision=n', body: line(1) });
    expect(write!.headers.authorization).toBe(basic);
  });

  it('v1: a refused CREATE DATABASE (a user without admin rights) does not stop writing', async () => {
    const influx = await fake();
    influx.queryAnswer = `{"results":[{"statement_id":0,"error":"error authorizing query: w not authorized to execute statement 'CREATE DATABASE hub', requires admin privilege"}]}`;
    const { store, logs } = await open(influx.url, { createDatabase: true });
    expect(store.state()).toMatchObject({ connected: true, spooling: false });
    expect(logs.find((l) => l.msg === 'CREATE DATABASE refused: writing anyway (the database must exist)')?.err).toMatch(/requires admin privilege/);
    store.write(reading(1));
    await expect.poll(() => store.state().pointsWritten).toBe(1);
  });

  it('sends batches of batchSize lines, gzipped when large, and times them', async () => {
    const influx = await fake();
    const { store, metrics } = await open(influx.url, { batchSize: 50, flushIntervalMs: 60_000 });
    for (const seq of range(1, 120)) store.write(reading(seq));
    await expect.poll(() => store.state().pointsWritten).toBe(100); // two full batches; 20 wait for the interval
    expect(influx.writes().map((w) => w.body.split('\n').length)).toEqual([50, 50]);
    expect(influx.writes()[0]!.headers['content-encoding']).toBe('gzip');
    await store.close(); // flushes the rest
    // The two full batches are in flight together: they may land in either order.
    expect(influx.accepted).toHaveLength(120);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 120).map(line)));
    expect(await metric(metrics, 'compound_hub_points_written_total')).toBe(120);
    expect(await metrics.registry.getSingleMetricAsString('compound_hub_write_latency_seconds')).toMatch(/^compound_hub_write_latency_seconds_count 3$/m);
  });
});

describe('failures', () => {
  it('drops and counts a batch InfluxDB refuses with 400, logs the server message once per episode, and neither retries nor spools it', async () => {
    const influx = await fake();
    influx.errorBody = '{"error":"partial write: field type conflict: input field \\"occupied\\" on measurement \\"parking\\" is type boolean, already exists as type float dropped=1"}';
    influx.answerWrites(400, 400, 204);
    const { store, metrics, logs } = await open(influx.url);
    store.write(reading(1));
    store.write(reading(2)); // same batch: InfluxDB 1.x stored one line and dropped one
    await expect.poll(() => dropped(metrics, 'rejected_by_influxdb')).toBe(1);
    store.write(reading(3));
    await expect.poll(() => influx.writes().length).toBe(2);
    store.write(reading(4));
    await expect.poll(() => store.state().pointsWritten).toBe(1);
    expect(influx.writes()).toHaveLength(3);
    expect(store.state()).toMatchObject({ spoolLines: 0, spooling: false, connected: true });
    const errors = logs.filter((l) => l.msg === 'points dropped: rejected_by_influxdb');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.detail)).toContain('field type conflict');
  });

  it.each<[string, WriteAnswer, Partial<StoreConfig>]>([
    ['503', 503, {}],
    ['500', 500, {}],
    ['429', 429, {}],
    ['408', 408, {}],
    ['401 (credentials are fixed by an operator, the data waits)', 401, {}],
    ['404 database not found', 404, {}],
    ['a dropped connection', 'reset', {}],
    ['a timeout', 'hang', { requestTimeoutMs: 200 }],
  ])('spools a batch that fails with %s and replays it, so every line arrives', async (_name, answer, extra) => {
    const influx = await fake();
    if (answer === 404) influx.errorBody = '{"error":"database not found: \\"hub\\""}';
    influx.answerWrites(answer, 204);
    const { store, metrics, logs } = await open(influx.url, { createDatabase: answer === 404, ...extra });
    for (const seq of range(1, 5)) store.write(reading(seq));
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(5);
    expect(logs.filter((l) => String(l.msg).startsWith('InfluxDB unavailable: spooling'))).toHaveLength(1);
    expect(influx.writes().length).toBeGreaterThanOrEqual(2); // the failed batch, then its replay
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 5).map(line)));
    await expect.poll(() => store.state().spooling).toBe(false); // the replayer pings before it goes live
    expect(store.state()).toMatchObject({ spoolLines: 0, spooling: false, connected: true });
    expect(await dropped(metrics)).toBe(0);
    if (answer === 404) expect(influx.requests.filter((r) => r.path === '/query')).toHaveLength(2); // created again
  });

  it('keeps a spool segment until InfluxDB acknowledged it: failed replays are retried with backoff, and a close meanwhile loses nothing', async () => {
    const influx = await fake();
    influx.answerWrites(503, 'reset', 500);
    const first = await open(influx.url);
    for (const seq of range(1, 20)) first.store.write(reading(seq));
    await expect.poll(() => influx.writes().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4); // live + ≥ 3 replays failed
    await first.store.close();
    expect(first.store.state().spoolLines).toBe(20);

    influx.answerWrites(204);
    const second = await open(influx.url, { spoolDir: first.spoolDir });
    await expect.poll(() => second.store.state().pointsWritten, { timeout: 10_000 }).toBe(20);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 20).map(line)));
    expect(await dropped(first.metrics)).toBe(0);
  });

  it('drops and counts spooled lines InfluxDB refuses (400) on replay, and replays the rest', async () => {
    const influx = await fake();
    influx.answerWrites(503);
    const { store, metrics } = await open(influx.url, { batchSize: 5 });
    for (const seq of range(1, 5)) store.write(reading(seq)); // one live batch: 503, spooled
    influx.answerPing(503); // the replayer waits
    await expect.poll(() => store.state().spoolLines).toBe(5);
    for (const seq of range(6, 10)) store.write(reading(seq)); // straight to the spool
    await expect.poll(() => store.state().spoolLines).toBe(10);
    expect(influx.writes()).toHaveLength(1);
    influx.answerWrites(400, 204); // replay: the first chunk of 5 is refused, the second taken
    influx.answerPing(204);
    await expect.poll(() => store.state().spoolLines, { timeout: 10_000 }).toBe(0);
    expect(await dropped(metrics, 'rejected_by_influxdb')).toBe(5);
    expect(store.state().pointsWritten).toBe(5);
    expect(influx.accepted).toEqual(range(6, 10).map(line));
    expect(influx.writes().slice(1).map((w) => w.body.split('\n').length)).toEqual([5, 5]);
  });

  it('while InfluxDB is down, new lines go to the spool (no requests to a dead server) until a ping answers', async () => {
    const influx = await fake();
    influx.answerWrites(503);
    const { store, metrics } = await open(influx.url);
    store.write(reading(1));
    influx.answerPing(503); // before the batch fails: the replayer's probe finds InfluxDB down
    await expect.poll(() => store.state().connected).toBe(false);
    for (const seq of range(2, 51)) store.write(reading(seq));
    await expect.poll(() => store.state().spoolLines).toBe(51);
    const pings = influx.requests.filter((r) => r.path === '/ping').length;
    await expect.poll(() => influx.requests.filter((r) => r.path === '/ping').length).toBeGreaterThan(pings + 1); // probing with backoff
    expect(influx.writes()).toHaveLength(1);
    expect(await metric(metrics, 'compound_hub_spool_lines')).toBe(51);

    influx.answerPing(204);
    influx.answerWrites(204);
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(51);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 51).map(line)));
    // The spool lets go of its lines once they are acknowledged: a moment after they count as written.
    await expect.poll(() => metric(metrics, 'compound_hub_spool_lines')).toBe(0);
    store.write(reading(52)); // live again
    await expect.poll(() => store.state().pointsWritten).toBe(52);
    expect(store.state().spooling).toBe(false);
  });

  it('starts while InfluxDB is down (it just spools), and replays once it comes up', async () => {
    const port = await freePort();
    const { store } = await open(`http://127.0.0.1:${port}`);
    expect(store.state()).toMatchObject({ connected: false, spooling: true });
    expect(store.state().lastError).toMatch(/ECONNREFUSED/);
    for (const seq of range(1, 10)) store.write(reading(seq));
    await expect.poll(() => store.state().spoolLines).toBe(10);
    const influx = await fake({ port });
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(10);
    expect(influx.accepted).toEqual(range(1, 10).map(line));
    await expect.poll(() => store.state().spooling).toBe(false); // the replayer pings before it goes live
    expect(store.state()).toMatchObject({ connected: true, spooling: false });
    expect(store.state().lastError).toBeUndefined();
  });

  it('close() during an outage keeps every unacknowledged line on disk; the next store on that folder replays them', async () => {
    const influx = await fake();
    influx.answerWrites('reset');
    const first = await open(influx.url, { flushIntervalMs: 60_000 }); // lines sit in the client's buffer until close
    for (const seq of range(1, 30)) first.store.write(reading(seq));
    await first.store.close();
    expect(first.store.state()).toMatchObject({ spoolLines: 30, bufferedLines: 0 });
    const files = await readdir(first.spoolDir);
    const onDisk = (await Promise.all(files.map((f) => readFile(path.join(first.spoolDir, f), 'utf8')))).join('').split('\n').filter(Boolean);
    expect(new Set(onDisk)).toEqual(new Set(range(1, 30).map(line)));

    influx.answerWrites(204);
    const second = await open(influx.url, { spoolDir: first.spoolDir });
    await expect.poll(() => second.store.state().pointsWritten, { timeout: 10_000 }).toBe(30);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 30).map(line)));
    expect(await readdir(first.spoolDir)).toEqual([]);
  });

  it('replays a spool left by a hub that wrote ms precision, turned to ns; new segments are marked .ns', async () => {
    const influx = await fake();
    const spoolDir = await tmp();
    const msLine = (seq: number) => `parking,compound=c01,device=p1 occupied=true,seq=${seq}i ${1_700_000_000_000 + seq}`;
    await writeFile(path.join(spoolDir, 'seg-000000000007.lp'), `${range(1, 5).map(msLine).join('\n')}\n`);
    influx.answerWrites('reset');
    const { store } = await open(influx.url, { spoolDir });
    for (const seq of range(6, 8)) store.write(reading(seq));
    await expect.poll(async () => (await readdir(spoolDir)).sort(), { timeout: 10_000 }).toEqual(['seg-000000000007.lp', 'seg-000000000008.ns.lp']);
    influx.answerWrites(204);
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(8);
    expect(influx.accepted).toEqual([...range(1, 5).map((seq) => `${msLine(seq)}000000`), ...range(6, 8).map(line)]);
    // A replayed segment is removed once its lines are acknowledged: a moment after they count as written.
    await expect.poll(() => readdir(spoolDir), { timeout: 10_000 }).toEqual([]);
  });
});

describe('time: ns precision', () => {
  it('gives readings of one device within one ms points of their own, with or without seq; a ready-made ms line (alert event) is sent at ns', async () => {
    const influx = await fake();
    const { store } = await open(influx.url);
    const noSeq: Reading = { compound: 'c01', type: 'parking', device: 'p1', kind: 'telemetry', ts: 1_700_000_000_000, receivedAt: 1, tags: {}, fields: { occupied: true } };
    store.write(noSeq);
    store.write(noSeq);
    store.write({ ...noSeq, seq: 4 });
    store.write({ ...noSeq, seq: 5 });
    store.writeLine('alert_events,compound=c01,rule=r,severity=warning,type=parking alertId="a1",at=1700000000000i 1700000000000');
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(5);
    const times = influx.accepted.map((l) => l.slice(l.lastIndexOf(' ') + 1));
    expect(times).toEqual(['1700000000000000001', '1700000000000000003', '1700000000000000008', '1700000000000000010', '1700000000000000000']);
  });
});

describe('backpressure and bounds', () => {
  it('stops accepting while maxBufferLines wait for InfluxDB, overflows to the spool instead of memory, and resumes', async () => {
    const influx = await fake();
    const release = influx.hold();
    const { store } = await open(influx.url, { maxBufferLines: 50 });
    for (const seq of range(1, 60)) store.write(reading(seq));
    expect(store.accepting).toBe(false);
    // InfluxDB is slow, not gone: still writing live; only the overflow goes to the spool.
    expect(store.state()).toMatchObject({ bufferedLines: 60, spooling: false, connected: true });
    let resumed = false;
    const waiting = store.whenAccepting().then(() => (resumed = true));
    await expect.poll(() => influx.writes().length).toBe(2); // the first 50 live, then the overflow replayed: both held
    expect(influx.writes().map((w) => w.body.split('\n').length).sort()).toEqual([10, 50]);
    expect(store.state().spoolLines).toBe(10); // the overflow is on disk until acknowledged…
    expect(store.accepting).toBe(false); // …but 50 are still unanswered
    expect(resumed).toBe(false);
    release();
    await waiting;
    expect(store.accepting).toBe(true);
    await expect.poll(() => store.state().pointsWritten).toBe(60);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 60).map(line)));
    await expect.poll(() => store.state().spoolLines).toBe(0);
  });

  it('with the spool full, stops accepting; lines on their way are still kept, and only beyond twice the bound dropped and counted, never thrown', async () => {
    const influx = await fake();
    influx.answerPing(503);
    const { store, metrics } = await open(influx.url, { spoolMaxBytes: 1000 });
    let n = 0;
    while (store.accepting) store.write(reading((n += 1)));
    expect(store.state().spoolBytes).toBeGreaterThan(900);
    // A burst admitted before the pause took effect: kept.
    for (let i = 0; i < 5; i += 1) expect(() => store.write(reading((n += 1)))).not.toThrow();
    expect(await dropped(metrics)).toBe(0);
    expect(store.state().spoolLines).toBe(n);
    while (store.state().spoolBytes < 2000 - 100) store.write(reading((n += 1)));
    for (let i = 0; i < 5; i += 1) expect(() => store.write(reading((n += 1)))).not.toThrow();
    expect(await dropped(metrics, 'spool_full')).toBeGreaterThan(0);
    const kept = store.state().spoolLines;
    expect(kept + (await dropped(metrics, 'spool_full'))).toBe(n);

    let resumed = false;
    const waiting = store.whenAccepting().then(() => (resumed = true));
    expect(resumed).toBe(false);
    influx.answerPing(204);
    await waiting;
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(kept);
  });

  it('an unwritable spool folder does not stop the store: the state says why and live writes go on', async () => {
    const blocker = path.join(await tmp(), 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const influx = await fake();
    const { store } = await open(influx.url, { spoolDir: path.join(blocker, 'spool') });
    expect(store.state().spoolError).toMatch(/ENOTDIR|EEXIST/);
    expect(store.state().lastError).toMatch(/ENOTDIR|EEXIST/);
    for (const seq of range(1, 5)) store.write(reading(seq));
    await expect.poll(() => store.state().pointsWritten).toBe(5);
  });

  it('with an unwritable spool during an outage, lines wait in memory (bounded) and go to InfluxDB when it answers', async () => {
    const blocker = path.join(await tmp(), 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const influx = await fake();
    influx.answerPing(503);
    const { store, metrics } = await open(influx.url, { spoolDir: path.join(blocker, 'spool'), maxBufferLines: 10 });
    for (const seq of range(1, 10)) store.write(reading(seq));
    expect(store.state()).toMatchObject({ bufferedLines: 10, accepting: false });
    for (const seq of range(11, 40)) store.write(reading(seq)); // beyond 2 × maxBufferLines: dropped, counted
    expect(await dropped(metrics, 'spool_unwritable')).toBe(20);
    influx.answerPing(204);
    await expect.poll(() => store.state().pointsWritten, { timeout: 10_000 }).toBe(20);
    expect(new Set(influx.accepted)).toEqual(new Set(range(1, 20).map(line)));
    expect(store.state()).toMatchObject({ spooling: false, accepting: true, bufferedLines: 0 });
  });
});

describe('never throws', () => {
  it('counts a reading that cannot be stored, and writes after close', async () => {
    const influx = await fake();
    const { store, metrics } = await open(influx.url);
    const bad = { ...reading(1), fields: { occupied: 'maybe' } } as unknown as Reading;
    expect(() => store.write(bad)).not.toThrow();
    expect(await dropped(metrics, 'invalid_point')).toBe(1);
    await store.close();
    expect(() => store.write(reading(2))).not.toThrow();
    expect(() => store.writeLine(line(3))).not.toThrow();
    expect(await dropped(metrics, 'closed')).toBe(2);
    expect(store.accepting).toBe(false);
    await store.whenAccepting(); // does not hang after close
    expect(influx.writes()).toHaveLength(0);
  });

  it('reports the URL without credentials', async () => {
    const influx = await fake();
    const { store, logs } = await open(influx.url.replace('http://', 'http://admin:hunter2@'));
    expect(store.state().url).toBe(influx.url);
    expect(JSON.stringify(logs)).not.toContain('hunter2');
  });
});
