/**
 * The worker phone view as an installable app (issue 14), in real headless Chromium against a
 * real hub: the manifest is linked and valid, its icons are real PNGs of the declared sizes and
 * Chromium finds nothing missing to install it; the service worker (root scope, never cached by
 * HTTP) controls the page; offline, a reload still opens the app on the worker's last known list
 * marked 离线 · 最后更新 HH:MM, a step says it was not sent, and the list catches up by itself once
 * the hub is reachable again; with notifications allowed, a new alert while the app is in the
 * background (another tab in front) shows a system notification through the service worker, and
 * none while it is on screen; logout drops the kept list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/contracts/live-events.ts';
import { holds } from '../src/contracts/alert-holders.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from './helpers/test-hub.ts';
import { connState, logIn } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { launchTabbedBrowser, type TabbedBrowser } from './helpers/tabbed-browser.ts';

const COPY_KEY = 'compound-hub.worker-copy';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let chromium: TabbedBrowser;
let page: Page;
let origin: string;
let devices: FleetDevice[];
const find = (type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === 'h1' && d.type === type)[n]!;
const trapped = (elevator: FleetDevice) => publishAs(hub.info.brokerUrl, elevator, 'event', { event: 'trapped' });
const card = (alertId: string) => page.locator(`[data-testid="alert-card"][data-alert-id="${alertId}"]`);

/** The open alert of `device` for `rule`, once the hub has it (the worker's own view of the API). */
async function alertOf(device: FleetDevice, rule: string): Promise<Alert> {
  let found: Alert | undefined;
  await expect
    .poll(async () => {
      const { alerts } = await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'wang');
      found = alerts.find((a) => a.deviceKey === device.key && a.ruleId === rule && a.workflow !== 'closed');
      return found?.assignee;
    }, { timeout: 10_000 })
    .toBe('wang');
  return found!;
}

/** The system notifications the app's service worker registration shows now. */
const shownNotifications = (on: Page) =>
  on.evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({
    title: n.title, body: n.body, tag: n.tag, renotify: n.renotify, requireInteraction: n.requireInteraction, silent: n.silent,
    vibrate: [...n.vibrate], alertId: n.data && n.data.alertId })))`) as Promise<Array<{ title: string; body: string; tag: string; renotify: boolean; requireInteraction: boolean; silent: boolean | null; vibrate: number[]; alertId?: string }>>;
const visibility = (on: Page) => on.evaluate('document.visibilityState') as Promise<string>;

/** Width and height of a PNG (its IHDR chunk), after checking it is one. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('worker-pwa');
  // Devices report hourly: no offline alerts come in between the ones the test raises.
  devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 4, manhole: 1, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile });
  origin = hub.info.httpUrl.replace(/\/$/, '');
  chromium = await launchTabbedBrowser();
  page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page, 'wang', TEST_PASSWORD, origin);
  expect(page.url()).toMatch(/#\/worker$/);
  await page.locator('[data-testid="conn-status"][data-state="online"]').waitFor();
});
afterAll(async () => {
  await chromium?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('the worker app in Chromium', () => {
  it('is installable: a linked, valid manifest with icons of the declared sizes', async () => {
    const href = (await page.locator('link[rel="manifest"]').getAttribute('href'))!;
    const res = await fetch(new URL(href, origin));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as { name: string; short_name: string; start_url: string; scope: string; display: string; lang: string; theme_color: string; background_color: string; icons: Array<{ src: string; sizes: string; type: string; purpose: string }> };
    expect(manifest).toMatchObject({ name: '网格员 · Compound Hub', short_name: '网格员', start_url: '/#/worker', scope: '/', display: 'standalone', lang: 'zh-CN' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    // Both sizes, for ordinary and maskable icons; each file is a PNG of the size it claims.
    const declared = manifest.icons.map((i) => `${i.purpose} ${i.sizes}`).sort();
    expect(declared).toEqual(['any 192x192', 'any 512x512', 'maskable 192x192', 'maskable 512x512']);
    for (const icon of manifest.icons) {
      const file = await fetch(new URL(icon.src, origin));
      expect(file.status, icon.src).toBe(200);
      expect(icon.type).toBe('image/png');
      expect(file.headers.get('content-type')).toBe('image/png');
      const { width, height } = pngSize(Buffer.from(await file.arrayBuffer()));
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }

    // Chromium's own reading: the manifest parses without errors, and nothing keeps the app from being installed.
    await page.evaluate('navigator.serviceWorker.ready');
    const cdp = await chromium.context.newCDPSession(page);
    const parsed = await cdp.send('Page.getAppManifest');
    expect(parsed.url).toBe(`${origin}${href}`);
    expect(parsed.errors).toEqual([]);
    expect((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors).toEqual([]);
    await cdp.detach();
  });

  it('controls the page with its service worker, served from the root scope uncached; the CSP lets only the hub itself be one', async () => {
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    const sw = (await page.evaluate(`navigator.serviceWorker.ready.then((r) => ({ scope: r.scope, script: r.active.scriptURL, controller: navigator.serviceWorker.controller.scriptURL }))`)) as { scope: string; script: string; controller: string };
    expect(sw).toEqual({ scope: `${origin}/`, script: `${origin}/service-worker.js`, controller: `${origin}/service-worker.js` });
    const script = await fetch(`${origin}/service-worker.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('no-cache');
    const csp = (await fetch(`${origin}/`)).headers.get('content-security-policy')!;
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
    expect(directives.get('worker-src')).toBe("'self'");
    expect(directives.get('manifest-src')).toBe("'self'");
    // Nothing else loosened.
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
  });

  it('opens offline on the last known list, marked as such; a step is not sent; it catches up by itself', async () => {
    const first = find('elevator', 0);
    await trapped(first);
    const alert = await alertOf(first, 'elevator-trapped');
    await card(alert.id).waitFor({ timeout: 10_000 });
    // Only this worker's own open alerts are kept.
    const kept = JSON.parse((await page.evaluate(`localStorage.getItem('${COPY_KEY}')`)) as string) as { me: { id: string }; alerts: Alert[] };
    expect(kept.me.id).toBe('wang');
    expect(kept.alerts.map((a) => a.id)).toContain(alert.id);
    expect(kept.alerts.every((a) => holds(a, 'wang'))).toBe(true);

    await chromium.context.setOffline(true);
    await page.reload();
    // The shell came from the service worker; the list from what the view kept.
    await card(alert.id).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('login-username').count()).toBe(0);
    const mark = page.getByTestId('offline-mark');
    await mark.waitFor({ state: 'visible', timeout: 10_000 });
    const at = Number(await mark.getAttribute('data-at'));
    const hhmm = (await page.evaluate(`new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(${at})`)) as string;
    expect(await mark.textContent()).toBe(`离线 · 最后更新 ${hhmm}`);
    expect(hhmm).toMatch(/^\d{2}:\d{2}$/);

    // A step taken offline is refused on the spot, saying so; the card keeps its state.
    await card(alert.id).getByTestId('alert-accept').click();
    await expect.poll(() => page.getByTestId('notice').textContent()).toBe('无法连接到平台，操作未发送：恢复连接后请重试');
    expect(await card(alert.id).getAttribute('data-workflow')).toBe('dispatched');

    // Meanwhile another alert comes in; back online, the view catches up without a reload.
    const second = find('elevator', 1);
    await trapped(second);
    const next = await alertOf(second, 'elevator-trapped');
    expect(await card(next.id).count()).toBe(0);
    await chromium.context.setOffline(false);
    await expect.poll(() => connState(page), { timeout: 45_000 }).toBe('online');
    await card(next.id).waitFor({ timeout: 10_000 });
    await expect.poll(() => mark.isHidden()).toBe(true);
  });

  it('shows a system notification for a new alert while in the background, and none while on screen', async () => {
    // Not allowed yet: the control offers to turn notifications on (asked only when tapped).
    await page.getByTestId('notify-enable').waitFor();
    expect(await page.getByTestId('notify-enable').textContent()).toBe('开启通知');
    await chromium.context.grantPermissions(['notifications'], { origin });
    await page.reload();
    await expect.poll(() => connState(page)).toBe('online');
    expect(await page.getByTestId('notify-state').textContent()).toBe('通知已开启');

    // Another tab in front: the app is really hidden.
    const other = await chromium.context.newPage();
    await other.goto('about:blank');
    await other.bringToFront();
    await expect.poll(() => visibility(page)).toBe('hidden');
    const elevator = find('elevator', 2);
    await trapped(elevator);
    const alert = await alertOf(elevator, 'elevator-trapped');
    await expect.poll(async () => (await shownNotifications(page)).find((n) => n.tag === alert.id), { timeout: 10_000 }).toBeDefined();
    const shown = (await shownNotifications(page)).find((n) => n.tag === alert.id)!;
    const where = await card(alert.id).getByTestId('alert-where').textContent();
    expect(shown).toEqual({ title: '紧急 · 电梯困人', body: `新告警 · ${where}`, tag: alert.id, renotify: true, requireInteraction: true, silent: false, vibrate: [200, 100, 200], alertId: alert.id });

    // Back on screen: the list shows it live, and no system notification comes.
    await page.bringToFront();
    await expect.poll(() => visibility(page)).toBe('visible');
    await other.close();
    const onScreen = find('elevator', 3);
    await trapped(onScreen);
    const seen = await alertOf(onScreen, 'elevator-trapped');
    await card(seen.id).waitFor({ timeout: 10_000 });
    // A notification would have been asked for in the same update that drew the card: give it time to show before looking.
    await page.waitForTimeout(1000);
    expect((await shownNotifications(page)).map((n) => n.tag)).not.toContain(seen.id);
  });

  it('opens on the alert a notification names (#/worker/{id}), then drops the kept list at logout', async () => {
    const { alerts } = await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'wang');
    const target = alerts.find((a) => a.ruleId === 'elevator-trapped' && a.deviceKey === find('elevator', 0).key)!;
    await page.goto(`${origin}/#/worker/${encodeURIComponent(target.id)}`);
    await expect.poll(() => card(target.id).evaluate((el) => el.classList.contains('focused')), { timeout: 10_000 }).toBe(true);
    expect(new URL(page.url()).hash).toBe('#/worker');

    expect(await page.evaluate(`localStorage.getItem('${COPY_KEY}') !== null`)).toBe(true);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').waitFor();
    expect(await page.evaluate(`localStorage.getItem('${COPY_KEY}')`)).toBeNull();
  });
});
