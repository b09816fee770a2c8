/**
 * The compound view's device list and counts in real Chromium against a real hub (issue 16):
 * search by name or id, filters by type, state and building; tiles that count what they say
 * (an offline elevator and an e-bike sighting are not 电梯故障; fire-engine spaces are in the free
 * parking breakdown); keyboard focus kept on a row across live updates; a compound of more
 * devices than a live page listed page by page through the hub's device window.
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
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from './helpers/test-hub.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import mqtt from 'mqtt';
import { deviceTopic } from '../src/contracts/topics.ts';
import { DEFAULT_RULES } from '../src/rules/default.pack.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
const dev = (type: FleetDevice['type'], n: number) => devices.filter((d) => d.compound === 'h1' && d.type === type)[n]!;
const elevatorOk = { floor: 1, direction: 'idle', doorOpen: false, moving: false, speed: 0, loadPct: 0, occupied: false, mode: 'normal' };

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('compound-devices');
  devices = [
    ...buildFleet({ compounds: ['h1'], perCompound: { elevator: 3, manhole: 1, fire_lane: 1, parking: 4 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 }),
    // More devices than one live page (LIVE_PAGE_MAX 1000).
    ...buildFleet({ compounds: ['big'], perCompound: { elevator: 0, manhole: 0, fire_lane: 0, parking: 1100 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 }),
  ];
  const file = fleetToRegistry(devices);
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(file));
  // The built-in rules without incident groups: an offline device is its own alert at once, not held to see whether a group forms.
  const rules = path.join(dir.path, 'rules.json');
  await writeFile(rules, JSON.stringify({ ...DEFAULT_RULES, groups: [], inhibit: (DEFAULT_RULES.inhibit ?? []).filter((i) => !i.source.includes('power-cut-building')) }));
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, RULES_FILE: rules });
  browser = await launchBrowser();

  const url = hub.info.brokerUrl;
  await publishAs(url, dev('elevator', 0), 'telemetry', elevatorOk);
  await publishAs(url, dev('elevator', 0), 'event', { event: 'trapped' });
  await publishAs(url, dev('elevator', 1), 'telemetry', elevatorOk);
  // Elevator 2 then goes offline (what its Last Will says): it raises device-offline.
  const e1 = dev('elevator', 1);
  const client = await mqtt.connectAsync(url, { username: e1.key, clientId: e1.key, password: e1.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', e1, 'status'), 'offline', { qos: 1, retain: true });
  await client.endAsync();
  await publishAs(url, dev('elevator', 2), 'telemetry', elevatorOk);
  await publishAs(url, dev('elevator', 2), 'event', { event: 'ebike_detected' });
  await publishAs(url, dev('manhole', 0), 'telemetry', { tiltDeg: 1, displaced: false, open: false, waterLevelCm: 20, gasPpm: 0, h2sPpm: 0, batteryPct: 90 });
  await publishAs(url, dev('fire_lane', 0), 'telemetry', { occupied: false });
  const kinds = [['fire', false], ['fire', true], ['resident', false], ['visitor', true]] as const;
  for (const [i, [spaceKind, occupied]] of kinds.entries()) await publishAs(url, dev('parking', i), 'telemetry', { spaceKind, occupied });
  await vi.waitFor(async () => {
    const { alerts } = await getJson<{ alerts: Array<{ ruleId: string }> }>(hub, '/api/alerts?compound=h1');
    expect(alerts.map((a) => a.ruleId).sort()).toEqual(['device-offline', 'elevator-ebike', 'elevator-trapped']);
  }, { timeout: 15_000, interval: 250 });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

async function openCompound(user: string, compound = 'h1'): Promise<Page> {
  const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
  await logIn(page, user, TEST_PASSWORD);
  await page.goto(`/#/compound/${compound}`);
  await expect.poll(() => connState(page)).toBe('online');
  await page.locator('[data-testid="device-row"]').first().waitFor();
  return page;
}
const rows = (page: Page) => page.locator('[data-testid="device-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-device-key')));
const tile = (page: Page, name: string) => page.locator(`[data-total="${name}"] .tile-value`).textContent();

describe('compound devices in Chromium', () => {
  it('counts what the tiles say: an offline elevator and an e-bike sighting are not faults; parking by every kind', async () => {
    const page = await openCompound('zhao');
    await expect.poll(() => tile(page, 'elevator-fault')).toBe('1/3');
    expect(await tile(page, 'elevator-offline')).toBe('1');
    expect(await tile(page, 'offline')).toBe('1');
    expect(await tile(page, 'online')).toBe('8/9');
    expect(await tile(page, 'parking')).toBe('2/4');
    const kinds = await page.locator('[data-testid="parking-kinds"] li').evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.textContent]));
    expect(kinds).toEqual([['resident', '业主 1/1'], ['visitor', '访客 0/1'], ['charging', '充电 0/0'], ['fire', '消防 1/2']]);
    expect(await page.locator('[data-total="elevator-fault"] .tile-note').textContent()).toContain('不含离线');
    await page.context().close();
  });

  it('searches by name or id and filters by type, state and building', async () => {
    const page = await openCompound('zhao');
    expect(await rows(page)).toHaveLength(9);
    await page.getByTestId('devices-search').fill(dev('elevator', 1).device);
    await expect.poll(() => rows(page)).toEqual([dev('elevator', 1).key]);
    expect(await page.getByTestId('devices-count').textContent()).toBe('显示 1 台，共 9 台');
    await page.getByTestId('devices-search').fill('消防通道');
    await expect.poll(() => rows(page)).toEqual([dev('fire_lane', 0).key]);
    await page.getByTestId('devices-search').fill('');

    await page.getByTestId('devices-type').selectOption('parking');
    await expect.poll(async () => (await rows(page)).length).toBe(4);
    await page.getByTestId('devices-type').selectOption('');
    await page.getByTestId('devices-state').selectOption('offline');
    await expect.poll(() => rows(page)).toEqual([dev('elevator', 1).key]);
    await page.getByTestId('devices-state').selectOption('alerting');
    await expect.poll(async () => (await rows(page)).sort()).toEqual([dev('elevator', 0).key, dev('elevator', 1).key, dev('elevator', 2).key].sort());
    await page.getByTestId('devices-state').selectOption('');
    await page.getByTestId('devices-building').selectOption({ label: '2号楼' });
    const inB2 = devices.filter((d) => d.compound === 'h1' && d.building === 'b2').map((d) => d.key).sort();
    await expect.poll(async () => (await rows(page)).sort()).toEqual(inB2);
    await page.getByTestId('devices-search').fill('zzz-nothing');
    await expect.poll(() => page.getByTestId('devices-none').count()).toBe(1);
    await page.context().close();
  });

  it('keeps keyboard focus on the focused row across live updates', async () => {
    const page = await openCompound('zhao');
    const lane = dev('fire_lane', 0);
    const row = page.locator(`[data-testid="device-row"][data-device-key="${lane.key}"]`);
    await row.getByTestId("device-pick").focus();
    await publishAs(hub.info.brokerUrl, lane, 'telemetry', { occupied: true, objectType: 'car', confidence: 0.9 });
    await expect.poll(() => row.locator('[data-field="occupied"]').textContent()).toMatch(/^占用/);
    expect(await page.evaluate('document.activeElement?.getAttribute("data-device-key")')).toBe(lane.key);
    await publishAs(hub.info.brokerUrl, lane, 'telemetry', { occupied: false });
    await expect.poll(() => row.locator('[data-field="occupied"]').textContent()).toBe('畅通');
    expect(await page.evaluate('document.activeElement?.getAttribute("data-device-key")')).toBe(lane.key);
    await page.context().close();
  });

  it('lists a compound of more devices than a live page page by page, searched by the hub', async () => {
    const page = await openCompound('root', 'big');
    const count = page.getByTestId('devices-count');
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe('第 1–200 台，共 1100 台');
    expect(await rows(page)).toHaveLength(200);
    // The plan and the totals take the whole compound.
    expect(await page.locator('[data-testid="site-device"]').count()).toBe(1100);
    expect(await tile(page, 'parking')).toBe('1100/1100');
    await page.getByRole('button', { name: '下一页' }).click();
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe('第 201–400 台，共 1100 台');
    await page.getByTestId('devices-search').fill('park-1042');
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe('第 1–1 台，共 1 台');
    expect(await rows(page)).toEqual(['big/parking/park-1042']);
    await page.context().close();
  });
});
