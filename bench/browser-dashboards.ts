/**
 * npm run bench:browser [-- --seconds 30] [-- --rate 60]
 *
 * The dashboards in headless Chromium at district scale, against a baseline of the demo's size,
 * in one run on this machine. For each fleet a hub process starts (DEMO=off, REGISTRY_FILE,
 * INFLUX_MANAGED=off) and the simulators' load generator drives some of its devices (per-device
 * MQTT logins) at `--rate` messages a second, enough for the views' live rooms to get about 10
 * batches a second (the most the hub sends a client). Fleets:
 *
 * - baseline: 3 compounds of 29 devices (the demo's shape), all driven;
 * - district: the district preset (simulators/district.ts) of 300 compounds with a large first
 *   compound of 2,000 devices (28,928 devices); 150 devices of the large compound and one in
 *   every other compound are driven.
 *
 * Views: the district overview (#/district) and one compound (#/compound/c01 of the baseline,
 * the 2,000-device c001 of the district). For each, a fresh page load prints: first contentful
 * paint, when the first table row (district) or site-plan marker (compound) was in the page,
 * live batches received per second (socket.io frames, counted over CDP), script time and task
 * time per batch (CDP Performance.getMetrics ScriptDuration / TaskDuration over the window,
 * everything the page ran divided by the batches), long tasks (> 50 ms) in the window, and the
 * JS heap after the window (after a garbage collection). Figures are printed and written to
 * bench/results/browser-latest.{json,md}; nothing is asserted.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession } from 'playwright-core';
import { buildFleet, fleetToRegistry, type FleetDevice, type RegistryMeta } from '../simulators/fleet.ts';
import { districtFleet } from '../simulators/district.ts';
import { startLoad } from '../simulators/load.runner.ts';
import { startHubProcess, type HubProcess } from '../test/helpers/hub-process.ts';
import { launchBrowser, logIn, newContext } from '../test/helpers/browser.ts';
import { writeNamedUsers } from '../test/helpers/named-users.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { ROOT } from './lib/children.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, rate: { type: 'string', default: '60' } } });
const seconds = Number(values.seconds);
const rate = Number(values.rate);
if (!(seconds > 0) || !(rate > 0)) {
  console.error('bench:browser: --seconds and --rate take positive numbers');
  process.exit(2);
}
const FLEET_KEY = 'bench-browser-fleet-key';
const say = (text: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

interface Fleet {
  name: string;
  devices: FleetDevice[];
  meta: RegistryMeta;
  driven: FleetDevice[];
  views: Array<{ name: string; hash: string; ready: string; devicesShown: number }>;
}

function baseline(): Fleet {
  const devices = buildFleet({ compounds: 3, perCompound: { elevator: 7, manhole: 7, fire_lane: 3, parking: 12 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  return {
    name: 'baseline: 3 compounds, 87 devices',
    devices,
    meta: {},
    driven: devices,
    views: [
      { name: 'district overview (3 compounds)', hash: '#/district', ready: '[data-testid="compound-row"]', devicesShown: 0 },
      { name: 'compound c01 (29 devices)', hash: '#/compound/c01', ready: '[data-testid="site-device"], [data-testid="plan-cluster"]', devicesShown: 29 },
    ],
  };
}

function district(): Fleet {
  const { devices, meta } = districtFleet({ compounds: 300, fleetKey: FLEET_KEY, large: 2000, reportIntervalSec: 3600 });
  const byCompound = new Map<string, FleetDevice[]>();
  for (const d of devices) byCompound.set(d.compound, [...(byCompound.get(d.compound) ?? []), d]);
  const large = byCompound.get('c001')!;
  const driven = [...large.filter((d) => d.type !== 'elevator').slice(0, 150), ...[...byCompound].filter(([id]) => id !== 'c001').map(([, list]) => list.find((d) => d.type === 'parking')!)];
  return {
    name: `district: 300 compounds, ${devices.length.toLocaleString('en-US')} devices`,
    devices,
    meta,
    driven,
    views: [
      { name: 'district overview (300 compounds)', hash: '#/district', ready: '[data-testid="compound-row"]', devicesShown: 0 },
      { name: `compound c001 (${large.length.toLocaleString('en-US')} devices)`, hash: '#/compound/c001', ready: '[data-testid="site-device"], [data-testid="plan-cluster"]', devicesShown: large.length },
    ],
  };
}

interface Row {
  fleet: string;
  view: string;
  fcpMs: number | null;
  readyMs: number | null;
  updatesPerSec: number;
  scriptMsPerUpdate: number | null;
  taskMsPerUpdate: number | null;
  longTasks: number;
  heapMb: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** Records, in the page, when the `ready` selector first matched and every long task. */
const WATCH = (ready: string) => `
  window.__bench = { readyAt: null, longTasks: 0 };
  new PerformanceObserver((list) => { window.__bench.longTasks += list.getEntries().length; }).observe({ type: 'longtask', buffered: true });
  const seen = () => { if (window.__bench.readyAt === null && document.querySelector(${JSON.stringify(ready)})) window.__bench.readyAt = performance.now(); };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true });
`;

async function measure(browser: Browser, hub: HubProcess, fleet: Fleet, view: Fleet['views'][number]): Promise<Row> {
  const context = await newContext(browser, 'desktop', hub.info.httpUrl);
  const page = await context.newPage();
  await logIn(page, 'sun', TEST_PASSWORD);
  await page.addInitScript(WATCH(view.ready));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Network.enable');
  let updates = 0;
  cdp.on('Network.webSocketFrameReceived', (event: { response: { payloadData: string } }) => {
    if (event.response.payloadData.startsWith('42["update"')) updates += 1;
  });
  // A new document (the query string), so paint and timings count from its start.
  await page.goto(`/?bench=${Date.now()}${view.hash}`);
  await page.locator(view.ready).first().waitFor({ state: 'attached', timeout: 60_000 });
  const start = (await page.evaluate(
    `({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null, ready: window.__bench.readyAt })`,
  )) as { fcp: number | null; ready: number | null };
  // Warm up, then the window.
  await page.waitForTimeout(3000);
  const before = await metrics(cdp);
  const updatesBefore = updates;
  const longBefore = ((await page.evaluate('window.__bench.longTasks')) as number);
  await page.waitForTimeout(seconds * 1000);
  const after = await metrics(cdp);
  const got = updates - updatesBefore;
  const longTasks = (((await page.evaluate('window.__bench.longTasks')) as number)) - longBefore;
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await metrics(cdp)).JSHeapUsedSize ?? 0;
  await context.close();
  const perUpdate = (name: string) => (got ? Math.round(((after[name]! - before[name]!) * 1000 * 100) / got) / 100 : null);
  const round = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    fleet: fleet.name,
    view: view.name,
    fcpMs: round(start.fcp),
    readyMs: round(start.ready),
    updatesPerSec: Math.round((got / seconds) * 10) / 10,
    scriptMsPerUpdate: perUpdate('ScriptDuration'),
    taskMsPerUpdate: perUpdate('TaskDuration'),
    longTasks,
    heapMb: Math.round((heap / 2 ** 20) * 10) / 10,
  };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'compound-bench-browser-'));
const rows: Row[] = [];
const browser = await launchBrowser();
try {
  for (const fleet of [baseline(), district()]) {
    say(`${fleet.name}: writing the registry, starting the hub …`);
    const registry = path.join(dir, `registry-${fleet.devices.length}.json`);
    await writeFile(registry, JSON.stringify(fleetToRegistry(fleet.devices, fleet.meta)));
    const dataDir = path.join(dir, `data-${fleet.devices.length}`);
    await mkdir(dataDir);
    const hub = await startHubProcess({ DATA_DIR: dataDir, REGISTRY_FILE: registry, INFLUX_MANAGED: 'off', LOG_LEVEL: 'warn', USERS_FILE: await writeNamedUsers() });
    const load = startLoad({
      url: hub.info.brokerUrl, devices: fleet.driven, qos: 1, rate, durationMs: 3_600_000, alertShare: 0,
      inflight: 4, topicRoot: 'compounds', seed: 1, connectConcurrency: 50, connection: 'per-device',
    });
    try {
      await load.ready;
      say(`  ${fleet.driven.length} devices connected, ${rate} msg/s`);
      for (const view of fleet.views) {
        say(`  ${view.name}: ${seconds} s …`);
        const row = await measure(browser, hub, fleet, view);
        rows.push(row);
        say(`    first paint ${row.fcpMs} ms, first rows ${row.readyMs} ms, ${row.updatesPerSec} updates/s, script ${row.scriptMsPerUpdate} ms/update, task ${row.taskMsPerUpdate} ms/update, ${row.longTasks} long tasks, heap ${row.heapMb} MB`);
      }
    } finally {
      load.stop();
      await load.done.catch(() => undefined);
      await hub.stop();
    }
  }
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}

const cell = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));
const table = [
  '| fleet | view | first contentful paint | first rows / plan | live updates | script per update | task per update | long tasks | JS heap after the window |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.fleet} | ${r.view} | ${cell(r.fcpMs)} ms | ${cell(r.readyMs)} ms | ${r.updatesPerSec}/s | ${cell(r.scriptMsPerUpdate)} ms | ${cell(r.taskMsPerUpdate)} ms | ${r.longTasks} | ${r.heapMb} MB |`),
].join('\n');
const md = `Run ${new Date().toISOString()} · \`npm run bench:browser -- --seconds ${seconds} --rate ${rate}\` · ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${process.version}, Chromium headless\n\n${table}\n`;
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench/results/browser-latest.json'), `${JSON.stringify({ at: new Date().toISOString(), seconds, rate, rows }, null, 2)}\n`);
await writeFile(path.join(ROOT, 'bench/results/browser-latest.md'), md);
process.stdout.write(`\n${md}`);
