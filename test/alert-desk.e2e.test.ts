/**
 * The alert desk as a property manager uses it (issue 16), in real Chromium against a real hub
 * whose alerts come from real MQTT elevators: filter and search, sort by a header (aria-sort),
 * select two alerts and accept them at once (a result per row), open an alert's timeline (names,
 * not ids), export the filtered list as CSV (a download), and a new alert showing up live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/contracts/live-events.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { raise, raiseDeskAlerts, writeDeskFleet, type DeskFleet } from './helpers/desk-fleet.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let fleet: DeskFleet;
let page: Page;
const ids: Record<string, string> = {};
const errors: string[] = [];

const rows = (p: Page) => p.getByTestId('desk-row');
const row = (p: Page, id: string) => p.locator(`[data-testid="desk-row"][data-alert-id="${id}"]`);

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build').toBe(true);
  dir = await tempDir('alert-desk-e2e');
  fleet = await writeDeskFleet(dir.path);
  hub = await startTestHub(fleet.env);
  Object.assign(ids, await raiseDeskAlerts(hub, fleet));
  browser = await launchBrowser();
  page = await (await newContext(browser, 'desktop', hub.info.httpUrl, { acceptDownloads: true })).newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await logIn(page, 'zhao', TEST_PASSWORD);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('alert desk in Chromium', () => {
  it('lists the alerts of the manager\'s compounds by name, filtered and searched', async () => {
    // Reached from the top bar.
    await page.getByTestId('nav-desk').click();
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/desk');
    await expect.poll(() => connState(page)).toBe('online');
    await expect.poll(() => rows(page).count()).toBe(5);
    await expect.poll(() => page.getByTestId('desk-count').textContent()).toBe('第 1–5 条，共 5 条');
    expect(await row(page, ids.A2!).getByTestId('desk-compound').textContent()).toBe('翠苑一区');
    expect(await row(page, ids.A2!).getByTestId('desk-where').textContent()).toBe('2号楼 1号电梯');
    expect(await row(page, ids.A2!).getByTestId('desk-open').textContent()).toBe('电动车进电梯');
    expect(await row(page, ids.A2!).getByTestId('desk-assignee').textContent()).toMatch(/^(王芳|李强)$/);

    await page.getByLabel('级别', { exact: true }).selectOption('critical');
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(['critical', 'critical']);
    await page.getByLabel('级别', { exact: true }).selectOption('');
    await page.getByLabel('楼栋', { exact: true }).selectOption({ label: '西溪花园 · 2号楼' });
    await expect.poll(() => rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))).toEqual([ids.B2]);
    await page.getByTestId('desk-clear').click();
    await expect.poll(() => rows(page).count()).toBe(5);

    await page.getByLabel('搜索', { exact: true }).fill('2号楼');
    await expect.poll(async () => (await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))).sort()).toEqual([ids.A2, ids.B2].sort());
    await page.getByLabel('搜索', { exact: true }).fill('');
    await expect.poll(() => rows(page).count()).toBe(5);
  });

  it('sorts by a column header, saying so with aria-sort', async () => {
    const header = page.locator('th[data-sort="severity"]');
    expect(await header.getAttribute('aria-sort')).toBe('none');
    expect(await page.locator('th[data-sort="raisedAt"]').getAttribute('aria-sort')).toBe('descending');
    await page.getByTestId('desk-sort-severity').click();
    await expect.poll(() => page.locator('th[data-sort="severity"]').getAttribute('aria-sort')).toBe('descending');
    expect(await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(['critical', 'critical', 'major', 'major', 'minor']);
    // The focus stays on the header's button across the redraw.
    expect(await page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('desk-sort-severity');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('th[data-sort="severity"]').getAttribute('aria-sort')).toBe('ascending');
    expect(await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(['minor', 'major', 'major', 'critical', 'critical']);
  });

  it('accepts two selected alerts at once and says the result per row', async () => {
    await row(page, ids.B1!).getByTestId('desk-select').check();
    await row(page, ids.B2!).getByTestId('desk-select').check();
    await expect.poll(() => page.getByTestId('desk-selected').textContent()).toBe('已选择 2 条');
    await page.getByTestId('desk-accept').click();
    await expect.poll(() => page.getByTestId('desk-bulk-status').textContent()).toBe('2 条成功，0 条未成功');
    for (const id of [ids.B1!, ids.B2!]) {
      await expect.poll(() => row(page, id).getByTestId('desk-result').getAttribute('data-ok')).toBe('true');
      await expect.poll(() => row(page, id).getByTestId('desk-workflow').textContent()).toBe('已接单');
      expect(await row(page, id).getByTestId('desk-assignee').textContent()).toBe('赵敏');
    }
    const { alerts } = await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?compound=h2');
    expect(alerts.map((a) => [a.workflow, a.assignee])).toEqual([['accepted', 'zhao'], ['accepted', 'zhao']]);
  });

  it('opens an alert\'s full timeline, by names', async () => {
    await row(page, ids.B1!).getByTestId('desk-open').click();
    const details = page.getByTestId('desk-details');
    await details.waitFor();
    expect(await details.getAttribute('data-alert-id')).toBe(ids.B1);
    const steps = details.getByTestId('history-step');
    await expect.poll(() => steps.count()).toBe(3);
    const texts = await steps.allTextContents();
    expect(texts[0]).toContain('发生');
    expect(texts[1]).toMatch(/派发给 (王芳|李强)/);
    expect(texts[2]).toContain('赵敏 接单');
    expect(await details.getByTestId('alert-where').textContent()).toContain('西溪花园');
    // The focus went to the panel, and stays there while a change comes in live.
    expect(await page.evaluate('document.activeElement?.id')).toBe('desk-details-h');
    expect((await postJson(hub, `/api/alerts/${ids.B1}/comment`, { note: '维保已到场' }, 'root')).status).toBe(200);
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBe(4);
    expect(await steps.last().textContent()).toContain('系统管理员 备注 · “维保已到场”');
    expect(await page.evaluate('document.activeElement?.id')).toBe('desk-details-h');
    // Escape closes it, and the focus goes back to the row.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('desk-details').count()).toBe(0);
    expect(await page.evaluate('document.activeElement?.closest("tr")?.getAttribute("data-alert-id")')).toBe(ids.B1);
  });

  it('exports the filtered list as a CSV file for Excel', async () => {
    await page.getByLabel('状态', { exact: true }).selectOption('accepted');
    await expect.poll(() => rows(page).count()).toBe(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('desk-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^alerts-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines[0]!.startsWith('告警编号,发生时间 (ISO),发生时间 (本地),级别,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([ids.B1, ids.B2].sort());
    expect(lines.every((l, i) => i === 0 || (l.includes(',西溪花园,') && l.includes(',已接单,') && l.includes(',赵敏,')))).toBe(true);
    await page.getByLabel('状态', { exact: true }).selectOption('open');
    await expect.poll(() => rows(page).count()).toBe(5);
  });

  it('shows a new alert without a reload', async () => {
    ids.B3 = await raise(hub, fleet.elevator('h2', 3), 'alarm_button', 'elevator-alarm-button');
    await expect.poll(() => row(page, ids.B3!).count(), { timeout: 15_000 }).toBe(1);
    expect(await rows(page).count()).toBe(6);
  });

  it('comments on two alerts at once, and passes the accessibility check (axe-core, WCAG 2.1 AA) with results and details shown, without console errors', async () => {
    // A comment on two alerts at once leaves a result on each row.
    await row(page, ids.A1!).getByTestId('desk-select').check();
    await row(page, ids.A3!).getByTestId('desk-select').check();
    await page.getByTestId('desk-comment').click();
    await page.getByTestId('desk-comment-form-note').fill('已通知维保单位');
    await page.getByTestId('desk-comment-form-submit').click();
    await expect.poll(() => page.getByTestId('desk-bulk-status').textContent()).toBe('2 条成功，0 条未成功');
    await expect.poll(() => page.getByTestId('desk-result').count()).toBe(2);
    const a1 = await getJson<Alert>(hub, `/api/alerts/${ids.A1}`);
    expect(a1.history.at(-1)).toMatchObject({ kind: 'commented', actor: 'zhao', note: '已通知维保单位' });
    await row(page, ids.A1!).getByTestId('desk-open').click();
    await page.getByTestId('desk-details').waitFor();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('is readable at 375 px wide without the page scrolling sideways', async () => {
    const phone = await (await newContext(browser, 'phone', hub.info.httpUrl)).newPage();
    await phone.setViewportSize({ width: 375, height: 800 });
    await logIn(phone, 'qian', TEST_PASSWORD);
    await phone.goto('/#/desk/h2');
    await expect.poll(() => rows(phone).count()).toBe(3);
    expect(await phone.getByTestId('desk-title').textContent()).toBe('告警台 · 西溪花园');
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const violations = await axeViolations(phone);
    expect(violations, describeViolations(violations)).toEqual([]);
  });
});
