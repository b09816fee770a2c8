/**
 * The residents' report pages (随手拍, issue 18) in real Chromium on a 375 × 740 phone against a
 * real hub, no login: the building notice links to the form (报告问题); the form is in Chinese
 * with its categories in a fieldset, says what is missing (role="alert"), and sends the category,
 * the text and a photo (scaled to JPEG in the browser); the phone lands on the receipt page, which
 * says 已提交 and lists the step, fits the phone, has no WCAG A/AA violation and no console error.
 * The manager sees the report's text on the alert; once the worker accepts, the receipt page says
 * 正在处理 by itself (it asks every 30 s). The manager marks it as invalid from the alert card
 * (标记为无效举报), and the receipt says it was closed. An unknown building's form says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { buildFleet, fleetToRegistry } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

const TEXT = '3号门消防通道被电动车堵住了';
/** A real 1 × 1 PNG, so that the browser decodes and scales it. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let alert: Alert;
const consoleErrors: string[] = [];

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/report.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('resident-reports-e2e');
  const devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 2, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 });
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

const fitsThePhone = async () => expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

describe('the residents’ report pages', () => {
  it('opens the form from the building notice, in Chinese, accessible on a 375 px phone, and says what is missing', async () => {
    expect((await page.goto('/notice/h1/b1'))?.status()).toBe(200);
    const link = page.getByTestId('notice-report');
    await link.waitFor();
    expect(await link.textContent()).toBe('报告问题');
    await link.click();
    await page.waitForURL('**/report-form/h1/b1');
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('1号楼 报告问题');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('fieldset legend').textContent()).toBe('问题类别');
    expect(await page.locator('fieldset input[type=radio]').count()).toBe(4);
    for (const name of ['电梯', '井盖', '消防通道', '车位']) expect(await page.getByLabel(name, { exact: true }).count(), name).toBe(1);
    await fitsThePhone();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await page.getByTestId('report-submit').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('请选择问题类别。');
    await page.getByLabel('消防通道', { exact: true }).check();
    await page.getByTestId('report-submit').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('请填写问题描述。');
    expect(await page.evaluate(() => (globalThis as any).location.pathname)).toBe('/report-form/h1/b1');
    expect(consoleErrors).toEqual([]);
  });

  it('sends the report with a photo and lands on the receipt page, which says 已提交', async () => {
    await page.getByLabel('问题描述').fill(TEXT);
    await page.getByLabel('照片（可选）').setInputFiles({ name: 'lane.png', mimeType: 'image/png', buffer: PNG });
    await page.getByTestId('report-submit').click();
    await page.waitForURL(/\/report\/[^/?]+\?t=[A-Za-z0-9_-]{24}$/, { timeout: 10_000 });
    const state = page.getByTestId('report-state');
    await state.waitFor();
    expect(await state.getAttribute('data-state')).toBe('reported');
    expect(await state.textContent()).toBe('已提交，等待处理');
    expect(await page.locator('h1').textContent()).toBe('报告进度');
    expect(await page.getByTestId('report-steps').locator('li').count()).toBe(1);
    expect(await page.getByTestId('report-steps').locator('li').first().textContent()).toMatch(/^已提交，等待处理 · \d{2}:\d{2}$/);
    expect(await page.locator('body').textContent()).toContain('消防通道');
    await fitsThePhone();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    // The manager has it, with the resident's words and the photo (scaled to JPEG by the phone).
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    alert = await getJson<Alert>(hub, `/api/alerts/${id}`, 'zhao');
    expect(alert).toMatchObject({ ruleId: 'resident-report', type: 'fire_lane', report: { building: 'b1', buildingName: '1号楼', text: TEXT } });
    const { photos } = await getJson<{ photos: Array<{ id: string; type: string }> }>(hub, `/api/alerts/${id}/photos`, 'zhao');
    expect(photos).toEqual([expect.objectContaining({ id: alert.report!.photo, type: 'image/jpeg' })]);
    // Nothing but the report's state on the resident's page: no worker, no device id.
    const text = (await page.locator('body').textContent())!;
    for (const bad of ['wang', alert.device, TEXT]) expect(text).not.toContain(bad);
    expect(consoleErrors).toEqual([]);
  });

  it('says 正在处理 by itself once the worker accepted', async () => {
    expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);
    await expect
      .poll(
        async () => {
          await page.clock.fastForward(30_000);
          return page.getByTestId('report-state').getAttribute('data-state');
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe('in_progress');
    expect(await page.getByTestId('report-state').textContent()).toBe('正在处理');
    expect(await page.getByTestId('report-steps').locator('li').count()).toBe(2);
    expect(consoleErrors).toEqual([]);
  });

  it('shows the report on the manager’s alert card, whose 标记为无效举报 closes it; the receipt says so', async () => {
    const desk = await newContext(browser, 'desktop', hub.info.httpUrl);
    const manager = await desk.newPage();
    const errors: string[] = [];
    manager.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await logIn(manager, 'zhao', TEST_PASSWORD);
    await manager.goto('/#/compound/h1');
    const card = manager.locator(`[data-testid="alert-card"][data-alert-id="${alert.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('alert-report').textContent()).toBe(`居民报告 · 消防通道 · 1号楼: ${TEXT} · 查看居民照片`);
    expect(await card.getByTestId('alert-report').locator('a').getAttribute('href')).toBe(`/api/alerts/${alert.id}/photos/${alert.report!.photo}`);
    await card.getByTestId('alert-spam').click();
    await card.getByTestId('alert-spam-note').fill('重复举报');
    await card.getByTestId('alert-spam-submit').click();
    await expect.poll(async () => (await getJson<Alert>(hub, `/api/alerts/${alert.id}`, 'zhao')).workflow, { timeout: 10_000 }).toBe('closed');
    expect(errors).toEqual([]);
    await desk.close();

    await expect
      .poll(
        async () => {
          await page.clock.fastForward(30_000);
          return page.getByTestId('report-state').getAttribute('data-state');
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe('closed_as_spam');
    expect(await page.getByTestId('report-state').textContent()).toBe('已关闭（经物业核实为无效报告）');
    // English toggle.
    await page.getByTestId('report-lang').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByTestId('report-state').textContent()).toBe('Closed (the property desk found the report invalid)');
    await page.getByTestId('report-lang').click();
    expect(consoleErrors).toEqual([]);
  });

  it('says so for a building the hub does not know, and for a wrong receipt', async () => {
    await page.goto('/report-form/h1/b9');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toBe('找不到该报告或楼栋，请核对链接或二维码。');
    await page.goto(`/report/${alert.id}?t=wrong`);
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toBe('找不到该报告或楼栋，请核对链接或二维码。');
    expect(await page.getByTestId('report-state').count()).toBe(0);
  });
});
