/**
 * Administration in real headless Chromium against a real hub: an admin adds a grid worker to a
 * duty roster; a property manager adds a device, which then connects with `mosquitto_pub` using
 * the secret shown once and shows up live on the compound view; both hold after a restart, and
 * the audit log has each step with who and from where.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, gridHubSettings, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';

const run = promisify(execFile);
let dir: Awaited<ReturnType<typeof tempDir>>;
let env: Record<string, string>;
let hub: Hub;
let browser: Browser;

/** mosquitto_pub as the device: QoS 1, so it exits 0 only once the broker has acknowledged. */
async function mosquittoPub(key: string, secret: string, payload: object): Promise<void> {
  const { port, hostname } = new URL(hub.info.brokerUrl);
  await run('mosquitto_pub', ['-h', hostname, '-p', port, '-i', key, '-u', key, '-P', secret, '-q', '1', '-t', `compounds/${key}/telemetry`, '-m', JSON.stringify(payload)], { timeout: 10_000 });
}

async function page(user: string, kind: 'desktop' | 'phone' = 'desktop'): Promise<Page> {
  const context = await newContext(browser, kind, hub.info.httpUrl);
  const p = await context.newPage();
  await logIn(p, user, TEST_PASSWORD);
  return p;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('admin-e2e');
  ({ env } = await gridHubSettings(dir.path));
  hub = await startTestHub(env);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('administration in Chromium', () => {
  it('an admin adds a worker to a duty roster, and it holds after a restart', { timeout: 90_000 }, async () => {
    const admin = await page('root');
    await admin.goto('/#/admin/routing');
    const g1 = admin.locator('[data-testid="grid-card"][data-grid-id="g1"]');
    await g1.waitFor();
    await g1.getByTestId('grid-worker-pick').selectOption('li');
    await g1.getByTestId('grid-worker-add').click();
    await expect.poll(() => g1.getByTestId('grid-worker').allTextContents()).toHaveLength(2);
    await admin.getByTestId('doc-save').click();
    await expect.poll(async () => (await getJson<{ body: { grids: Array<{ id: string; workers: string[] }> } }>(hub, '/api/admin/routing')).body.grids.find((g) => g.id === 'g1')?.workers).toEqual(['wang', 'li']);
    // In force at once: li may now be given an alert of h1.
    await expect.poll(async () => (await getJson<{ people: Array<{ id: string }> }>(hub, '/api/people', 'zhao')).people.map((p) => p.id)).toContain('li');
    await admin.context().close();

    await hub.stop();
    hub = await startTestHub(env);
    const after = await getJson<{ body: { grids: Array<{ id: string; workers: string[] }> }; updatedBy: string }>(hub, '/api/admin/routing');
    expect(after.body.grids.find((g) => g.id === 'g1')?.workers).toEqual(['wang', 'li']);
    expect(after.updatedBy).toBe('root');
    const audit = await getJson<{ entries: Array<{ actor: string; action: string; address?: string }> }>(hub, '/api/admin/audit?action=routing_saved');
    expect(audit.entries[0]).toMatchObject({ actor: 'root', action: 'routing_saved', address: '127.0.0.1' });
  });

  it('a manager adds a device; it connects with mosquitto_pub using the secret shown once and shows up live', { timeout: 90_000 }, async () => {
    // The compound view is open before the device exists.
    const view = await page('zhao');
    await view.goto('/#/compound/h1');
    await expect.poll(() => view.getByTestId('conn-status').getAttribute('data-state')).toBe('online');

    const manager = await page('zhao');
    await manager.goto('/#/admin/devices/h1');
    await manager.getByTestId('devices-table-row').first().waitFor();
    await manager.getByTestId('device-add').click();
    await manager.getByTestId('device-type').selectOption('fire_lane');
    await manager.getByTestId('device-id').fill('lane-gate3');
    await manager.getByTestId('device-name').fill('3号门消防通道');
    await manager.getByTestId('device-submit').click();
    const secret = (await manager.getByTestId('once-secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await manager.getByTestId('once-client-id').textContent()).toContain('h1/fire_lane/lane-gate3');
    await manager.getByTestId('once-close').click();
    await manager.locator('[data-testid="devices-table-row"][data-device-key="h1/fire_lane/lane-gate3"]').waitFor();

    await mosquittoPub('h1/fire_lane/lane-gate3', secret, { occupied: true, objectType: 'car', confidence: 0.9 });
    const row = view.locator('[data-testid="device-row"][data-device-key="h1/fire_lane/lane-gate3"]');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('3号门消防通道');
    await expect.poll(() => row.locator('[data-field="occupied"]').textContent(), { timeout: 10_000 }).toMatch(/^占用/);

    // Retired: refused at its next CONNECT (mosquitto_pub exits non-zero).
    await manager.locator('[data-testid="devices-table-row"][data-device-key="h1/fire_lane/lane-gate3"]').getByTestId('device-retire').click();
    await manager.getByTestId('confirm-ok').click();
    await manager.locator('[data-testid="devices-table-row"][data-device-key="h1/fire_lane/lane-gate3"][data-retired="true"]').waitFor();
    await expect(mosquittoPub('h1/fire_lane/lane-gate3', secret, { occupied: false })).rejects.toThrow();

    const audit = await getJson<{ entries: Array<{ actor: string; action: string; target?: string; address?: string }> }>(hub, '/api/admin/audit?compound=h1');
    const steps = audit.entries.filter((e) => e.target === 'device:h1/fire_lane/lane-gate3').map((e) => `${e.actor} ${e.action} ${e.address}`);
    expect(steps).toEqual(['zhao device_retired 127.0.0.1', 'zhao device_added 127.0.0.1']);
    await view.context().close();
    await manager.context().close();
  });
});
