/**
 * Takes the README's screenshots (docs/screenshots/*.png) in Debian's headless Chromium from real
 * hubs: the demo with its trapped passenger (`DEMO_SCENARIO=trapped-passenger`) for the compound
 * view, the alert desk and the worker's phone, and the generated district of 300 compounds (a
 * few hundred devices driven, three trapped passengers and four top overruns) for the district
 * view and its wall mode. Chinese text needs a CJK font on the machine (Debian:
 * `apt-get install fonts-noto-cjk`). Run `npm run build` first, then
 * `npx tsx dashboards/screenshots.cli.ts` (or `… manager worker` for some of them).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/config/config.loader.ts';
import { startHub, type Hub } from '../src/hub.ts';
import { DEMO_PASSWORD } from '../src/demo/demo.ts';
import { districtFleet } from '../simulators/district.ts';
import { fleetToRegistry } from '../simulators/fleet.ts';
import { startLoad } from '../simulators/load.runner.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { launchBrowser, logIn, newContext } from '../test/helpers/browser.ts';
import { publishAs } from '../test/helpers/device-publish.ts';
import { writeNamedUsers } from '../test/helpers/named-users.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const FLEET_KEY = 'screenshots-fleet-key';
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => !wanted.size || wanted.has(name);

async function hubWith(env: Record<string, string>): Promise<{ hub: Hub; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'screenshots-'));
  const config = loadConfig({ DATA_DIR: dir, HTTP_PORT: '0', MQTT_PORT: '0', INFLUX_MANAGED: 'off', LOG_LEVEL: 'silent', ...env });
  return { hub: await startHub(config, pino({ level: 'silent' })), dir };
}

async function shot(page: Page, name: string, options: { fullPage?: boolean; height?: number } = {}): Promise<void> {
  await page.waitForTimeout(1500);
  const file = path.join(OUT, `${name}.png`);
  const width = page.viewportSize()?.width ?? 1366;
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true, ...(options.height ? { clip: { x: 0, y: 0, width, height: options.height } } : {}) });
  process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
}

/** The demo: compound view, alert desk, worker phone, with a passenger trapped in c01's elevator 1. */
async function demoShots(browser: Browser): Promise<void> {
  const { hub, dir } = await hubWith({ DEMO: 'on', DEMO_SCENARIO: 'trapped-passenger', DEMO_INTERVAL: '2s' });
  try {
    // The scenario traps the passenger at 10 s.
    await new Promise((resolve) => setTimeout(resolve, 14_000));
    const desktop = await newContext(browser, 'desktop', hub.info.httpUrl);
    const page = await desktop.newPage();
    await logIn(page, 'manager-c01', DEMO_PASSWORD);
    if (want('manager')) {
      await page.goto('/#/compound/c01');
      await page.getByTestId('site-plan').waitFor();
      await shot(page, 'manager', { height: 1300 });
    }
    if (want('desk')) {
      await page.goto('/#/desk');
      await page.waitForLoadState('networkidle');
      await shot(page, 'desk', { height: 900 });
    }
    await desktop.close();
    if (want('worker')) {
      const phone = await newContext(browser, 'phone', hub.info.httpUrl);
      const worker = await phone.newPage();
      await logIn(worker, 'wang-fang', DEMO_PASSWORD);
      await worker.goto('/#/worker');
      await worker.locator('[data-testid="alert-card"]').first().waitFor();
      await shot(worker, 'worker', { fullPage: false });
      await phone.close();
    }
  } finally {
    await hub.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The generated district: the overview and its wall mode. */
async function districtShots(browser: Browser): Promise<void> {
  const district = districtFleet({ compounds: 300, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const { hub, dir } = await (async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'screenshots-district-'));
    const registry = path.join(tmp, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(district.devices, district.meta)));
    const started = await hubWith({ DEMO: 'off', REGISTRY_FILE: registry, USERS_FILE: await writeNamedUsers() });
    return { hub: started.hub, dir: [tmp, started.dir] };
  })();
  const first = (compound: string, type: string) => district.devices.find((d) => d.compound === compound && d.type === type)!;
  const compounds = [...new Set(district.devices.map((d) => d.compound))];
  // Most compounds have one device reporting; four report nothing (shown as having no device online).
  const silent = new Set(['c047', 'c133', 'c208', 'c266']);
  const load = startLoad({
    url: hub.info.brokerUrl, devices: compounds.filter((c) => !silent.has(c)).map((c) => first(c, 'parking')), qos: 1, rate: 100, durationMs: 600_000,
    alertShare: 0, inflight: 4, topicRoot: 'compounds', seed: 1, connectConcurrency: 50, connection: 'per-device',
  });
  try {
    await load.ready;
    for (const c of ['c012', 'c088', 'c171']) await publishAs(hub.info.brokerUrl, first(c, 'elevator'), 'event', { event: 'trapped' });
    for (const c of ['c030', 'c140', 'c222', 'c290']) await publishAs(hub.info.brokerUrl, first(c, 'elevator'), 'event', { event: 'top_overrun' });
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const context = await newContext(browser, 'desktop', hub.info.httpUrl);
    const page = await context.newPage();
    await logIn(page, 'sun', TEST_PASSWORD);
    await page.goto('/#/district');
    await page.locator('[data-testid="compound-row"]').first().waitFor();
    if (want('district')) await shot(page, 'district', { height: 1450 });
    if (want('district-wall')) {
      await page.getByTestId('kiosk-enter').click();
      await shot(page, 'district-wall', { fullPage: false });
    }
    await context.close();
  } finally {
    load.stop();
    await load.done.catch(() => undefined);
    await hub.stop();
    for (const d of dir) await rm(d, { recursive: true, force: true });
  }
}

const browser = await launchBrowser();
try {
  process.stdout.write(`screenshots into ${OUT}\n`);
  if (want('manager') || want('desk') || want('worker')) await demoShots(browser);
  if (want('district') || want('district-wall')) await districtShots(browser);
} finally {
  await browser.close();
}
