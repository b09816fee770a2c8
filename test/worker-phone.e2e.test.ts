/**
 * The grid worker's phone view (issue 16) in real Chromium on a phone viewport against a real
 * hub, alerts raised by real MQTT devices: the filter tabs 我的 / 本网格 / 升级给我 with their
 * counts, critical and newest first; a 拨打物业 tel: link and 导航 links with the registry's desk
 * phone and position; resolving with a photo (scaled in the browser), its thumbnail on the card
 * and in the manager's view; the 今日已处置 list after the resolve; keyboard focus kept on its
 * element across a live update that rebuilds the card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { CompoundSummary } from '../src/contracts/live-events.ts';
import type { PhotosAnswer } from '../src/contracts/alert-photos.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { writeNamedUsers } from './helpers/named-users.ts';

const SITE = { lat: 30.2905, lon: 120.1229 };
const DESK = '0571-8800-0101';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let page: Page;
let devices: FleetDevice[];
let compoundName: string;
const consoleErrors: string[] = [];
const lift = (n: number) => devices.filter((d) => d.type === 'elevator')[n]!;
const alertOf = async (device: FleetDevice) => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts.find((a) => a.deviceKey === device.key)!;
const tab = (name: string) => page.locator(`[data-testid="worker-tab"][data-tab="${name}"]`);
const count = async (name: string) => Number(await tab(name).getByTestId('tab-count').textContent());
const cards = () => page.getByTestId('alert-card');
const cardOf = (alert: Alert) => page.locator(`[data-testid="alert-card"][data-alert-id="${alert.id}"]`);

async function raise(device: FleetDevice, event: string): Promise<Alert> {
  await publishAs(hub.info.brokerUrl, device, 'event', { event });
  await expect.poll(async () => Boolean(await alertOf(device)), { timeout: 10_000 }).toBe(true);
  return alertOf(device);
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('worker-phone');
  devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 4, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const file = fleetToRegistry(devices);
  const compound = file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
  Object.assign(compound, { location: SITE, deskPhone: DESK });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(file));
  // 李强 is first in the grid's call order; a critical alert he leaves unaccepted rings 王芳 after 3 s.
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['li', 'wang'] }], callTree: { critical: { ringMin: 0.05, mode: 'serial' } } }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, USERS_FILE: await writeNamedUsers() });
  compoundName = (await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds')).compounds.find((c) => c.id === 'h1')!.name;
  browser = await launchBrowser();
  const context = await newContext(browser, 'phone', hub.info.httpUrl);
  page = await context.newPage();
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  await logIn(page, 'wang', TEST_PASSWORD);
  await page.goto('/#/worker');
  await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="conn-status"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 15_000 });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('the grid worker’s phone view', () => {
  let rung: Alert;
  let mineMajor: Alert;
  let mineCritical: Alert;
  let others: Alert;

  it('sorts alerts into 我的 / 本网格 / 升级给我 with counts, critical and newest first', async () => {
    rung = await raise(lift(0), 'trapped');
    mineMajor = await raise(lift(1), 'alarm_button');
    mineCritical = await raise(lift(2), 'door_open_while_moving');
    others = await raise(lift(3), 'top_overrun');
    for (const a of [rung, mineMajor, mineCritical, others]) expect(a.assignee).toBe('li');
    for (const a of [mineMajor, mineCritical]) expect((await postJson(hub, `/api/alerts/${a.id}/reassign`, { assignee: 'wang' })).status).toBe(200);
    // 李强 did not accept the trapped passenger: the call tree rang 王芳.
    await expect.poll(async () => (await alertOf(lift(0))).called ?? [], { timeout: 20_000 }).toContain('wang');

    await expect.poll(() => count('escalated'), { timeout: 10_000 }).toBe(1);
    expect(await count('mine')).toBe(2);
    expect(await count('grid')).toBe(4);
    expect(await count('done')).toBe(0);
    expect(await tab('mine').getAttribute('aria-selected')).toBe('true');
    expect(await tab('mine').getAttribute('aria-label')).toBe('我的：2 条');
    expect(await tab('grid').textContent()).toBe('本网格4');

    // 我的: assigned to me, the critical one first.
    expect(await cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))).toEqual([mineCritical.id, mineMajor.id]);
    // 本网格: every open alert of h1, whoever has it; critical first, newest first within a severity.
    await tab('grid').click();
    await expect.poll(() => cards().count()).toBe(4);
    expect(await cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))).toEqual([mineCritical.id, rung.id, others.id, mineMajor.id]);
    expect(await cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(['critical', 'critical', 'major', 'major']);
    // Someone else's alert: seen, not acted on.
    expect(await cardOf(others).getByTestId('alert-accept').count()).toBe(0);
    // 升级给我: the call tree rang me, so I may accept it.
    await tab('escalated').click();
    await expect.poll(() => cards().count()).toBe(1);
    expect(await cards().first().getAttribute('data-alert-id')).toBe(rung.id);
    expect(await cardOf(rung).getByTestId('alert-accept').count()).toBe(1);
    // The tabs follow the keyboard: arrow keys move, and the panel shows the tab's alerts.
    await tab('escalated').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.getAttribute('data-tab'))).toBe('grid');
    expect(await tab('grid').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Home');
    expect(await tab('mine').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => cards().count()).toBe(2);
    // Nothing wider than the phone.
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('calls the property desk and navigates to the compound with the registry’s values', async () => {
    const card = cardOf(mineMajor);
    const call = card.getByTestId('call-desk');
    expect(await call.getAttribute('href')).toBe('tel:057188000101');
    expect(await call.textContent()).toBe('拨打物业');
    expect(await call.getAttribute('aria-label')).toBe(`拨打${compoundName}物业服务台 ${DESK}`);
    const nav = card.getByTestId('navigate');
    expect(await nav.textContent()).toBe('导航');
    const url = new URL((await nav.getAttribute('href'))!);
    expect(url.origin + url.pathname).toBe('https://uri.amap.com/marker');
    expect(url.searchParams.get('position')).toBe(`${SITE.lon},${SITE.lat}`);
    expect(url.searchParams.get('coordinate')).toBe('wgs84');
    expect(url.searchParams.get('name')).toBe(compoundName);
    expect(await nav.getAttribute('rel')).toContain('noopener');
    expect(await card.getByTestId('navigate-geo').getAttribute('href')).toBe(`geo:${SITE.lat},${SITE.lon}?q=${SITE.lat},${SITE.lon}(${encodeURIComponent(compoundName)})`);
    // Big enough for a finger.
    for (const link of [call, nav]) expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  });

  it('keeps the keyboard focus on its element when a live update rebuilds the card', async () => {
    const call = cardOf(mineMajor).getByTestId('call-desk');
    await call.focus();
    await page.evaluate(() => ((globalThis as any).focusedBefore = (globalThis as any).document.activeElement));
    const before = (await alertOf(lift(1))).count;
    // The alarm button again: the alert counts a repeat, pushed live, and its card is drawn anew.
    await publishAs(hub.info.brokerUrl, lift(1), 'event', { event: 'alarm_button' });
    await expect.poll(async () => (await alertOf(lift(1))).count, { timeout: 10_000 }).toBe(before + 1);
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement !== (globalThis as any).focusedBefore), { timeout: 10_000 }).toBe(true);
    const focused = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return { testid: el.getAttribute('data-testid'), alert: el.closest('[data-alert-id]')?.getAttribute('data-alert-id'), connected: el.isConnected, oldGone: !(globalThis as any).focusedBefore.isConnected };
    });
    expect(focused).toEqual({ testid: 'call-desk', alert: mineMajor.id, connected: true, oldGone: true });
  });

  it('resolves with a photo scaled on the phone; the thumbnail shows here and in the manager’s view; 今日已处置 lists it', async () => {
    const card = cardOf(mineCritical);
    await card.getByTestId('alert-accept').click();
    await expect.poll(() => card.getAttribute('data-workflow')).toBe('accepted');
    await card.getByTestId('alert-resolve').click();
    const input = card.getByTestId('alert-resolve-photo');
    expect(await input.getAttribute('accept')).toBe('image/*');
    expect(await input.getAttribute('capture')).toBe('environment');
    // A 2400 × 1800 picture, as a phone's camera gives: drawn in the page, handed to the file input.
    const png = await page.evaluate(() => {
      const canvas = (globalThis as any).document.createElement('canvas');
      canvas.width = 2400;
      canvas.height = 1800;
      const g = canvas.getContext('2d');
      g.fillStyle = '#3a7';
      g.fillRect(0, 0, 2400, 1800);
      g.fillStyle = '#fff';
      g.fillRect(200, 200, 800, 600);
      return canvas.toDataURL('image/png').split(',')[1] as string;
    });
    await input.setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
    await card.getByTestId('alert-resolve-note').fill('门机复位，已试运行');
    await card.getByTestId('alert-resolve-submit').click();
    await expect.poll(() => card.getAttribute('data-workflow'), { timeout: 10_000 }).toBe('resolved');

    // Stored as a JPEG scaled to 1600 px on its longest side, named by the resolve step.
    const { photos } = await getJson<PhotosAnswer>(hub, `/api/alerts/${mineCritical.id}/photos`, 'wang');
    expect(photos).toHaveLength(1);
    expect(photos[0]).toMatchObject({ type: 'image/jpeg', by: 'wang', compound: 'h1' });
    const resolved = (await alertOf(lift(2))).history.find((e) => e.kind === 'resolved')!;
    expect(resolved).toMatchObject({ actor: 'wang', note: '门机复位，已试运行', photo: photos[0]!.id });

    const thumb = card.getByTestId('alert-photo').locator('img');
    await thumb.waitFor();
    await expect.poll(() => thumb.evaluate((img: any) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 1600, 1200]);
    expect(await thumb.getAttribute('alt')).toMatch(/^现场照片 · 王芳 · \d\d:\d\d$/);

    // 今日已处置: the alert, with when and what was done.
    await expect.poll(() => count('done'), { timeout: 10_000 }).toBe(1);
    await tab('done').click();
    const done = page.getByTestId('done-item');
    await expect.poll(() => done.count()).toBe(1);
    expect(await done.first().getAttribute('data-alert-id')).toBe(mineCritical.id);
    expect(await done.first().getByTestId('done-at').textContent()).toMatch(/^处置于 \d\d:\d\d$/);
    expect(await done.first().textContent()).toContain('门机复位，已试运行');
    expect(await done.first().getByTestId('alert-photo').count()).toBe(1);

    // The compound's manager sees the photo on the card too.
    const manager = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(manager, 'zhao', TEST_PASSWORD);
    await manager.goto('/#/compound/h1');
    const managerThumb = manager.locator(`[data-testid="alert-card"][data-alert-id="${mineCritical.id}"] [data-testid="alert-photo"] img`);
    await managerThumb.waitFor({ timeout: 15_000 });
    await expect.poll(() => managerThumb.evaluate((img: any) => img.naturalWidth)).toBe(1600);
    await manager.context().close();
    expect(consoleErrors).toEqual([]);
  });

  it('says it all in English too', async () => {
    await page.evaluate(() => (globalThis as any).localStorage.setItem('lang', 'en'));
    await page.reload();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="conn-status"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 15_000 });
    expect(await page.getByTestId('worker-tab').locator('.tab-label').allTextContents()).toEqual(['Mine', 'My grid', 'Escalated to me', 'Done today']);
    await expect.poll(() => tab('done').getAttribute('aria-label')).toBe('Done today: 1');
    const call = cardOf(mineMajor).getByTestId('call-desk');
    await call.waitFor();
    expect(await call.textContent()).toBe('Call property desk');
    expect(await cardOf(mineMajor).getByTestId('navigate').textContent()).toBe('Navigate');
    await tab('done').click();
    expect(await page.getByTestId('done-at').first().textContent()).toMatch(/^Resolved at \d\d:\d\d$/);
    await page.evaluate(() => (globalThis as any).localStorage.setItem('lang', 'zh'));
  });
});
