/**
 * The compound view's site plan in real Chromium against a real hub (issue 16): the registry's
 * buildings, roads, gates and zones drawn with their names; a legend; markers that differ by
 * shape per type and by icon per state; overlapping markers clustered and opened; a click on a
 * marker opening its details with units; a click on an alert pointing out its device; a manager
 * dragging and key-moving markers in edit mode (saved, audited, read back after a reload and from
 * the API, live in another viewer's page); an admin's plan image upload, refused for a wrong type,
 * a file too large and a manager out of scope.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import type { RegistryFile } from '../src/config/registry.schema.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { apiFetch, FLEET_KEY, getJson, loginCookie, startTestHub } from './helpers/test-hub.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
const dev = (type: FleetDevice['type'], n: number) => devices.filter((d) => d.type === type)[n]!;

/** A tiny valid PNG (1×1, transparent). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('site-plan');
  devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 3, manhole: 2, fire_lane: 1, parking: 2 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 });
  // Two elevators of building 1 at almost the same spot: they overlap on the plan.
  const e0 = dev('elevator', 0);
  const e2 = dev('elevator', 2);
  e0.position = { x: 30, y: 30 };
  e2.position = { x: 30.4, y: 30.3 };
  dev('manhole', 0).position = { x: 60, y: 75 };
  dev('fire_lane', 0).position = { x: 15, y: 50 };
  const file: RegistryFile = fleetToRegistry(devices);
  const compound = file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
  compound.sitePlan = {
    buildings: [
      { id: 'b1', outline: [[22, 22], [38, 22], [38, 40], [22, 40]] },
      { id: 'b2', outline: [[62, 22], [78, 22], [78, 40], [62, 40]] },
    ],
    zones: [{ id: 'north', outline: [[15, 15], [45, 15], [45, 45], [15, 45]] }],
    roads: [{ name: '环区主路', line: [[0, 75], [100, 75]], width: 3 }],
    gates: [{ name: '东门', at: { x: 99, y: 75 } }, { name: '南门', at: { x: 50, y: 99 } }],
  };
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(file));
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry });
  browser = await launchBrowser();

  // States: e0 trapped (critical), manhole 0 water high (warning), elevator 1 in maintenance, manhole 1 never reported (offline).
  const elevatorOk = { floor: 3, direction: 'idle', doorOpen: false, moving: false, speed: 0, loadPct: 10, occupied: false, mode: 'normal' };
  await publishAs(hub.info.brokerUrl, e0, 'telemetry', elevatorOk);
  await publishAs(hub.info.brokerUrl, e0, 'event', { event: 'trapped' });
  await publishAs(hub.info.brokerUrl, dev('elevator', 1), 'telemetry', { ...elevatorOk, mode: 'maintenance' });
  await publishAs(hub.info.brokerUrl, e2, 'telemetry', elevatorOk);
  await publishAs(hub.info.brokerUrl, dev('manhole', 0), 'telemetry', { tiltDeg: 1, displaced: false, open: false, waterLevelCm: 180, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
  await publishAs(hub.info.brokerUrl, dev('fire_lane', 0), 'telemetry', { occupied: false });
  await vi.waitFor(async () => {
    const { alerts } = await getJson<{ alerts: Array<{ ruleId: string }> }>(hub, '/api/alerts?compound=h1');
    expect(alerts.map((a) => a.ruleId).sort()).toEqual(['elevator-trapped', 'manhole-water-high']);
  }, { timeout: 10_000, interval: 200 });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

async function openCompound(user: string): Promise<Page> {
  const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
  await logIn(page, user, TEST_PASSWORD);
  await page.goto('/#/compound/h1');
  await expect.poll(() => connState(page)).toBe('online');
  await page.getByTestId('plan-building').first().waitFor();
  return page;
}
const marker = (page: Page, d: FleetDevice) => page.locator(`[data-testid="site-device"][data-device-key="${d.key}"]`);

describe('site plan in Chromium', () => {
  it('draws buildings, roads, gates and zones with names, a legend, and markers by shape and icon', async () => {
    const page = await openCompound('zhao');
    expect(await page.locator('[data-testid="plan-building"] .label').allTextContents()).toEqual(['1号楼', '2号楼']);
    expect(await page.locator('[data-testid="plan-road"] .label').allTextContents()).toEqual(['环区主路']);
    expect(await page.locator('[data-testid="plan-gate"] .label').allTextContents()).toEqual(['东门', '南门']);
    expect(await page.locator('[data-testid="plan-zone"] .label').allTextContents()).toEqual(['北区']);
    expect(await page.locator('[data-testid="plan-building"] polygon').count()).toBe(2);

    const legend = page.getByTestId('plan-legend');
    expect(await legend.locator('[data-legend-type]').allTextContents()).toEqual(['电梯', '井盖', '消防通道', '车位']);
    expect(await legend.locator('[data-legend-state]').allTextContents()).toEqual(['‼紧急告警', '!告警', '×离线', '⚙检修', '●占用', '正常']); // icon, then name

    await expect.poll(() => marker(page, dev('elevator', 0)).getAttribute('data-state')).toBe('critical');
    await expect.poll(() => marker(page, dev('manhole', 0)).getAttribute('data-state')).toBe('warning');
    await expect.poll(() => marker(page, dev('elevator', 1)).getAttribute('data-state')).toBe('maintenance');
    expect(await marker(page, dev('manhole', 1)).getAttribute('data-state')).toBe('offline');
    // Each state its own icon, not a colour alone.
    const icons = await Promise.all([dev('elevator', 0), dev('manhole', 0), dev('manhole', 1), dev('elevator', 1)].map((d) => marker(page, d).getAttribute('data-icon')));
    expect(icons).toEqual(['‼', '!', '×', '⚙']);
    expect(await marker(page, dev('manhole', 0)).locator('text.icon').textContent()).toBe('!');
    // Each type its own shape.
    const shape = (d: FleetDevice) => marker(page, d).locator('.shape').evaluate((el) => (el.tagName === 'circle' ? 'circle' : `${el.getAttribute('width')}x${el.getAttribute('height')}`));
    const shapes = await Promise.all([dev('elevator', 1), dev('manhole', 0), dev('fire_lane', 0), dev('parking', 0)].map(shape));
    expect(new Set(shapes).size).toBe(4);
    expect(shapes[1]).toBe('circle');
    await page.context().close();
  });

  it('clusters overlapping markers into a count that opens on click, and shows a marker’s details with units', async () => {
    const page = await openCompound('zhao');
    const cluster = page.locator(`[data-testid="plan-cluster"][data-members~="${dev('elevator', 0).key}"]`);
    expect(await cluster.getAttribute('data-count')).toBe('2');
    expect(await cluster.locator('.cluster-count').textContent()).toBe('2');
    expect(await cluster.getAttribute('data-members')).toContain(dev('elevator', 2).key);
    expect(await cluster.getAttribute('data-state')).toBe('critical');
    expect(await marker(page, dev('elevator', 0)).getAttribute('data-clustered')).toBe('true');
    await cluster.click();
    await page.getByTestId('plan-cluster-open').waitFor();
    expect(await marker(page, dev('elevator', 0)).getAttribute('data-clustered')).toBe('false');
    expect(await marker(page, dev('elevator', 2)).isVisible()).toBe(true);

    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await marker(page, dev('manhole', 0)).click();
    const details = page.getByTestId('device-details');
    await expect.poll(() => details.getAttribute('data-device-key')).toBe(dev('manhole', 0).key);
    expect(await details.locator('[data-field="waterLevelCm"] dd').textContent()).toBe('180 cm');
    expect(await details.locator('[data-field="batteryPct"] dd').textContent()).toBe('80%');
    expect(await details.getByTestId('details-alert').textContent()).toContain('井下水位过高');
    expect(await page.getByTestId('history-field').count()).toBe(1);
    // This hub keeps no history (no InfluxDB): the chart says so without asking for series that cannot come.
    await expect.poll(() => page.getByTestId('history-chart').textContent()).toBe('未配置 InfluxDB，历史数据不可用');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('points out an alert’s device on the plan: its cluster opens, the marker is highlighted and in view', async () => {
    const page = await openCompound('zhao');
    await page.getByTestId('devices-panel').scrollIntoViewIfNeeded();
    const card = page.locator('[data-testid="alert-card"][data-rule="elevator-trapped"]');
    await card.getByTestId('alert-show-on-plan').click();
    const m = marker(page, dev('elevator', 0));
    await expect.poll(() => m.getAttribute('data-highlight')).toBe('true');
    expect(await m.getAttribute('data-clustered')).toBe('false');
    await expect.poll(async () => {
      const r = (await m.boundingBox())!;
      return r.y >= 0 && r.y + r.height <= page.viewportSize()!.height;
    }).toBe(true);
    expect(await marker(page, dev('manhole', 0)).getAttribute('data-highlight')).toBe('false');
    expect(await page.getByTestId('device-details').getAttribute('data-device-key')).toBe(dev('elevator', 0).key);
    await page.context().close();
  });

  it('a manager moves markers in edit mode (drag and arrow keys): saved, audited, live elsewhere, read back after a reload', async () => {
    const lane = dev('fire_lane', 0);
    const viewer = await openCompound('root');
    const page = await openCompound('zhao');
    await page.getByTestId('plan-edit').click();
    expect(await page.getByTestId('plan-edit').getAttribute('aria-pressed')).toBe('true');
    const box = (await marker(page, lane).locator('.shape').boundingBox())!;
    const plan = (await page.getByTestId('site-plan').boundingBox())!;
    // The plan keeps its aspect (viewBox 110 × 110 units, letterboxed in its box).
    const perUnit = Math.min(plan.width, plan.height) / 110;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 10 * perUnit, box.y + box.height / 2 + 5 * perUnit, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('plan-status').getAttribute('data-saved')).toBe(lane.key);
    const stored = async () => (await getJson<{ devices: Array<{ type: string; id: string; position?: { x: number; y: number } }> }>(hub, '/api/admin/compounds/h1/devices')).devices.find((d) => d.id === lane.device)!.position!;
    const dragged = await stored();
    expect(dragged.x).toBeCloseTo(25, 0);
    expect(dragged.y).toBeCloseTo(55, 0);
    // Live in another viewer's page, without a reload.
    await expect.poll(() => marker(viewer, lane).getAttribute('data-x')).toBe(String(dragged.x));

    // Keyboard: focus the marker, three steps right; focus stays on it across the redraws.
    await marker(page, lane).focus();
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-device-key")')).toBe(lane.key);
    await expect.poll(async () => (await stored()).x).toBeCloseTo(dragged.x + 3, 5);

    const audit = await getJson<{ entries: Array<{ action: string; actor: string; target: string; before?: { position?: unknown }; after?: { position?: { x: number } } }> }>(hub, '/api/admin/audit?action=device_updated');
    const moves = audit.entries.filter((e) => e.target === `device:${lane.key}` && e.actor === 'zhao');
    expect(moves.length).toBeGreaterThanOrEqual(2);
    expect(moves[0]!.after!.position!.x).toBeCloseTo(dragged.x + 3, 5);

    await page.reload();
    await expect.poll(() => connState(page)).toBe('online');
    await expect.poll(() => marker(page, lane).getAttribute('data-x')).toBe(String(dragged.x + 3));
    await page.context().close();
    await viewer.context().close();
  });

  it('an admin uploads a plan image: shown on the plan, refused for a wrong type, too large, or a user out of scope', async () => {
    const page = await openCompound('root');
    await page.getByTestId('plan-image-file').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => page.getByTestId('plan-image').getAttribute('data-loaded'), { timeout: 10_000 }).toBe('true');
    const href = (await page.getByTestId('plan-image').getAttribute('href'))!;
    const served = await page.evaluate(async (url) => { const r = await fetch(url); return { status: r.status, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy') }; }, href);
    expect(served).toMatchObject({ status: 200, type: 'image/png' });
    expect(served.csp).toContain("default-src 'none'");

    // A text file called .png is not a PNG.
    await page.getByTestId('plan-image-file').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('平面图只能是 PNG 或 SVG 文件');
    // An SVG with a script is refused too.
    await page.getByTestId('plan-image-file').setInputFiles({ name: 'evil.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('平面图只能是 PNG 或 SVG 文件');
    // Too large.
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    await page.getByTestId('plan-image-file').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: big });
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('平面图文件太大');
    // The image shown is still the first one.
    const png = await page.evaluate(async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()).length, href);
    expect(png).toBe(PNG.length);

    // A manager of another compound sees neither the plan nor its image; a manager of this one cannot upload.
    expect((await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'qian')).status).toBe(403);
    expect((await apiFetch(hub, '/api/compounds/h1/site-plan', {}, 'qian')).status).toBe(403);
    expect((await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'zhao')).status).toBe(200);
    const byManager = await fetch(`${hub.info.httpUrl}/api/admin/compounds/h1/plan-image`, { method: 'PUT', body: PNG, headers: { 'content-type': 'image/png', cookie: await loginCookie(hub, 'zhao') } });
    expect(byManager.status).toBe(403);
    // The manager's view has no upload control.
    const manager = await openCompound('zhao');
    expect(await manager.getByTestId('plan-image-file').count()).toBe(0);
    await expect.poll(() => manager.getByTestId('plan-image').getAttribute('data-loaded')).toBe('true');
    await manager.context().close();
    await page.context().close();
  });
});
