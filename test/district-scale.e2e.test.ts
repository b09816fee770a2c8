/**
 * The district view at district scale, in real Chromium: a hub with the generated district of
 * 300 compounds and 27,000 devices (simulators/district.ts), driven by the simulators' load
 * generator (one device per compound for 290 of them; 10 compounds stay silent), with critical
 * and major alerts raised through the real broker. The table lists the 300 compounds 50 a page
 * and sorts and filters them; the map draws 300 markers whose shape says the state; a row, Enter
 * on it or a marker opens the compound; the period picker asks the API for its period and the
 * figures and trend follow; wall mode enters and leaves with Esc; the live subscription is a
 * summary (no devices) of at most 10 batches a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { CompoundSummary } from '../src/contracts/live-events.ts';
import type { StatsAnswer } from '../src/contracts/api.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { districtFleet } from '../simulators/district.ts';
import { startLoad, type LoadRun } from '../simulators/load.runner.ts';
import { sleep, tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { writeNamedUsers } from './helpers/named-users.ts';
import { connectLive } from './helpers/live-client.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let load: LoadRun;
let devices: FleetDevice[];
let compounds: CompoundSummary[];
const CRITICAL = ['c001', 'c002', 'c003'];
const MAJOR = ['c010', 'c011'];
const SILENT = Array.from({ length: 10 }, (_, i) => `c${291 + i}`);
const first = (compound: string, type: FleetDevice['type']) => devices.find((d) => d.compound === compound && d.type === type)!;

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('district-scale');
  // Hourly reports: no device is taken for offline during the test.
  const district = districtFleet({ compounds: 300, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  devices = district.devices;
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices, district.meta)));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, USERS_FILE: await writeNamedUsers() });
  // The simulators drive one parking space in each compound but the last 10: those have no device online.
  const driven = [...new Set(devices.map((d) => d.compound))].filter((c) => !SILENT.includes(c)).map((c) => first(c, 'parking'));
  load = startLoad({
    url: hub.info.brokerUrl, devices: driven, qos: 1, rate: 100, durationMs: 10 * 60_000, alertShare: 0,
    inflight: 4, topicRoot: 'compounds', seed: 1, connectConcurrency: 50, connection: 'per-device',
  });
  await load.ready;
  for (const c of CRITICAL) await publishAs(hub.info.brokerUrl, first(c, 'elevator'), 'event', { event: 'trapped' });
  for (const c of MAJOR) await publishAs(hub.info.brokerUrl, first(c, 'elevator'), 'event', { event: 'top_overrun' });
  // Every driven compound online, the 5 alerts raised (expect.poll is for tests, not hooks).
  const done = Date.now() + 30_000;
  for (;;) {
    compounds = (await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds', 'sun')).compounds;
    const online = compounds.filter((c) => c.online > 0).length;
    const alerting = compounds.filter((c) => c.openAlerts.critical > 0 || c.openAlerts.major > 0).length;
    if (online === 290 && alerting === 5) break;
    if (Date.now() > done) throw new Error(`after 30 s: ${online} compounds online (want 290), ${alerting} with alerts (want 5)`);
    await sleep(500);
  }
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  load?.stop();
  await load?.done.catch(() => undefined);
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

async function districtPage(hash = '#/district', timezoneId?: string): Promise<Page> {
  const page = await (await newContext(browser, 'desktop', hub.info.httpUrl, timezoneId ? { timezoneId } : {})).newPage();
  await logIn(page, 'sun', TEST_PASSWORD);
  if (hash !== '#/district' || !page.url().endsWith('#/district')) await page.goto(`/${hash}`);
  await page.locator('[data-testid="compound-row"]').first().waitFor({ timeout: 15_000 });
  return page;
}
const rowIds = (page: Page) => page.locator('[data-testid="compound-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-compound')!));
const rowNames = (page: Page) => page.locator('[data-testid="compound-link"]').allTextContents();
const status = (page: Page) => page.getByTestId('district-page').textContent();

describe('district of 300 compounds in Chromium', () => {
  it('lists the 300 compounds 50 a page, worst first, live, and sorts and filters them', { timeout: 90_000 }, async () => {
    const page = await districtPage();
    await expect.poll(() => status(page)).toBe('第 1–50 个，共 300 个小区');
    expect(await page.locator('[data-testid="compound-row"]').count()).toBe(50);
    // Worst first: the critical ones, then the major ones, then no device online.
    const groups = (ids: string[]) => [ids.slice(0, 3).sort(), ids.slice(3, 5).sort(), ids.slice(5, 15).sort()];
    await expect.poll(async () => groups(await rowIds(page))).toEqual([CRITICAL, MAJOR, SILENT]);
    const c005 = compounds.find((c) => c.id === 'c005')!;
    await page.getByTestId('district-next').click();
    expect(await status(page)).toBe('第 51–100 个，共 300 个小区');
    await page.getByTestId('district-prev').click();

    // Live totals, as the API says.
    const silent = page.locator(`[data-testid="compound-row"][data-compound="c291"]`);
    expect(await silent.getAttribute('data-state')).toBe('offline');
    expect(await silent.getByTestId('compound-online').textContent()).toBe(`0%（0/${compounds.find((c) => c.id === 'c291')!.deviceCount} 台）`);
    expect(await page.locator('[data-compound="c001"] [data-testid="compound-open-critical"]').textContent()).toBe('1');

    // Sort by name, both ways; aria-sort says how.
    const nameHead = page.locator('th[data-sort="name"]');
    await page.getByTestId('sort-name').click();
    expect(await nameHead.getAttribute('aria-sort')).toBe('ascending');
    expect(await page.locator('th[data-sort="state"]').getAttribute('aria-sort')).toBe('none');
    const collator = new Intl.Collator('zh-CN');
    const all = compounds.map((c) => c.name).sort(collator.compare);
    expect(await rowNames(page)).toEqual(all.slice(0, 50));
    await page.getByTestId('sort-name').click();
    expect(await nameHead.getAttribute('aria-sort')).toBe('descending');
    expect(await rowNames(page)).toEqual([...all].reverse().slice(0, 50));
    // Most critical alerts first.
    await page.getByTestId('sort-critical').click();
    expect(await page.locator('th[data-sort="critical"]').getAttribute('aria-sort')).toBe('descending');
    expect((await rowIds(page)).slice(0, 3).sort()).toEqual(CRITICAL);
    // Online share, lowest first: the silent ones.
    await page.getByTestId('sort-online').click();
    expect((await rowIds(page)).slice(0, 10).sort()).toEqual(SILENT);

    // Filter by text: name, street or community.
    const matches = (q: string) => compounds.filter((c) => [c.name, c.id, c.street.name, c.community.name].some((s) => s.toLowerCase().includes(q))).length;
    await page.getByTestId('district-search').fill('花园');
    expect(matches('花园')).toBe(30);
    await expect.poll(() => status(page)).toBe('第 1–30 个，共 30 个小区');
    expect((await rowNames(page)).every((n) => n.includes('花园'))).toBe(true);
    await page.getByTestId('district-search').fill('西溪');
    await expect.poll(() => status(page)).toBe(`第 1–${matches('西溪')} 个，共 ${matches('西溪')} 个小区`);
    // And by street.
    await page.getByTestId('district-search').fill('');
    await page.getByTestId('district-street').selectOption('xixi');
    const xixi = compounds.filter((c) => c.street.id === 'xixi');
    await expect.poll(() => status(page)).toBe(`第 1–${xixi.length} 个，共 ${xixi.length} 个小区`);
    expect((await page.getByTestId('compound-street').allTextContents()).every((s) => s === '西溪街道')).toBe(true);
    await page.getByTestId('district-search').fill(c005.name.slice(0, 2) + '不存在');
    await page.getByTestId('district-table-empty').waitFor();
    expect(await status(page)).toBe('共 0 个小区');
    await page.context().close();
  });

  it('keeps the focus on a row through live updates, and a row, Enter or a marker opens the compound', { timeout: 60_000 }, async () => {
    const page = await districtPage();
    const id = (await rowIds(page))[20]!;
    const row = page.locator(`[data-testid="compound-row"][data-compound="${id}"]`);
    await row.focus();
    const batches = await page.evaluate(() => performance.getEntriesByName('district-render').length);
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('district-render').length), { timeout: 10_000 }).toBeGreaterThan(batches + 5);
    expect(await page.evaluate("document.activeElement?.getAttribute('data-compound')")).toBe(id);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/compound/${id}$`));
    await page.goBack();
    await page.locator('[data-testid="compound-row"][data-compound="c002"]').click();
    await page.waitForURL(/#\/compound\/c002$/);
    await page.goBack();
    await page.locator('[data-testid="map-marker"][data-compound="c150"]').click();
    await page.waitForURL(/#\/compound\/c150$/);
    await page.context().close();
  });

  it('draws the 300 compounds on the map, each state its own shape, with a legend that counts them', { timeout: 60_000 }, async () => {
    const page = await districtPage();
    const markers = page.locator('[data-testid="map-marker"]');
    expect(await markers.count()).toBe(300);
    const expected = (id: string) => (CRITICAL.includes(id) ? 'critical' : MAJOR.includes(id) ? 'major' : SILENT.includes(id) ? 'offline' : 'ok');
    await expect
      .poll(async () => (await markers.evaluateAll((ms) => ms.map((m) => `${m.getAttribute('data-compound')}:${m.getAttribute('data-state')}`))).filter((s) => !s.endsWith(`:${expected(s.split(':')[0]!)}`)))
      .toEqual([]);
    // Shape, not only colour: triangle and diamond paths, a square, a circle.
    const shapes = await markers.evaluateAll((ms) => ms.map((m) => `${m.getAttribute('data-state')}:${m.querySelector('.mark')!.tagName}:${m.querySelector('.mark')!.getAttribute('d')?.split('L').length ?? 0}`));
    expect(new Set(shapes)).toEqual(new Set(['critical:path:3', 'major:path:4', 'offline:rect:0', 'ok:circle:0']));
    // Named for tooltips and screen readers, and focusable.
    const c001 = compounds.find((c) => c.id === 'c001')!;
    const marker = page.locator('[data-testid="map-marker"][data-compound="c001"]');
    expect(await marker.locator('title').textContent()).toBe(`${c001.name}（${c001.street.name}）：有紧急告警`);
    expect(await marker.getAttribute('aria-label')).toBe(`${c001.name}（${c001.street.name}）：有紧急告警`);
    await marker.focus();
    expect(await page.evaluate("document.activeElement?.getAttribute('data-compound')")).toBe('c001');
    // Markers spread over the area as the coordinates are: the northernmost compound is drawn highest.
    const north = [...compounds].sort((a, b) => b.location!.lat - a.location!.lat)[0]!;
    const ys = await markers.evaluateAll((ms) => ms.map((m) => [m.getAttribute('data-compound'), Number(m.getAttribute('data-y'))] as const));
    expect(ys.sort((a, b) => a[1] - b[1])[0]![0]).toBe(north.id);
    const legend = await page.getByTestId('legend-item').allTextContents();
    expect(legend).toEqual(['有紧急告警 3 个', '有重要告警 2 个', '无设备在线 10 个', '正常 285 个']);
    // The legend filters the table.
    const offline = page.locator('[data-testid="legend-item"][data-state="offline"]');
    await offline.click();
    await expect.poll(() => status(page)).toBe('第 1–10 个，共 10 个小区');
    expect(await offline.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('district-state').inputValue()).toBe('offline');
    // And the table's state filter shows on the legend.
    await page.getByTestId('district-state').selectOption('critical');
    await expect.poll(() => status(page)).toBe('第 1–3 个，共 3 个小区');
    expect(await offline.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('[data-testid="legend-item"][data-state="critical"]').getAttribute('aria-pressed')).toBe('true');
    await page.context().close();
  });

  it('the period picker asks for its period; figures, trend and per-rule figures follow', { timeout: 60_000 }, async () => {
    const page = await districtPage();
    const alertsTile = page.locator('[data-testid="stats-figure"][data-figure="alerts"]');
    await alertsTile.waitFor();
    await expect.poll(() => alertsTile.getByTestId('figure-value').textContent()).toBe('5');
    expect(await alertsTile.locator('.tile-label').textContent()).toBe('告警数（近 7 天）');
    expect(await page.getByTestId('district-trend').getAttribute('data-days')).toBe('8');
    expect(await page.getByTestId('district-trend').getAttribute('data-total')).toBe('5');
    const trapped = page.locator('[data-testid="rule-figures-row"][data-rule="elevator-trapped"]');
    expect((await trapped.locator('th, td').allTextContents())[1]).toBe('3');
    const stats7 = await getJson<StatsAnswer>(hub, '/api/alerts/stats', 'sun');
    expect(stats7.byRule['elevator-trapped']!.alerts).toBe(3);

    const asked = (kind: string) => page.waitForRequest((r) => r.url().includes('/api/alerts/stats?from=') && r.url() !== kind);
    let request = asked('');
    await page.getByTestId('period-30d').click();
    let url = new URL((await request).url());
    expect(Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'))).toBe(30 * 86_400_000);
    await expect.poll(() => page.getByTestId('district-trend').getAttribute('data-days')).toBe('31');
    expect(await page.getByTestId('period-30d').getAttribute('aria-pressed')).toBe('true');
    expect(await alertsTile.locator('.tile-label').textContent()).toBe('告警数（近 30 天）');

    request = asked(url.href);
    await page.getByTestId('period-today').click();
    url = new URL((await request).url());
    const from = Number(url.searchParams.get('from'));
    expect(new Date(from + 8 * 3_600_000).toISOString().slice(11, 19)).toBe('00:00:00');
    await expect.poll(() => page.getByTestId('district-trend').getAttribute('data-days')).toBe('1');

    // Custom days long before the alerts: nothing counted.
    const day = (ago: number) => new Date(Date.now() + 8 * 3_600_000 - ago * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('period-custom').click();
    await page.getByTestId('period-from').fill(day(60));
    await page.getByTestId('period-to').fill(day(51));
    request = asked(url.href);
    await page.getByTestId('period-apply').click();
    url = new URL((await request).url());
    expect(Number(url.searchParams.get('from'))).toBe(Date.parse(`${day(60)}T00:00:00+08:00`));
    await expect.poll(() => alertsTile.getByTestId('figure-value').textContent()).toBe('0');
    expect(await page.getByTestId('district-trend').getAttribute('data-days')).toBe('10');
    expect(await page.locator('[data-testid="rule-figures-row"]').count()).toBe(0);
    // From after to: refused on the spot.
    await page.getByTestId('period-from').fill(day(5));
    await page.getByTestId('period-to').fill(day(8));
    await page.getByTestId('period-apply').click();
    expect(await page.getByTestId('period-error').textContent()).toContain('日期无效');
    await page.getByTestId('period-7d').click();
    await expect.poll(() => alertsTile.getByTestId('figure-value').textContent()).toBe('5');
    await page.context().close();
  });

  it('says a custom period by the days picked, in a browser west of UTC+8 too', { timeout: 60_000 }, async () => {
    const page = await districtPage('#/district', 'America/Los_Angeles');
    const alertsTile = page.locator('[data-testid="stats-figure"][data-figure="alerts"]');
    await alertsTile.waitFor();
    const day = (ago: number) => new Date(Date.now() + 8 * 3_600_000 - ago * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('period-custom').click();
    await page.getByTestId('period-from').fill(day(20));
    await page.getByTestId('period-to').fill(day(11));
    await page.getByTestId('period-apply').click();
    const written = (d: string) => d.replaceAll('-', '/');
    await expect.poll(() => alertsTile.locator('.tile-label').textContent()).toBe(`告警数（${written(day(20))} 至 ${written(day(11))}）`);
    await page.context().close();
  });

  it('wall mode goes through the compounds with critical alerts and leaves with Esc', { timeout: 60_000 }, async () => {
    const page = await districtPage('#/district?kiosk=1&every=3');
    const kiosk = page.getByTestId('kiosk');
    await kiosk.waitFor();
    const shown = page.getByTestId('kiosk-compound');
    const firstShown = await shown.getAttribute('data-compound');
    expect(CRITICAL).toContain(firstShown);
    expect(await page.getByTestId('kiosk-summary').textContent()).toBe('3 个小区有紧急告警 · 2 个有重要告警 · 10 个无设备在线 · 共 300 个小区');
    expect(await shown.getByTestId('kiosk-alert').count()).toBe(1);
    // Large type.
    expect(parseFloat((await page.evaluate(`getComputedStyle(document.querySelector('[data-testid="kiosk"]')).fontSize`)) as string)).toBeGreaterThanOrEqual(18);
    await expect.poll(() => shown.getAttribute('data-compound'), { timeout: 10_000 }).not.toBe(firstShown);
    expect(CRITICAL).toContain(await shown.getAttribute('data-compound'));
    await page.keyboard.press('Escape');
    await kiosk.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).hash).toBe('#/district');
    // And by the button, full screen where allowed.
    await page.getByTestId('kiosk-enter').click();
    await kiosk.waitFor();
    expect(new URL(page.url()).hash).toBe('#/district?kiosk=1&every=3');
    await page.keyboard.press('Escape');
    await kiosk.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.fullscreenElement === null')).toBe(true);
    expect(await page.getByTestId('kiosk-enter').isVisible()).toBe(true);
    await page.context().close();
  });

  it('passes the accessibility check at this size, in the view and on the wall, without console errors', { timeout: 60_000 }, async () => {
    const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await logIn(page, 'sun', TEST_PASSWORD);
    await page.locator('[data-testid="map-marker"]').first().waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="stats-figure"]').first().waitFor();
    let violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.getByTestId('kiosk-enter').click();
    await page.getByTestId('kiosk-compound').waitFor();
    violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the live subscription of 300 compounds is a bounded summary of at most 10 batches a second', { timeout: 30_000 }, async () => {
    const live = await connectLive(hub, 'sun');
    try {
      const answer = await live.subscribe({ compounds: compounds.map((c) => c.id), detail: 'summary' });
      expect(answer.ok).toBe(true);
      if (!answer.ok) return;
      expect(answer.snapshot.compounds).toHaveLength(300);
      expect(answer.snapshot.devices).toHaveLength(0);
      expect(answer.snapshot.alerts).toHaveLength(5);
      expect(JSON.stringify(answer.snapshot).length).toBeLessThan(200_000);
      const start = live.batches.length;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const got = live.batches.slice(start);
      expect(got.length).toBeGreaterThan(5);
      expect(got.length).toBeLessThanOrEqual(31);
      expect(got.every((b) => b.devices.length === 0 && b.compounds.length <= 300)).toBe(true);
    } finally {
      live.close();
    }
  });
});
