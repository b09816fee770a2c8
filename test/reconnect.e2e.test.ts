/**
 * Dashboards come back by themselves after a hub restart (issue 11, point 3), in real
 * Chromium against the hub as a child process: a grid worker's phone view and a manager's
 * compound view stay open while the hub is stopped (SIGTERM, by PID) and started again on
 * the same ports and data dir. Without a reload, each page is either live again (its login
 * survived the restart: fresh snapshot, new changes and alerts show) or on the login page
 * saying the login expired — and then logging in again makes it live. Logins that are lost in
 * the restart (sessions file gone) always take the second way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { connState, launchBrowser, liveOrLogin, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: HubProcess;
let browser: Browser;
let devices: FleetDevice[];
const find = (type: FleetDevice['type'], n = 0) => devices.filter((d) => d.type === type)[n]!;
const publish = (device: FleetDevice, kind: 'telemetry' | 'event', payload: object) => publishAs(hub.info.brokerUrl, device, kind, payload);
const card = (page: Page, device: FleetDevice, rule: string) => page.locator(`[data-testid="alert-card"][data-device-key="${device.key}"][data-rule="${rule}"]`);

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('reconnect');
  // Devices report hourly: none is taken for offline during the test, so only the alerts made here show.
  devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 2, manhole: 2, fire_lane: 1, parking: 1 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }] }));
  hub = await startHubProcess({ DATA_DIR: dir.path, REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, INFLUX_MANAGED: 'off' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

/** A worker's phone view and a manager's compound view, live, with the mark a reload would lose. */
async function openViews(): Promise<[Page, Page]> {
  const phone = await (await newContext(browser, 'phone', hub.info.httpUrl)).newPage();
  const desk = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
  await logIn(phone, 'wang', TEST_PASSWORD);
  await logIn(desk, 'zhao', TEST_PASSWORD);
  await desk.goto('/#/compound/h1');
  for (const page of [phone, desk]) {
    await expect.poll(() => connState(page), { timeout: 10_000 }).toBe('online');
    await page.evaluate('window.notReloaded = true');
  }
  return [phone, desk];
}

/** Stops the hub by PID, sees both pages lose it, runs `between`, starts it again; where each page ends up. */
async function restartUnder(pages: Page[], between: () => Promise<void> = async () => undefined): Promise<Array<'online' | 'login'>> {
  await hub.stop();
  for (const page of pages) {
    await expect.poll(() => connState(page), { timeout: 10_000 }).toBe('offline');
    expect(await page.getByTestId('conn-status').textContent()).toBe('重连中…');
  }
  await between();
  await hub.restart();
  const outcomes = await Promise.all(pages.map((page) => liveOrLogin(page)));
  for (const page of pages) expect(await page.evaluate('window.notReloaded')).toBe(true);
  return outcomes;
}

async function onLoginPageThenBack(phone: Page, desk: Page): Promise<void> {
  for (const page of [phone, desk]) {
    expect(await page.getByTestId('login-notice').textContent()).toBe('登录已失效，请重新登录');
    expect(page.url()).toMatch(/#\/login$/);
    expect(await connState(page)).toBe(null);
  }
  await logIn(phone, 'wang', TEST_PASSWORD);
  await logIn(desk, 'zhao', TEST_PASSWORD);
  await desk.goto('/#/compound/h1');
  for (const page of [phone, desk]) await expect.poll(() => connState(page), { timeout: 10_000 }).toBe('online');
}

/** Live from a fresh snapshot: `before` (an alert from before the restart) is there, and what happens now shows up. */
async function liveAgain(phone: Page, desk: Page, before: FleetDevice, elevator: FleetDevice, lane: boolean): Promise<void> {
  for (const page of [phone, desk]) await card(page, before, 'manhole-water-high').waitFor({ timeout: 10_000 });
  if (lane) {
    const fireLane = find('fire_lane');
    const laneRow = desk.locator(`[data-testid="device-row"][data-device-key="${fireLane.key}"]`);
    await publish(fireLane, 'telemetry', { occupied: true, objectType: 'car', confidence: 0.95 });
    await expect.poll(() => laneRow.locator('[data-field="occupied"]').textContent(), { timeout: 10_000 }).toMatch(/^占用/);
  }
  await publish(elevator, 'event', { event: 'trapped' });
  for (const page of [phone, desk]) await card(page, elevator, 'elevator-trapped').waitFor({ timeout: 10_000 });
  expect(await card(phone, elevator, 'elevator-trapped').getAttribute('data-workflow')).toBe('dispatched');
}

describe('dashboards after a hub restart', () => {
  it('a worker phone view and a compound view are live again without a reload, or on the login page saying why', { timeout: 180_000 }, async () => {
    const [phone, desk] = await openViews();
    // Before: an alert for the worker, on both pages.
    const manhole = find('manhole');
    await publish(manhole, 'telemetry', { tiltDeg: 1, displaced: false, open: false, waterLevelCm: 180, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
    for (const page of [phone, desk]) await card(page, manhole, 'manhole-water-high').waitFor({ timeout: 10_000 });

    const outcomes = await restartUnder([phone, desk]);
    // Sessions either survive a restart or not: both pages end up the same way.
    expect(outcomes[0]).toBe(outcomes[1]);
    if (outcomes[0] === 'login') await onLoginPageThenBack(phone, desk);
    await liveAgain(phone, desk, manhole, find('elevator'), true);
    await phone.context().close();
    await desk.context().close();
  });

  it('logins lost in a restart: both pages go to the login page saying so, and are live after logging in', { timeout: 180_000 }, async () => {
    const [phone, desk] = await openViews();
    const manhole = find('manhole', 1);
    await publish(manhole, 'telemetry', { tiltDeg: 1, displaced: false, open: false, waterLevelCm: 185, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
    for (const page of [phone, desk]) await card(page, manhole, 'manhole-water-high').waitFor({ timeout: 10_000 });

    // The sessions are lost while the hub is down (a database restored from an older backup, say).
    const outcomes = await restartUnder([phone, desk], async () => {
      const db = new Database(path.join(dir.path, 'hub.db'));
      db.prepare('DELETE FROM sessions').run();
      db.close();
    });
    expect(outcomes).toEqual(['login', 'login']);
    await onLoginPageThenBack(phone, desk);
    await liveAgain(phone, desk, manhole, find('elevator', 1), false);
    await phone.context().close();
    await desk.context().close();
  });
});
