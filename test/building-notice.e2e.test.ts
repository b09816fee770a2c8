/**
 * The residents' building notice page (issue 18) in real Chromium on a 375 × 740 phone against
 * a real hub, no login: a trapped passenger raised by a real MQTT device in building b1 and
 * accepted by the grid worker is shown in Chinese (the rule's name, the lift's registry name,
 * 正在维修, since HH:MM in the phone's zone) with headings, a list and lang="zh-CN", nothing
 * wider than the phone, no WCAG A/AA violation, no console error (the hub's CSP). The page asks
 * again every 30 s by itself: after the resolve the item moves to 最近 24 小时已修复. The English
 * toggle switches the words and the lang attribute, and is remembered. The compound's manager
 * finds the QR sheet in the compound view; it renders under its own CSP without a violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { NoticeAnswer } from '../src/contracts/notice.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { publishAs } from './helpers/device-publish.ts';
import { axeViolations } from './helpers/axe.ts';
import { zhUntil } from './helpers/zh-time.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let lift: FleetDevice;
let alert: Alert;
const consoleErrors: string[] = [];
const items = () => page.getByTestId('notice-item');

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/notice.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('building-notice-e2e');
  const devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 2, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 });
  lift = devices.find((d) => d.building === 'b1')!;
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile });


  browser = await launchBrowser();
  // A resident's phone: no login, China's locale and zone, a small screen.
  context = await browser.newContext({ baseURL: hub.info.httpUrl, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  page = await context.newPage();
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  // The page's own clock, so its 30 s refresh can be moved on without waiting.
  await page.clock.install();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('the building notice page', () => {
  it('shows the accepted alert in Chinese without a login, readable and accessible on a 375 px phone', async () => {
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'trapped' });
    await expect.poll(async () => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts.find((a) => a.deviceKey === lift.key)?.assignee, { timeout: 10_000 }).toBe('wang');
    alert = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts.find((a) => a.deviceKey === lift.key)!;
    expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);

    const res = await page.goto('/notice/h1/b1');
    expect(res?.status()).toBe(200);
    await expect.poll(() => items().count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('1号楼 设施公告');
    expect(await page.locator('h2').allTextContents()).toEqual(['当前停用或受阻', '最近 24 小时已修复']);
    const item = page.getByTestId('notice-open').locator('ul > li');
    expect(await item.count()).toBe(1);
    expect(await item.getAttribute('data-state')).toBe('in_progress');
    expect(await item.locator('h3').textContent()).toBe(lift.name);
    expect(await item.locator('.what').textContent()).toBe(alert.name.zh);
    expect(alert.name.zh).toBe('电梯困人');
    expect(await item.locator('.when').textContent()).toBe(`正在维修 · 自 ${zhUntil(alert.raisedAt)} 起`);
    expect(await item.locator('time').getAttribute('datetime')).toBe(new Date(alert.raisedAt).toISOString());
    expect(await page.getByTestId('notice-fixed').textContent()).toContain('最近 24 小时没有修复记录。');
    // No device id, no worker anywhere on the page.
    const text = (await page.locator('body').textContent())!;
    for (const bad of [lift.device, 'wang', alert.id]) expect(text).not.toContain(bad);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('asks again every 30 s by itself: after the resolve the item is listed as fixed', async () => {
    expect((await postJson(hub, `/api/alerts/${alert.id}/resolve`, { note: '已救出乘客' }, 'wang')).status).toBe(200);
    // The hub keeps each answer 10 s: wait until it answers anew, then move the page's clock on.
    await expect.poll(async () => ((await (await fetch(`${hub.info.httpUrl}/api/public/notice/h1/b1`)).json()) as NoticeAnswer).fixed.length, { timeout: 15_000, interval: 1000 }).toBe(1);
    await expect
      .poll(
        async () => {
          await page.clock.fastForward(30_000);
          return page.getByTestId('notice-fixed').locator('li').count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(1);
    expect(await page.getByTestId('notice-open').textContent()).toContain('目前没有停用或受阻的设施。');
    const fixed = page.getByTestId('notice-fixed').locator('li');
    expect(await fixed.getAttribute('data-state')).toBe('fixed');
    const fixedAt = (await getJson<Alert>(hub, `/api/alerts/${alert.id}`)).history.find((e) => e.kind === 'resolved')!.at;
    expect(await fixed.locator('.when').textContent()).toBe(`已于 ${zhUntil(fixedAt)} 修复`);
    expect(await fixed.locator('h3').textContent()).toBe(lift.name);
    expect(consoleErrors).toEqual([]);
  });

  it('switches to English and back, and remembers the choice', async () => {
    await page.getByTestId('notice-lang').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('1号楼: building notice');
    expect(await page.locator('h2').allTextContents()).toEqual(['Out of service or blocked now', 'Fixed in the last 24 hours']);
    expect(await page.getByTestId('notice-fixed').locator('.what').textContent()).toBe(alert.name.en);
    expect(await page.getByTestId('notice-state').textContent()).toMatch(/^Fixed at (\d{1,2} [A-Z][a-z]{2} )?\d{2}:\d{2}$/);
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('1号楼: building notice');
    expect(await page.getByTestId('notice-lang').textContent()).toBe('中文');
    await page.getByTestId('notice-lang').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('1号楼 设施公告');
    expect(consoleErrors).toEqual([]);
  });

  it('says so for a building the hub does not know', async () => {
    await page.goto('/notice/h1/b9');
    await expect.poll(() => page.getByTestId('notice-problem').textContent(), { timeout: 10_000 }).toBe('找不到这栋楼的公告，请核对二维码或联系物业。');
    expect(await items().count()).toBe(0);
  });

  it('gives the compound’s manager the QR sheet, one code per building, shown under its CSP without a violation', async () => {
    const desk = await newContext(browser, 'desktop', hub.info.httpUrl);
    const manager = await desk.newPage();
    const errors: string[] = [];
    manager.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await logIn(manager, 'zhao', TEST_PASSWORD);
    await manager.goto('/#/compound/h1');
    const link = manager.getByTestId('notice-qr-link');
    await link.waitFor();
    expect(await link.textContent()).toBe('打印楼栋公告二维码（新窗口）');
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe('/api/compounds/h1/notice-qr');
    await manager.goto(href);
    expect(await manager.locator('main li svg').count()).toBe(2);
    expect(await manager.locator('main li h2').allTextContents()).toEqual(['1号楼', '2号楼']);
    expect(await manager.locator('main li .url').allTextContents()).toEqual([`${hub.info.httpUrl}/notice/h1/b1`, `${hub.info.httpUrl}/notice/h1/b2`]);
    // The style block is allowed by its hash: the cards have their border.
    expect(await manager.locator('main li').first().evaluate((el) => (globalThis as any).getComputedStyle(el).borderTopStyle)).toBe('solid');
    expect(errors).toEqual([]);
    await desk.close();
  });
});
