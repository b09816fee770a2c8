/**
 * What people see of the login limits and the password policy (issue 15, items 2 and 6), in real
 * headless Chromium (zh-CN) against a real hub: a login locked after failed attempts is told until
 * when on the login page; the admin sees it locked in 管理 → 账号 and unlocks it with the button,
 * after which it logs in; a one-time password must be changed, and a common password is refused
 * with the rule it breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/hub.ts';
import { DASHBOARDS_DIST } from '../../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { postJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from '../helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;

async function freshPage(): Promise<Page> {
  const context = await newContext(browser, 'desktop', hub.info.httpUrl);
  return context.newPage();
}

async function tryLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('login-ui');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('login limits and password policy in the dashboard', () => {
  it('a locked login is told until when; the admin sees it, unlocks it, and it logs in', { timeout: 90_000 }, async () => {
    const page = await freshPage();
    await page.goto('/#/login');
    const error = page.getByTestId('login-error');
    for (let i = 0; i < 5; i++) {
      await tryLogin(page, 'zhao', `wrong-guess-${i}`);
      await expect.poll(() => error.textContent()).toBe('用户名或密码错误');
      await error.evaluate((el) => (el.textContent = ''));
    }
    await tryLogin(page, 'zhao', TEST_PASSWORD);
    await expect.poll(() => error.textContent()).toMatch(/^此账号登录失败次数过多，已锁定至 \d\d:\d\d:\d\d；管理员可以解锁$/);
    expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);

    const admin = await freshPage();
    await logIn(admin, 'root', TEST_PASSWORD);
    await admin.goto('/#/admin/users');
    const row = admin.locator('[data-user-id="zhao"]');
    await expect.poll(() => row.getByTestId('user-locked').textContent()).toMatch(/^已锁定至 .+（连续 5 次登录失败）$/);
    await row.getByTestId('user-unlock').click();
    await admin.getByTestId('confirm-ok').click();
    await admin.getByTestId('notice').filter({ hasText: '已解锁' }).waitFor();
    await expect.poll(() => row.getByTestId('user-locked').count()).toBe(0);

    const again = await freshPage();
    await logIn(again, 'zhao', TEST_PASSWORD);
  });

  it('a one-time password must be changed, and a common one is refused with the rule', { timeout: 90_000 }, async () => {
    const created = await postJson(hub, '/api/admin/users', { id: 'zhou-min', role: 'viewer' });
    const { password } = (await created.json()) as { password: string };
    const page = await freshPage();
    await page.goto('/#/login');
    await tryLogin(page, 'zhou-min', password);
    await page.getByTestId('password-next').waitFor();
    await page.locator('#current').fill(password);
    await page.getByTestId('password-next').fill('password1234');
    await page.getByTestId('password-submit').click();
    await expect.poll(() => page.locator('form[class*="login"] .error').textContent()).toBe('这是最常见的密码之一，请换一个');
    await page.getByTestId('password-next').fill('Zhou-Min!2024');
    await page.getByTestId('password-submit').click();
    await expect.poll(() => page.locator('form[class*="login"] .error').textContent()).toBe('新密码不能由账号名构成（加数字或符号也不行）');
    await page.getByTestId('password-next').fill('street-lamps-at-dusk');
    await page.getByTestId('password-submit').click();
    await page.getByTestId('logout').waitFor();
  });
});
