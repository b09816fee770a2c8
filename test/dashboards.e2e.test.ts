/**
 * The dashboards in real headless Chromium against a real hub: a manager watches device
 * state change and an alert appear live and closes it; a grid worker on a phone accepts and
 * resolves an alert pushed live; a manager of another compound sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
let seq = 1000;

async function publish(device: FleetDevice, kind: 'telemetry' | 'event', payload: object) {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', device, kind), JSON.stringify({ ...payload, seq: ++seq }), { qos: 1 });
  await client.endAsync();
}
const find = (compound: string, type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === compound && d.type === type)[n]!;

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('e2e');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  devices = registry.devices;
  const alertsFile = `${dir.path}/alerts.json`;
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('dashboards in Chromium', () => {
  it('a manager sees device state change live, an alert appear, and closes it', async () => {
    const context = await newContext(browser, 'desktop', hub.info.httpUrl);
    const page = await context.newPage();
    await logIn(page, 'zhao', TEST_PASSWORD);
    await page.goto('/#/compound/h1');
    await expect.poll(() => page.getByTestId('conn-status').getAttribute('data-state')).toBe('online');
    const lane = find('h1', 'fire_lane');
    const laneRow = page.locator(`[data-testid="device-row"][data-device-key="${lane.key}"]`);
    await laneRow.waitFor();
    await publish(lane, 'telemetry', { occupied: true, objectType: 'car', confidence: 0.95 });
    await expect.poll(() => laneRow.locator('[data-field="occupied"]').textContent(), { timeout: 5000 }).toMatch(/^占用/);
    await expect.poll(() => page.locator(`[data-testid="site-device"][data-device-key="${lane.key}"]`).getAttribute('data-state')).toBe('warning');

    const elevator = find('h1', 'elevator');
    await publish(elevator, 'event', { event: 'trapped' });
    const card = page.locator('[data-testid="alert-card"][data-severity="critical"]');
    await card.waitFor({ timeout: 5000 });
    expect(await card.textContent()).toContain('电梯困人');
    await expect.poll(() => page.locator(`[data-testid="site-device"][data-device-key="${elevator.key}"]`).getAttribute('data-state')).toBe('critical');
    const alertId = (await card.getAttribute('data-alert-id'))!;

    // The worker does their part over the API; the manager's card follows live, then the manager confirms.
    expect((await postJson(hub, `/api/alerts/${alertId}/accept`, {}, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${alertId}/resolve`, { note: '已救出乘客' }, 'wang')).status).toBe(200);
    await expect.poll(() => card.getAttribute('data-workflow'), { timeout: 5000 }).toBe('resolved');
    // The trap is still reported (the condition is active): closing asks why, and sends that with force.
    expect(await card.getAttribute('data-condition')).toBe('active');
    await card.getByTestId('alert-close').click();
    expect(await card.getByTestId('alert-close-explain').textContent()).toContain('情况仍在发生，确认关闭需填写原因');
    await card.getByTestId('alert-close-note').fill('乘客已救出，电梯停用待检');
    await card.getByTestId('alert-close-submit').click();
    await expect.poll(() => page.locator(`[data-alert-id="${alertId}"]`).count(), { timeout: 5000 }).toBe(0);
    await context.close();
  });

  it('a grid worker on a phone gets a new alert pushed live, accepts and resolves it', async () => {
    const context = await newContext(browser, 'phone', hub.info.httpUrl);
    const page = await context.newPage();
    await logIn(page, 'wang', TEST_PASSWORD);
    expect(page.url()).toMatch(/#\/worker$/);
    await expect.poll(() => page.getByTestId('conn-status').getAttribute('data-state')).toBe('online');
    const manhole = find('h1', 'manhole', 1);
    await publish(manhole, 'telemetry', { tiltDeg: 2, displaced: false, open: false, waterLevelCm: 180, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
    // Other devices of the test fleet never report and raise offline alerts: follow the water alert.
    const card = page.locator(`[data-testid="alert-card"][data-device-key="${manhole.key}"][data-rule="manhole-water-high"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.textContent()).toContain('水位');
    await expect.poll(() => card.evaluate((el) => el.classList.contains('fresh'))).toBe(true);
    // Nothing sticks out of a 390 px wide screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const alertId = (await card.getAttribute('data-alert-id'))!;
    const mine = page.locator(`[data-alert-id="${alertId}"]`);
    await mine.getByTestId('alert-accept').click();
    await expect.poll(() => mine.getAttribute('data-workflow'), { timeout: 5000 }).toBe('accepted');
    await mine.getByTestId('alert-resolve').click();
    await mine.getByTestId('alert-resolve-note').fill('井盖已复位，已加固');
    await mine.getByTestId('alert-resolve-submit').click();
    await expect.poll(() => mine.getAttribute('data-workflow'), { timeout: 5000 }).toBe('resolved');
    await context.close();
  });

  it('a manager of another compound sees nothing of it', async () => {
    const context = await newContext(browser, 'desktop', hub.info.httpUrl);
    const page = await context.newPage();
    await logIn(page, 'qian', TEST_PASSWORD);
    expect(page.url()).toMatch(/#\/compound\/h2$/);
    await expect.poll(() => page.getByTestId('conn-status').getAttribute('data-state')).toBe('online');
    await page.locator('[data-testid="device-row"]').first().waitFor();
    const keys = await page.locator('[data-testid="device-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-key')));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k!.startsWith('h2/'))).toBe(true);
    await publish(find('h1', 'elevator', 1), 'event', { event: 'trapped' });
    await page.waitForTimeout(1000);
    const compounds = await page.locator('[data-testid="alert-card"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-compound')));
    expect(compounds.filter((c) => c !== 'h2')).toEqual([]);
    await page.goto('/#/compound/h1');
    await page.getByTestId('no-access').waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid="device-row"]').count()).toBe(0);
    await context.close();
  });
});
