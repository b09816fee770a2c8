/**
 * Fault suite: InfluxDB fails under steady load. The hub runs as a child process with its
 * embedded broker; 42 simulated devices publish QoS 1 with per-device `seq`; a real influxd
 * 1.6.7 is killed, stopped and restarted under it. After each scenario every message the
 * broker acknowledged is in InfluxDB exactly once, and each alert was raised once.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { startSimulation, type Simulation } from '../../simulators/sim.runner.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { checkDelivery, DeliveryLedger, lostCount, lostRanges } from '../helpers/delivery-check.ts';
import { alertHistory } from '../helpers/alert-check.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { getJson, writeFleetRegistry } from '../helpers/test-hub.ts';

const COMPOUNDS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'];
const INTERVAL_MS = 50;
const OUTAGE_MS = 30_000;
const STALL_MS = 15_000;
/** RSS may grow by what V8 collects lazily; 50k spooled lines held in memory would not fit a bound this size either way. */
const MEMORY_HEADROOM = 128 * 1024 * 1024;

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: HubProcess;
let sim: Simulation;
let devices: FleetDevice[];
const ledger = new DeliveryLedger();
const settings = (): StoreSettings => ({ url: influx.url, api: 'v1', database: 'faults_outage' });
const spoolDir = () => path.join(dir.path, 'data', 'spool');
const MB = 1024 * 1024;

/** Bytes in spool segment files on disk. */
async function spoolOnDisk(): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(spoolDir()).catch(() => [] as string[])) {
    if (name.startsWith('seg-')) bytes += (await stat(path.join(spoolDir(), name))).size;
  }
  return bytes;
}

/** Samples the hub while `ms` pass: RSS, what /readyz says, the spool on disk. */
async function watch(ms: number) {
  const samples: Array<{ rss: number; heap: number; buffered: number; spoolLines: number; connected: boolean; disk: number }> = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const { body } = await hub.readyz();
    samples.push({ rss: hub.rssBytes(), heap: await hub.metric('compound_hub_process_nodejs_heap_size_used_bytes'), buffered: body.storage.bufferedLines, spoolLines: body.storage.spoolLines, connected: body.storage.connected, disk: await spoolOnDisk() });
    await sleep(1000);
  }
  return samples;
}

/** Open manhole-open alerts in o1, as `device id`. */
async function openCoverAlerts(): Promise<string[]> {
  const { alerts } = await getJson<{ alerts: Array<{ id: string; device: string; ruleId: string }> }>(hub, '/api/alerts?open=true&compound=o1');
  return alerts.filter((a) => a.ruleId === 'manhole-open').map((a) => `${a.device} ${a.id}`);
}

/** Everything acknowledged until now is stored once (polled: the hub flushes and replays meanwhile). */
async function expectDelivered(timeout = 60_000) {
  const upToNow = ledger.snapshot();
  let report = await checkDelivery(settings(), upToNow);
  const deadline = Date.now() + timeout;
  while (lostCount(report) > 0 && Date.now() < deadline) {
    await sleep(1000);
    report = await checkDelivery(settings(), upToNow);
  }
  expect(lostRanges(report)).toEqual({});
  expect(report.duplicated).toEqual({});
  expect(report.acknowledged).toBeGreaterThan(0);
  return report;
}

beforeAll(async () => {
  dir = await tempDir('faults-outage');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, COMPOUNDS);
  devices = registry.devices;
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_outage' });
  sim = startSimulation({ url: hub.info.brokerUrl, devices, intervalMs: INTERVAL_MS, seed: 6, onPublished: ledger.record, reconnect: { minMs: 200, maxMs: 2000 } });
  await sim.ready;
});
beforeEach(() => onTestFailed(() => console.error(`hub log:\n${hub.log().slice(-20_000)}`)));
afterAll(async () => {
  await sim?.stop();
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('fault suite: InfluxDB outages under load', () => {
  it(`InfluxDB killed (SIGKILL) for ${OUTAGE_MS / 1000} s: memory stays bounded, the spool takes the load on disk, everything arrives`, async () => {
    await sleep(5000);
    await expectDelivered();
    const before = await watch(3000);
    const publishedBefore = ledger.total;
    influx.kill('SIGKILL');
    const during = await watch(OUTAGE_MS);
    const publishedDuring = ledger.total - publishedBefore;
    await influx.restart();
    await expect.poll(async () => (await hub.readyz()).body.storage.spoolLines, { timeout: 60_000, interval: 500 }).toBe(0);
    const report = await expectDelivered();

    const baseline = Math.max(...before.map((s) => s.rss));
    const peak = Math.max(...during.map((s) => s.rss));
    const last = during.at(-1)!;
    console.info(JSON.stringify({ scenario: 'influx-kill', publishedDuring, baselineMB: baseline / MB, peakMB: peak / MB, maxBuffered: Math.max(...during.map((s) => s.buffered)), spoolLines: last.spoolLines, diskMB: last.disk / MB, acknowledged: report.acknowledged }));
    // The load held: devices kept publishing through the outage (the hub acknowledged them).
    expect(publishedDuring).toBeGreaterThan((OUTAGE_MS / INTERVAL_MS) * devices.length * 0.5);
    // Spooled on disk, and /readyz says so.
    expect(last.connected).toBe(false);
    expect(last.spoolLines).toBeGreaterThan(publishedDuring * 0.8);
    expect(last.disk).toBeGreaterThan(last.spoolLines * 50);
    // Memory bounded: what waits is on disk, not in memory (RSS grows by what the heap collects lazily, then levels off).
    expect(Math.max(...during.map((s) => s.buffered))).toBeLessThan(5000);
    expect(peak - baseline).toBeLessThan(MEMORY_HEADROOM);
  }, 240_000);

  it(`InfluxDB stalled (SIGSTOP) for ${STALL_MS / 1000} s, then continued: memory stays bounded, the stalled batches are spooled, everything arrives once`, async () => {
    const before = await watch(2000);
    const publishedBefore = ledger.total;
    influx.kill('SIGSTOP');
    const during = await watch(STALL_MS);
    const publishedDuring = ledger.total - publishedBefore;
    influx.kill('SIGCONT');
    await expect.poll(async () => (await hub.readyz()).body.storage.spoolLines, { timeout: 60_000, interval: 500 }).toBe(0);
    const report = await expectDelivered();

    const baseline = Math.max(...before.map((s) => s.rss));
    const peak = Math.max(...during.map((s) => s.rss));
    const maxBuffered = Math.max(...during.map((s) => s.buffered));
    console.info(JSON.stringify({ scenario: 'influx-stall', publishedDuring, baselineMB: baseline / MB, peakMB: peak / MB, maxBuffered, maxSpoolLines: Math.max(...during.map((s) => s.spoolLines)), acknowledged: report.acknowledged }));
    expect(publishedDuring).toBeGreaterThan((STALL_MS / INTERVAL_MS) * devices.length * 0.5);
    // Requests to a stalled server time out (10 s); their batches go to the spool.
    expect(during.some((s) => !s.connected && s.spoolLines > 0)).toBe(true);
    expect(maxBuffered).toBeLessThan(100_000);
    expect(peak - baseline).toBeLessThan(MEMORY_HEADROOM);
  }, 180_000);

  it('hub stopped (SIGTERM) during an InfluxDB outage: the spool survives, is replayed on the next start, and open alerts are not raised twice', async () => {
    const covers = devices.filter((d) => d.type === 'manhole' && d.compound === 'o1').map((d) => d.key);
    influx.kill('SIGKILL');
    for (const key of covers) sim.fault(key, 'open');
    // manhole-open: a cover open for 5 s raises a critical alert.
    await expect.poll(openCoverAlerts, { timeout: 20_000 }).toHaveLength(covers.length);
    await sleep(2000);
    const exit = await hub.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const onDisk = await spoolOnDisk();
    expect(onDisk).toBeGreaterThan(0);

    await hub.restart();
    const { body } = await hub.readyz();
    expect(body.storage).toMatchObject({ connected: false });
    expect(body.storage.spoolBytes).toBeGreaterThanOrEqual(onDisk);
    await sleep(7000); // devices reconnect, the covers stay open: manhole-open holds 5 s and is raised again
    await influx.restart();
    await expect.poll(async () => (await hub.readyz()).body.storage.spoolLines, { timeout: 60_000, interval: 500 }).toBe(0);
    await expectDelivered();

    const alerts = await alertHistory(settings());
    for (const key of covers) expect(alerts[`${key} manhole-open`], key).toMatchObject({ alerts: [expect.any(String)], raised: 1 });
    expect(await openCoverAlerts()).toHaveLength(covers.length);
  }, 180_000);

  it('after all of it: no lost or doubled point, and no condition alerted twice', async () => {
    await sim.stop();
    const report = await expectDelivered();
    expect(report.acknowledged).toBe(ledger.total);
    const doubled = Object.entries(await alertHistory(settings())).filter(([, h]) => h.alerts.length > 1 || h.raised > 1);
    expect(doubled).toEqual([]);
  }, 120_000);
});
