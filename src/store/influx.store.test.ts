/**
 * The store's HTTP behaviour against a local stand-in for InfluxDB's write endpoint
 * (InfluxDB 2.x cannot be installed on these machines; 1.6.7 is tested for real under
 * test/): request shape per API version, and what happens on 204, 400 and 5xx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createStore, type Store } from './influx.store.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import type { Reading } from '../contracts/readings.ts';
import type { StoreSettings } from './store.types.ts';

interface Captured {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

let server: http.Server | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = store = undefined;
});

/** Answers each write with the next status of `statuses` (the last one repeats). */
async function fakeInflux(statuses: number[], hold?: Promise<void>): Promise<{ url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/query')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[{"statement_id":0}]}');
        return;
      }
      requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
      void (hold ?? Promise.resolve()).then(() =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? '' : '{"error":"test answer"}'),
      );
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests };
}

const reading = (seq: number): Reading => ({
  compound: 'c01', type: 'parking', device: 'p1', kind: 'telemetry', seq, ts: 1_700_000_000_000 + seq, receivedAt: 1, tags: {}, fields: { occupied: true },
});

async function open(settings: StoreSettings, extra: { maxBufferLines?: number; spoolMaxBytes?: number } = {}) {
  const metrics = createHubMetrics();
  const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'store-'));
  store = createStore({ logger: pino({ level: 'silent' }), metrics }, { ...settings, spoolDir, spoolMaxBytes: 1e6, flushIntervalMs: 20, batchSize: 100, ...extra });
  await store.start();
  return { store, metrics };
}

async function dropped(metrics: ReturnType<typeof createHubMetrics>): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === 'compound_hub_points_dropped_total');
  return m?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

describe('store writes', () => {
  it('v2: posts to /api/v2/write with org, bucket, ms precision and the token', async () => {
    const influx = await fakeInflux([204]);
    const { store: s } = await open({ url: influx.url, api: 'v2', database: 'x', token: 'secret-token', org: 'acme', bucket: 'hub' });
    s.write(reading(1));
    await expect.poll(() => s.state().pointsWritten).toBe(1);
    expect(influx.requests[0]).toMatchObject({
      method: 'POST',
      url: '/api/v2/write?org=acme&bucket=hub&precision=ms',
      authorization: 'Token secret-token',
      body: 'parking,compound=c01,device=p1 occupied=true,seq=1i 1700000000001',
    });
  });

  it('v1: posts to /write with the database, rp and basic auth', async () => {
    const influx = await fakeInflux([204]);
    const { store: s } = await open({ url: influx.url, api: 'v1', database: 'hub', retentionPolicy: 'weekly', username: 'writer', password: 'pw' });
    s.write(reading(1));
    await expect.poll(() => s.state().pointsWritten).toBe(1);
    expect(influx.requests[0]).toMatchObject({ url: '/write?db=hub&rp=weekly&precision=ms', authorization: `Basic ${Buffer.from('writer:pw').toString('base64')}` });
  });

  it('drops and counts a batch InfluxDB refuses with 400, without retrying or spooling it', async () => {
    const influx = await fakeInflux([400, 204]);
    const { store: s, metrics } = await open({ url: influx.url, api: 'v1', database: 'hub' });
    s.write(reading(1));
    await expect.poll(() => dropped(metrics)).toBe(1);
    s.write(reading(2));
    await expect.poll(() => s.state().pointsWritten).toBe(1);
    expect(influx.requests).toHaveLength(2);
    expect(s.state().spoolLines).toBe(0);
  });

  it('spools a batch that fails with 503 and replays it once InfluxDB answers again', async () => {
    const influx = await fakeInflux([503, 503, 204]);
    const { store: s } = await open({ url: influx.url, api: 'v1', database: 'hub' });
    s.write(reading(1));
    await expect.poll(() => s.state().connected === false && s.state().lastError !== undefined).toBe(true);
    s.write(reading(2)); // goes straight to the spool while InfluxDB is failing
    await expect.poll(() => s.state().pointsWritten, { timeout: 10_000 }).toBe(2);
    expect(s.state()).toMatchObject({ spoolLines: 0, connected: true });
    const delivered = influx.requests.filter((_, i) => i >= 2).map((r) => r.body).join('\n');
    expect(delivered).toContain('seq=1i');
    expect(delivered).toContain('seq=2i');
  });

  it('stops accepting while too many points wait for InfluxDB, and resumes when they are written', async () => {
    let release!: () => void;
    const influx = await fakeInflux([204], new Promise<void>((resolve) => (release = resolve)));
    const { store: s } = await open({ url: influx.url, api: 'v1', database: 'hub' }, { maxBufferLines: 50 });
    for (let seq = 1; seq <= 60; seq += 1) s.write(reading(seq));
    expect(s.accepting).toBe(false);
    expect(s.state().bufferedLines).toBe(60);
    let resumed = false;
    const waiting = s.whenAccepting().then(() => (resumed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resumed).toBe(false);
    release();
    await waiting;
    expect(s.accepting).toBe(true);
    expect(s.state().pointsWritten).toBe(60);
  });
});
