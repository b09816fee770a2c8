/**
 * The northbound page (#/admin/northbound) in real headless Chromium against a real hub: an
 * admin makes a pull token for one compound ticked by its name; the secret, shown once, pulls
 * the feed (200); the table lists the token with the compound's name, who made it and its last
 * use; revoked (confirmed in the dialog), the same pull is refused (401). A property manager has
 * no such page: no link, and the address does not mount it. The open form and the secret's panel pass
 * the accessibility check.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PlacesAnswer } from '../src/contracts/admin.ts';
import type { TokensAnswer } from '../src/contracts/northbound.ts';
import { getJson } from './helpers/test-hub.ts';
import { adminPagesSuite, expectNoAdminPage, focusedTestId } from './helpers/admin-pages.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

const suite = adminPagesSuite('admin-northbound-e2e');
const page = (user: string, kind?: 'desktop' | 'phone') => suite.page(user, kind);
const focused = focusedTestId;
const focusedId = (p: Page) => p.evaluate(() => (globalThis as any).document.activeElement?.id);
/** A pull of the feed with `secret` as the bearer token: its status. */
const pull = async (secret: string) => (await fetch(`${suite.hub.info.httpUrl}/api/northbound/v1/feed`, { headers: { authorization: `Bearer ${secret}` } })).status;

describe('the northbound page in Chromium', () => {
  it('an admin makes a token for one compound by name; its secret pulls the feed until it is revoked', { timeout: 90_000 }, async () => {
    const { compounds } = await getJson<PlacesAnswer>(suite.hub, '/api/admin/places');
    const h1 = compounds.find((c) => c.id === 'h1')!;
    const h2 = compounds.find((c) => c.id === 'h2')!;
    expect(h1.name).not.toBe('h1');

    const admin = await page('root');
    expect(await admin.getByTestId('nav-northbound').textContent()).toBe('数据上报');
    await admin.getByTestId('nav-northbound').click();
    await admin.getByTestId('nb-table-empty').waitFor();
    expect(await admin.locator('h1').textContent()).toBe('数据上报');
    // How to pull: this hub's own address.
    expect(await admin.getByTestId('nb-url').textContent()).toBe(`${suite.hub.info.httpUrl}/api/northbound/v1/feed`);

    // The form: its heading takes the focus; some compounds without one ticked is said before sending.
    await admin.getByTestId('nb-new').click();
    expect(await focusedId(admin)).toBe('nb-form-panel-h');
    expect(await admin.getByTestId('nb-compounds').isVisible()).toBe(false);
    await admin.getByTestId('nb-name').fill('西湖区城运中心');
    await admin.getByTestId('nb-scope-some').check();
    await admin.getByTestId('nb-submit').click();
    expect(await admin.getByTestId('nb-form-error').textContent()).toBe('请至少选择一个小区，或选择「全部小区」');
    expect((await getJson<TokensAnswer>(suite.hub, '/api/admin/northbound/tokens')).tokens).toEqual([]);

    // The compounds are offered by name.
    expect(await admin.getByTestId('nb-compounds').locator('label').allTextContents()).toEqual(expect.arrayContaining([` ${h1.name}`, ` ${h2.name}`]));
    await admin.getByTestId('nb-compounds').getByLabel(h1.name).check();
    // The open form with its refusal passes the accessibility check (the page alone is in accessibility.e2e.test.ts).
    const formViolations = await axeViolations(admin);
    expect(formViolations, describeViolations(formViolations)).toEqual([]);
    await admin.getByTestId('nb-submit').click();

    // The secret once, the focus on its panel; the table has the token by name with its compound's name.
    const panel = admin.getByTestId('nb-secret-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('once-warning').textContent()).toContain('只显示这一次');
    expect(await admin.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('H2');
    const secret = (await panel.getByTestId('once-secret').textContent())!;
    expect(secret).toMatch(/^chnb_/);
    await expect.poll(() => admin.getByTestId('notice').textContent()).toContain('西湖区城运中心');
    const row = admin.getByTestId('nb-table-row');
    await row.waitFor();
    expect(await row.locator('th').textContent()).toBe('西湖区城运中心');
    expect(await row.getByTestId('nb-scope-text').textContent()).toBe(h1.name);
    expect(await row.locator('td').nth(1).textContent()).toMatch(/^root，\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await row.locator('td').nth(2).textContent()).toBe('从未使用');
    expect(await row.getByTestId('nb-state').textContent()).toBe('有效');
    const [token] = (await getJson<TokensAnswer>(suite.hub, '/api/admin/northbound/tokens')).tokens;
    expect(token).toMatchObject({ name: '西湖区城运中心', scope: ['h1'], createdBy: 'root', revokedAt: null });
    // With the secret shown and a token listed, too.
    const panelViolations = await axeViolations(admin);
    expect(panelViolations, describeViolations(panelViolations)).toEqual([]);

    // The secret pulls the feed.
    expect(await pull(secret)).toBe(200);
    await expect.poll(async () => (await getJson<TokensAnswer>(suite.hub, '/api/admin/northbound/tokens')).tokens[0]?.lastUsedAt).not.toBeNull();

    // Closing the panel: the secret is gone from the page.
    await panel.getByTestId('once-close').click();
    expect(await admin.getByTestId('once-secret').count()).toBe(0);

    // Revoke: the dialog asks with the token's name; cancel keeps it.
    await row.getByTestId('nb-revoke').click();
    const dialog = admin.getByTestId('confirm-dialog');
    expect(await dialog.textContent()).toContain('西湖区城运中心');
    expect(await focused(admin)).toBe('confirm-cancel');
    await admin.getByTestId('confirm-cancel').click();
    expect(await pull(secret)).toBe(200);
    await row.getByTestId('nb-revoke').click();
    await admin.getByTestId('confirm-ok').click();
    await expect.poll(() => row.getByTestId('nb-state').textContent()).toMatch(/^已吊销（\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}）$/);
    expect(await row.getByTestId('nb-revoke').count()).toBe(0);
    expect(await row.locator('td').nth(2).textContent()).not.toBe('从未使用');
    await expect.poll(() => admin.getByTestId('notice').textContent()).toBe('已吊销令牌「西湖区城运中心」');
    expect(await pull(secret)).toBe(401);

    // In English once.
    await admin.getByTestId('lang-switch').click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Northbound feed');
    expect(await admin.getByTestId('nav-northbound').textContent()).toBe('Northbound');
    await expect.poll(() => row.getByTestId('nb-state').textContent()).toMatch(/^Revoked \(/);
    await admin.context().close();
  });

  it('a property manager has no northbound page: no link, and the address does not mount it', { timeout: 60_000 }, async () => {
    const manager = await page('zhao');
    await expectNoAdminPage(manager, 'northbound', 'nb-tokens');
    await manager.context().close();
  });
});
