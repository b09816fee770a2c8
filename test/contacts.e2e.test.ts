/**
 * People's contacts in real headless Chromium against a real hub: an admin gives a grid worker a
 * mobile number and a WeCom account in the login form (a wrong number is refused beside its field,
 * before anything is sent), and the logins table and the duty roster show who can be @mentioned
 * by the group robots and who cannot.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;

async function adminPage(): Promise<Page> {
  const context = await newContext(browser, 'desktop', hub.info.httpUrl);
  const page = await context.newPage();
  await logIn(page, 'root', TEST_PASSWORD);
  return page;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('contacts-e2e');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  const alertsFile = `${dir.path}/alerts.json`;
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang', 'li'] }] }));
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('contacts in Chromium', () => {
  it('an admin gives a worker a contact: a wrong number is refused beside its field, the roster shows who can be @mentioned', { timeout: 90_000 }, async () => {
    const page = await adminPage();
    await page.goto('/#/admin/users');
    const wang = page.locator('[data-user-id="wang"]');
    await expect.poll(() => wang.getByTestId('user-contact-missing').textContent()).toContain('群机器人无法 @');
    await wang.getByTestId('user-edit').click();

    const mobile = page.getByTestId('user-contact-mobile');
    expect(await page.locator(`label[for="${await mobile.getAttribute('id')}"]`).textContent()).toContain('手机号');
    await mobile.fill('0571-8888888');
    await page.getByTestId('user-submit').click();
    await expect.poll(() => page.getByTestId('user-contact-mobile-error').textContent()).toBe('请填写 11 位大陆手机号，以 1 开头');
    expect(await mobile.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('user-contact-mobile');
    expect((await getJson<{ users: Array<{ id: string; contact?: object }> }>(hub, '/api/admin/users')).users.find((u) => u.id === 'wang')?.contact).toBeUndefined();

    // A worker's form wants a grid ticked as well.
    await page.locator('[data-testid="user-grids-option"][value="g1"]').check();
    await mobile.fill('138 0000 0001');
    expect(await page.getByTestId('user-contact-mobile-error').textContent()).toBe('');
    await page.getByTestId('user-contact-wecom').fill('WangFang');
    await page.getByTestId('user-submit').click();
    await expect.poll(async () => (await getJson<{ users: Array<{ id: string; contact?: object }> }>(hub, '/api/admin/users')).users.find((u) => u.id === 'wang')?.contact).toEqual({
      mobile: '13800000001',
      wecom: 'WangFang',
    });
    await expect.poll(() => page.locator('[data-user-id="wang"]').getByTestId('user-contact-summary').textContent()).toBe('手机 · 企业微信');

    await page.goto('/#/admin/routing');
    const g1 = page.locator('[data-testid="grid-card"][data-grid-id="g1"]');
    await expect.poll(() => g1.locator('[data-worker="wang"]').getByTestId('grid-worker-contact').textContent()).toBe('手机 · 企业微信');
    expect(await g1.locator('[data-worker="li"]').getByTestId('grid-worker-no-contact').textContent()).toContain('群机器人无法 @');
    expect(await g1.getByTestId('grid-cannot-mention').textContent()).toContain('1 位网格员未登记联系方式');
    await page.context().close();
  });
});
