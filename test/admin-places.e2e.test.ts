/**
 * The places page (#/admin/places) in real headless Chromium against a real hub: an admin adds a
 * street and a community in it, then a compound there with two buildings, a county area, a
 * location and a desk phone, by keyboard and clicks; the hub's places answer has them; the
 * devices page can pick the new compound; renaming it keeps what the form does not show (its
 * contacts) and shows the new name in the tree; a desk phone the hub refuses is said in Chinese
 * beside the form; the page speaks English when switched; a property manager has no such page.
 */
import { describe, expect, it } from 'vitest';
import type { PlacesAnswer } from '../src/contracts/admin.ts';
import { apiFetch, getJson } from './helpers/test-hub.ts';
import { adminPagesSuite, expectNoAdminPage, focusedTestId } from './helpers/admin-pages.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

const suite = adminPagesSuite('admin-places-e2e');
const page = (user: string, kind?: 'desktop' | 'phone') => suite.page(user, kind);
const focused = focusedTestId;
const places = () => getJson<PlacesAnswer>(suite.hub, '/api/admin/places');

describe('the places page in Chromium', () => {
  it('an admin adds a street, a community and a compound in it, then renames the compound', { timeout: 90_000 }, async () => {
    const admin = await page('root');
    await admin.getByTestId('nav-places').click();
    await admin.getByTestId('place-district').first().waitFor();
    expect(await admin.getByTestId('place-name-district').allTextContents()).toEqual(['西湖区 区县']);

    // A street, by keyboard: the form's heading takes the focus, Enter in the name field sends it.
    await admin.getByTestId('place-add').click();
    expect(await admin.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('place-form-panel-h');
    await admin.getByTestId('place-kind').selectOption('street');
    await admin.getByTestId('place-id').fill('gudang');
    await admin.getByTestId('place-parent').selectOption({ label: '西湖区' });
    await admin.getByTestId('place-name').fill('古荡街道');
    await admin.getByTestId('place-name').press('Enter');
    const gudang = admin.locator('[data-key="street:gudang"]');
    await gudang.waitFor();
    expect(await gudang.getByTestId('place-name-street').textContent()).toBe('古荡街道 街道');
    await expect.poll(() => admin.getByTestId('notice').textContent()).toContain('古荡街道');
    // The focus on the new street's edit button.
    expect(await focused(admin)).toBe('place-edit');
    expect(await admin.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label'))).toBe('修改街道：古荡街道');

    // A community in it, its street picked by name.
    await admin.getByTestId('place-add').click();
    await admin.getByTestId('place-kind').selectOption('community');
    await admin.getByTestId('place-id').fill('xixi');
    await admin.getByTestId('place-name').fill('西溪社区');
    await admin.getByTestId('place-parent').selectOption({ label: '古荡街道（西湖区）' });
    await admin.getByTestId('place-submit').click();
    await gudang.locator('[data-key="community:xixi"]').waitFor();

    // A compound there: two buildings (typed by keyboard into the rows), county, location, desk phone.
    await admin.getByTestId('compound-add').click();
    expect(await admin.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('compound-form-panel-h');
    await admin.getByTestId('compound-id').fill('c10');
    await admin.getByTestId('compound-name').fill('西溪花园');
    await admin.getByTestId('compound-community').selectOption({ label: '西溪社区（古荡街道）' });
    // The routing's grids, named by their compounds.
    expect(await admin.getByTestId('compound-grid').locator('option').allTextContents()).toEqual(['未指定', expect.stringMatching(/^g1（.+）$/), expect.stringMatching(/^g2（.+）$/)]);
    await admin.getByTestId('compound-grid').selectOption('g2');
    await admin.getByTestId('compound-area').selectOption('county');
    expect(await admin.getByTestId('compound-area').locator('option:checked').textContent()).toBe('县域（电梯困人救援 1 小时内到场）');
    await admin.getByTestId('compound-lat').fill('30.2741');
    await admin.getByTestId('compound-lon').fill('120.0826');
    await admin.getByTestId('compound-desk-phone').fill('0571-8800-1010');
    for (const [id, name] of [['b1', '1幢'], ['b2', '2幢']]) {
      await admin.getByTestId('building-add').click();
      expect(await focused(admin)).toBe('building-id');
      await admin.keyboard.type(id!);
      await admin.keyboard.press('Tab');
      await admin.keyboard.type(name!);
    }
    expect(await admin.getByTestId('building-row').locator('legend').allTextContents()).toEqual(['第 1 栋楼', '第 2 栋楼']);
    // The open form with its rows passes the accessibility check too (the page alone is in accessibility.e2e.test.ts).
    const violations = await axeViolations(admin);
    expect(violations, describeViolations(violations)).toEqual([]);
    await admin.getByTestId('compound-submit').click();
    const row = admin.locator('[data-testid="compounds-table-row"][data-compound="c10"]');
    await row.waitFor();
    expect(await row.locator('th').textContent()).toBe('西溪花园');
    expect(await row.locator('[data-field="area"]').textContent()).toBe('县域');
    expect(await row.locator('[data-field="devices"]').textContent()).toBe('0');
    expect(await row.locator('[data-field="desk-phone"]').textContent()).toBe('0571-8800-1010');
    expect(await admin.locator('[data-key="community:xixi"]').getByTestId('compounds-table-row').count()).toBe(1);

    // What the hub now keeps.
    const after = await places();
    expect(after.places).toEqual(expect.arrayContaining([
      { kind: 'street', id: 'gudang', name: '古荡街道', parent: 'xihu' },
      { kind: 'community', id: 'xixi', name: '西溪社区', parent: 'gudang' },
    ]));
    expect(after.compounds.find((c) => c.id === 'c10')).toEqual({
      id: 'c10', name: '西溪花园', community: 'xixi', grid: 'g2',
      buildings: { b1: '1幢', b2: '2幢' },
      area: 'county', location: { lat: 30.2741, lon: 120.0826 }, deskPhone: '0571-8800-1010', deviceCount: 0,
    });

    // The devices page picks it (and links back here for an admin).
    await admin.goto('/#/admin/devices/h1');
    await admin.getByTestId('devices-table-row').first().waitFor();
    expect(await admin.getByTestId('devices-places-link').getAttribute('href')).toBe('#/admin/places');
    await admin.getByTestId('devices-compound').selectOption({ label: '西溪花园' });
    await admin.getByTestId('devices-table-empty').waitFor();
    expect(new URL(admin.url()).hash).toBe('#/admin/devices/c10');

    // Its contacts, kept on the devices page, survive a rename here.
    const contacts = [{ name: '物业服务中心', phone: '0571-88886666', role: '物业' }];
    expect((await apiFetch(suite.hub, '/api/admin/compounds/c10/contacts', { method: 'PUT', body: JSON.stringify({ contacts }) })).status).toBe(200);
    await admin.getByTestId('devices-places-link').click();
    await row.waitFor();
    await row.getByTestId('compound-edit').click();
    expect(await admin.getByTestId('compound-name').inputValue()).toBe('西溪花园');
    expect(await admin.getByTestId('compound-area').inputValue()).toBe('county');
    expect(await admin.getByTestId('building-id').evaluateAll((inputs) => inputs.map((i) => (i as any).value))).toEqual(['b1', 'b2']);
    await admin.getByTestId('compound-name').fill('西溪花园东区');
    await admin.getByTestId('compound-submit').click();
    await expect.poll(() => row.locator('th').textContent()).toBe('西溪花园东区');
    expect(await focused(admin)).toBe('compound-edit');
    expect((await places()).compounds.find((c) => c.id === 'c10')).toEqual({
      id: 'c10', name: '西溪花园东区', community: 'xixi', grid: 'g2',
      buildings: { b1: '1幢', b2: '2幢' }, contacts,
      area: 'county', location: { lat: 30.2741, lon: 120.0826 }, deskPhone: '0571-8800-1010', deviceCount: 0,
    });

    // A desk phone the hub refuses: said in Chinese beside the form, the field marked and focused.
    await row.getByTestId('compound-edit').click();
    await admin.getByTestId('compound-desk-phone').fill('abc');
    await admin.getByTestId('compound-submit').click();
    const error = admin.getByTestId('compound-form-error');
    await error.getByTestId('issue').first().waitFor();
    expect(await error.locator('p.error').textContent()).toBe('填写的内容不完整或无效');
    expect(await error.locator('[data-testid="issue"][data-path="deskPhone"]').textContent()).toMatch(/^物业服务台电话格式不对/);
    expect(await admin.getByTestId('compound-desk-phone').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(admin)).toBe('compound-desk-phone');
    expect((await places()).compounds.find((c) => c.id === 'c10')?.deskPhone).toBe('0571-8800-1010');
    // Escape closes the form, the focus back on the button that opened it.
    await admin.keyboard.press('Escape');
    expect(await admin.getByTestId('compound-form').count()).toBe(0);
    expect(await focused(admin)).toBe('compound-edit');

    // In English once.
    await admin.getByTestId('lang-switch').click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Places and compounds');
    expect(await admin.getByTestId('nav-places').textContent()).toBe('Places');
    expect(await row.locator('[data-field="area"]').textContent()).toBe('County');
    await admin.context().close();
  });

  it('a property manager has no places page: no link, and the address does not mount it', { timeout: 60_000 }, async () => {
    const manager = await page('zhao');
    await expectNoAdminPage(manager, 'places', 'places-tree');
    await manager.goto('/#/admin/devices/h1');
    await manager.getByTestId('devices-table-row').first().waitFor();
    expect(await manager.getByTestId('devices-places-link').count()).toBe(0);
    await manager.context().close();
  });
});
