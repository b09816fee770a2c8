/**
 * Two-factor login in the dashboard (issue 15), in real headless Chromium (zh-CN) against a real
 * hub with `MFA=required`: a manager without a second factor lands on 账号安全 after the password
 * and can go nowhere else; it enrols there (the key read from the page, the code made here with
 * `otpauth` as the phone's app would), sees its ten recovery codes once, logs out, and logs in again
 * through the code step (a wrong code is told in Chinese); a recovery code logs in once and the page
 * says how many are left; an admin resets the manager's second factor in 管理 → 账号.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import type { Hub } from '../../src/hub.ts';
import { DASHBOARDS_DIST } from '../../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { launchBrowser, newContext } from '../helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;

const codeOf = (secret: string, ahead = 0) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + ahead * 30_000 });

async function freshPage(kind: 'phone' | 'desktop' = 'desktop'): Promise<Page> {
  const context = await newContext(browser, kind, hub.info.httpUrl);
  return context.newPage();
}

async function passwordStep(page: Page, username: string): Promise<void> {
  await page.goto('/#/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
}

/** Enrols `root` through the API (start, confirm): its secret. */
async function enrolRootByApi(): Promise<string> {
  const login = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: TEST_PASSWORD }) });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const start = (await (await fetch(`${hub.info.httpUrl}/api/auth/mfa/start`, { method: 'POST', headers: { cookie } })).json()) as { secret: string };
  const confirm = await fetch(`${hub.info.httpUrl}/api/auth/mfa/confirm`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ password: TEST_PASSWORD, code: codeOf(start.secret) }) });
  expect(confirm.status).toBe(200);
  return start.secret;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('mfa-ui');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, MFA: 'required' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('two-factor login in the dashboard', () => {
  let secret = '';
  let recoveryCodes: string[] = [];

  it('holds an unenrolled manager on 账号安全; it enrols with the key on the page and sees its recovery codes once', { timeout: 90_000 }, async () => {
    const page = await freshPage('phone');
    await passwordStep(page, 'qian');
    await page.getByTestId('mfa-policy').waitFor();
    expect(page.url()).toMatch(/#\/account$/);
    expect(await page.getByTestId('mfa-policy').textContent()).toContain('物业经理账号必须开启两步验证');
    // Any other page leads back here until it is set up.
    await page.evaluate(`location.hash = '#/compound/h2'`);
    await expect.poll(() => page.url()).toMatch(/#\/account$/);
    const started = page.waitForResponse((r) => r.url().endsWith('/api/auth/mfa/start') && r.request().method() === 'POST');
    await page.getByTestId('mfa-start').click();
    await page.getByTestId('mfa-qr').waitFor();
    const qr = page.getByTestId('mfa-qr');
    expect(await qr.getAttribute('aria-label')).toContain('二维码');
    expect(await qr.getAttribute('role')).toBe('img');
    // The QR code shown is the hub's (qrSvg), not one the page draws itself.
    const { qrSvg } = (await (await started).json()) as { qrSvg: string };
    const served = /<path[^>]*\sd="([^"]+)"/.exec(qrSvg)?.[1];
    expect(served).toBeTruthy();
    expect(await qr.evaluate((el) => el.namespaceURI)).toBe('http://www.w3.org/2000/svg');
    expect(await qr.locator('path').getAttribute('d')).toBe(served);
    expect(await qr.getAttribute('viewBox')).toBe(/viewBox="([^"]+)"/.exec(qrSvg)?.[1]);
    secret = (await page.getByTestId('mfa-secret').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const confirmCode = page.getByTestId('mfa-confirm-code');
    expect(await confirmCode.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await confirmCode.getAttribute('inputmode')).toBe('numeric');
    // A wrong code is told, and the page stays (a wrong code is not a logout).
    await page.getByTestId('mfa-confirm-password').fill(TEST_PASSWORD);
    await confirmCode.fill(codeOf(secret, 9));
    await page.getByTestId('mfa-confirm').click();
    await expect.poll(() => page.getByTestId('mfa-confirm-error').textContent()).toMatch(/^验证码不对/);
    await confirmCode.fill(codeOf(secret));
    await page.getByTestId('mfa-confirm').click();
    const codes = page.getByTestId('mfa-recovery-codes').locator('li');
    await expect.poll(() => codes.count()).toBe(10);
    recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    expect(recoveryCodes.every((c) => /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/.test(c))).toBe(true);
    await page.getByTestId('mfa-codes-done').click();
    expect(await page.getByTestId('mfa-state').getAttribute('data-state')).toBe('on');
    expect(await page.getByTestId('mfa-left').textContent()).toBe('剩余恢复码：10 个');
    // Shown once: the page does not show them again.
    expect(await page.getByTestId('mfa-recovery-codes').count()).toBe(0);
    // Enrolled: the compound opens.
    await page.evaluate(`location.hash = '#/compound/h2'`);
    await expect.poll(() => page.url()).toMatch(/#\/compound\/h2$/);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').waitFor();
  });

  it('logs in through the code step: a wrong code is told, the right one opens the manager\'s compound', { timeout: 90_000 }, async () => {
    const page = await freshPage('phone');
    await passwordStep(page, 'qian');
    const code = page.getByTestId('mfa-code');
    await code.waitFor();
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`)).toBe('mfa-code');
    expect(await page.getByRole('heading', { name: '两步验证' }).count()).toBe(1);
    await code.fill(codeOf(secret, 9));
    await page.getByTestId('mfa-submit').click();
    await expect.poll(() => page.getByTestId('mfa-error').textContent()).toBe('验证码错误或已用过，请输入应用当前显示的验证码');
    // The next step's code (this step's was taken by the enrolment).
    await code.fill(codeOf(secret, 1));
    await page.getByTestId('mfa-submit').click();
    await page.getByTestId('logout').waitFor();
    await expect.poll(() => page.url()).toMatch(/#\/compound\/h2$/);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').waitFor();
  });

  it('a recovery code logs in once; the account page says how many are left', { timeout: 90_000 }, async () => {
    const page = await freshPage('desktop');
    await passwordStep(page, 'qian');
    await page.getByTestId('mfa-use-recovery').click();
    await page.getByTestId('mfa-code').fill(recoveryCodes[0]!);
    await page.getByTestId('mfa-submit').click();
    await page.getByTestId('mfa-recovery-used').waitFor();
    expect(await page.getByTestId('mfa-recovery-used').textContent()).toContain('剩余 9 个');
    await page.getByTestId('logout').click();
    await passwordStep(page, 'qian');
    await page.getByTestId('mfa-use-recovery').click();
    await page.getByTestId('mfa-code').fill(recoveryCodes[0]!);
    await page.getByTestId('mfa-submit').click();
    await expect.poll(() => page.getByTestId('mfa-error').textContent()).toBe('恢复码错误或已用过');
  });

  it('an admin resets the manager\'s second factor in 管理 → 账号', { timeout: 90_000 }, async () => {
    const rootSecret = await enrolRootByApi();
    const page = await freshPage('desktop');
    await passwordStep(page, 'root');
    await page.getByTestId('mfa-code').fill(codeOf(rootSecret, 1));
    await page.getByTestId('mfa-submit').click();
    await page.getByTestId('logout').waitFor();
    await page.goto('/#/admin/users');
    const row = page.locator('[data-user-id="qian"]');
    await row.getByTestId('user-mfa').waitFor();
    await row.getByTestId('user-mfa-reset').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('notice').filter({ hasText: '已重置' }).waitFor();
    await expect.poll(() => row.getByTestId('user-mfa-reset').count()).toBe(0);
    // Its next login is held to enrolment again.
    const manager = await freshPage('phone');
    await passwordStep(manager, 'qian');
    await manager.getByTestId('mfa-start').waitFor();
    expect(await manager.getByTestId('mfa-state').getAttribute('data-state')).toBe('off');
  });
});
