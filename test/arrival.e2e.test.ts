/**
 * Arrival on site (到场) as a grid worker does it (issue 14), in real Chromium against a real
 * hub: on a phone with geolocation allowed, a trapped-passenger alert shows its arrival deadline
 * and a countdown; "到场签到" checks in with the browser's position; the distance from the
 * compound's registry location is shown, kept in the operational database across a stop, and
 * read in the alert's history; the district overview counts the rescue in the 30分钟到达率.
 * Without a position (geolocation refused) the check-in still goes through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { StatsAnswer } from '../src/contracts/api.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { openState } from '../src/state/index.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from './helpers/test-hub.ts';
import { zhUntil } from './helpers/zh-time.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { writeNamedUsers } from './helpers/named-users.ts';

/** Compound h1 stands at 30.2905 N 120.1229 E; the worker's phone reports 0.002° north of it: 222 m (a degree of latitude is 111.195 km). */
const SITE = { lat: 30.2905, lon: 120.1229 };
const PHONE = { latitude: 30.2925, longitude: 120.1229, accuracy: 15 };
const MIN = 60_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
const elevator = (n: number) => devices.filter((d) => d.type === 'elevator')[n]!;
const cardOf = (page: Page, device: FleetDevice) => page.locator(`[data-testid="alert-card"][data-device-key="${device.key}"][data-rule="elevator-trapped"]`);
const openAlert = async (device: FleetDevice) => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts.find((a) => a.deviceKey === device.key && a.ruleId === 'elevator-trapped');

async function workerPhone(geolocation: boolean): Promise<Page> {
  const context = await newContext(browser, 'phone', hub.info.httpUrl, geolocation ? { geolocation: PHONE, permissions: ['geolocation'] } : { permissions: [] });
  const page = await context.newPage();
  await logIn(page, 'wang', TEST_PASSWORD);
  await page.goto('/#/worker');
  await expect.poll(() => connState(page)).toBe('online');
  return page;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('arrival');
  devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 2, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const file = fleetToRegistry(devices);
  file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.location = SITE;
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(file));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang', 'li'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, USERS_FILE: await writeNamedUsers() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('arrival on site in Chromium', () => {
  it('checks in from the phone with the browser position; the distance from the compound is shown, in the history, and stored', async () => {
    const page = await workerPhone(true);
    const lift = elevator(0);
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'trapped' });
    const card = cardOf(page, lift);
    await card.waitFor({ timeout: 10_000 });

    // The deadline counts from dispatch: 30 min in a city compound.
    const alert = (await openAlert(lift))!;
    const dispatchedAt = alert.history.find((e) => e.kind === 'dispatched')!.at;
    expect(alert.arrival).toEqual({ dueAt: dispatchedAt + 30 * MIN });
    expect(await card.getByTestId('arrival-due').textContent()).toBe(`到场时限 ${zhUntil(alert.arrival!.dueAt)}`);
    await expect.poll(() => card.getByTestId('arrival-clock').getAttribute('data-state')).toBe('left');
    expect(await card.getByTestId('arrival-clock').textContent()).toMatch(/^到场剩余 \d+ 分钟$/);

    await card.getByTestId('alert-arrive').click();
    const done = card.getByTestId('arrival-done');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.getAttribute('data-distance')).toBe('222');
    expect(await done.textContent()).toMatch(/^已到场 \d\d:\d\d · 王芳 签到 · 距小区 222 米$/);
    expect(await page.getByTestId('notice').textContent()).toBe('已签到：距小区 222 米');
    // Checking in before accepting accepted it.
    await expect.poll(() => card.getAttribute('data-workflow')).toBe('accepted');

    // The history reads in Chinese, every step with who.
    await card.getByTestId('alert-history').locator('summary').click();
    const steps = await card.getByTestId('history-step').allTextContents();
    expect(steps.map((s) => s.replace(/^\S+ \S+ /, ''))).toEqual(['发生', '派发给 王芳', '王芳 接单', '王芳 到场签到 · 距小区 222 米']);

    const stored = (await getJson<Alert>(hub, `/api/alerts/${alert.id}`)).arrival!;
    expect(stored).toMatchObject({ dueAt: dispatchedAt + 30 * MIN, by: 'wang', position: { lat: PHONE.latitude, lon: PHONE.longitude, accuracyM: 15 }, distanceM: 222 });
    expect(stored.at).toBeLessThanOrEqual(stored.dueAt);

    // The district overview counts the rescue: on site in time.
    const stats = await getJson<StatsAnswer>(hub, '/api/alerts/stats', 'zhao');
    expect(stats.overall).toMatchObject({ rescues: 1, arrived: 1, arrivalCounted: 1, arrivedInTime: 1, arrivalRate: 1 });
    const district = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(district, 'sun', TEST_PASSWORD);
    await district.goto('/#/district');
    const rate = district.locator('[data-testid="stats-figure"][data-figure="arrival-rate"]');
    await rate.waitFor({ timeout: 10_000 });
    expect(await rate.getByTestId('figure-value').textContent()).toBe('100%');
    expect(await rate.getByTestId('figure-detail').textContent()).toBe('救援 1 起中 1 起按时到场');
    const street = district.locator('[data-testid="street-figures-row"][data-street="wenxin"]');
    await street.waitFor();
    expect((await street.locator('th, td').allTextContents())[0]).toBe('文新街道');
    expect((await street.locator('th, td').allTextContents())[5]).toBe('100%');
    expect(await district.locator('[data-testid="compound-row"][data-compound="h1"] [data-testid="compound-arrival"]').getAttribute('data-rate')).toBe('1');
    await district.context().close();
    await page.context().close();
  });

  it('checks in without a position when the browser may not tell it', async () => {
    const page = await workerPhone(false);
    const lift = elevator(1);
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'trapped' });
    const card = cardOf(page, lift);
    await card.waitFor({ timeout: 10_000 });
    await card.getByTestId('alert-arrive').click();
    const done = card.getByTestId('arrival-done');
    await done.waitFor({ timeout: 20_000 });
    expect(await done.getAttribute('data-distance')).toBe('');
    expect(await done.textContent()).toMatch(/ · 未取得位置$/);
    const alert = (await openAlert(lift))!;
    expect(alert.arrival).toMatchObject({ by: 'wang' });
    expect(alert.arrival).not.toHaveProperty('position');
    await page.context().close();
  });

  it('keeps the check-in and its distance in the operational database across a stop', async () => {
    const checkedIn = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts.find((a) => a.deviceKey === elevator(0).key)!;
    await hub.stop();
    const state = await openState({ dataDir: dir.path }, pino({ level: 'silent' }));
    try {
      const kept = await state.alerts.get(checkedIn.id);
      expect(kept?.arrival).toMatchObject({ by: 'wang', distanceM: 222, position: { lat: PHONE.latitude, lon: PHONE.longitude } });
      expect(kept?.history.find((e) => e.kind === 'arrived')).toMatchObject({ actor: 'wang', distanceM: 222 });
    } finally {
      await state.close();
    }
  });
});
