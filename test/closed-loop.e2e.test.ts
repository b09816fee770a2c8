/**
 * The closed loop as people see it (issue 11, points 5, 8, 9, 10), in real Chromium against a
 * real hub: people, buildings and zones by name, values with units, both languages; reassign
 * picked from the people who may act, with translated errors; an escalated alert says how
 * late and with whom it is now; a silence made from a card is for that rule on that device,
 * confirmed, listed with who/why/until, merged when repeated, ended; a district-wide silence
 * shows to the manager it mutes; a refused compound is refused in the user's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { CompoundSummary } from '../src/contracts/live-events.ts';
import type { SilenceView } from '../src/contracts/api.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { ZH_UNTIL } from './helpers/zh-time.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { writeNamedUsers } from './helpers/named-users.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
let h1Name: string;
const find = (compound: string, type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === compound && d.type === type)[n]!;
const publish = (device: FleetDevice, kind: 'telemetry' | 'event', payload: object) => publishAs(hub.info.brokerUrl, device, kind, payload);
const manholeReading = (over: object) => ({ tiltDeg: 1, displaced: false, open: false, waterLevelCm: 20, gasPpm: 0, h2sPpm: 0, batteryPct: 80, ...over });
/** The card's place line: the device, its compound, then building and zone unless the device's name says them already. */
const where = (name: string, compound: string, building: string, zone: string) => [name, compound, ...[building, zone].filter((p) => !name.includes(p))].join(' · ');
const cardOf = (page: Page, device: FleetDevice, rule: string) => page.locator(`[data-testid="alert-card"][data-device-key="${device.key}"][data-rule="${rule}"]`);
const notice = (page: Page) => page.getByTestId('notice').textContent();

async function managerPage(compound = 'h1', user = 'zhao'): Promise<Page> {
  const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
  await logIn(page, user, TEST_PASSWORD);
  await page.goto(`/#/compound/${compound}`);
  await expect.poll(() => connState(page)).toBe('online');
  return page;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('closed-loop');
  devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 2, manhole: 3, fire_lane: 1, parking: 1 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({
    grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang', 'li'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }],
    // Minor alerts must be accepted within 3 s: one escalates from 王芳 to 李强 during the test.
    sla: { critical: { acceptMin: 5, resolveMin: 30 }, major: { acceptMin: 15, resolveMin: 240 }, minor: { acceptMin: 0.05, resolveMin: 60 }, info: { acceptMin: 240, resolveMin: 4320 } },
  }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, USERS_FILE: await writeNamedUsers() });
  h1Name = (await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds')).compounds.find((c) => c.id === 'h1')!.name;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('the closed loop in Chromium', () => {
  it('shows people, buildings and zones by name and values with units, in Chinese and in English', async () => {
    const page = await managerPage();
    expect(await page.getByTestId('who').textContent()).toBe('赵敏 · 物业经理');
    await expect.poll(() => page.locator('[data-testid="nav-compound"][data-compound="h1"]').textContent()).toBe(h1Name);

    const manhole = find('h1', 'manhole');
    await publish(manhole, 'telemetry', manholeReading({ waterLevelCm: 180 }));
    const card = cardOf(page, manhole, 'manhole-water-high');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('alert-value').textContent()).toBe('水位 180 cm');
    expect(await card.getByTestId('alert-where').textContent()).toBe(where(manhole.name, h1Name, '1号楼', '北区'));
    await expect.poll(() => card.getByTestId('alert-assignee').textContent()).toBe('处理人: 王芳');
    const groups = await page.locator('.groups h3').allTextContents();
    expect(groups).toContain('1号楼 · 北区');
    expect(groups.join(' ')).not.toMatch(/\bb\d\b|north|south|east|west/);

    await card.getByTestId('alert-comment').click();
    await card.getByTestId('alert-comment-note').fill('已通知排水');
    await card.getByTestId('alert-comment-submit').click();
    await expect.poll(() => card.getByTestId('alert-note').textContent(), { timeout: 5000 }).toBe('“已通知排水” — 赵敏');

    await page.getByTestId('lang-switch').click();
    const en = cardOf(page, manhole, 'manhole-water-high');
    await expect.poll(() => en.getByTestId('alert-value').textContent()).toBe('Water level 180 cm');
    expect(await page.getByTestId('who').textContent()).toBe('赵敏 · Property manager');
    expect(await en.textContent()).toContain('Still happening');
    await page.getByTestId('lang-switch').click();
    await page.context().close();
  });

  it('reassigns to someone picked from the people who may act, and says why a pick is refused', async () => {
    const page = await managerPage();
    const manhole = find('h1', 'manhole', 1);
    await publish(manhole, 'telemetry', manholeReading({ waterLevelCm: 190 }));
    const card = cardOf(page, manhole, 'manhole-water-high');
    await card.waitFor({ timeout: 10_000 });
    await expect.poll(() => card.getByTestId('alert-assignee').textContent()).toBe('处理人: 王芳');

    await card.getByTestId('alert-reassign').click();
    const select = card.getByTestId('reassign-select');
    await expect.poll(() => select.isEnabled(), { timeout: 5000 }).toBe(true);
    // Labelled, and keyboard-ready: the picker has the focus.
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('reassign-select');
    expect(await card.locator('label[for]').first().textContent()).toBe('转派给');
    const options = await select.locator('option').allTextContents();
    expect(options).toContain('李强 · 网格员');
    expect(options.some((o) => o.startsWith('王芳'))).toBe(false);
    await select.selectOption('li');
    await card.getByTestId('reassign-submit').click();
    await expect.poll(() => card.getByTestId('alert-assignee').textContent(), { timeout: 5000 }).toBe('处理人: 李强');
    expect(await notice(page)).toBe('已转派给 李强');

    // Someone the hub refuses: the refusal is said by its code, never in the hub's English.
    await page.route('**/api/alerts/*/reassign', (route) =>
      route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'ASSIGNEE_INVALID', message: 'nobody-here may not act on this alert' }) }),
    );
    await card.getByTestId('alert-reassign').click();
    await expect.poll(() => select.isEnabled(), { timeout: 5000 }).toBe(true);
    await select.selectOption('wang');
    await card.getByTestId('reassign-submit').click();
    await expect.poll(() => card.getByTestId('reassign-error').textContent()).toBe('此人不能处理该告警，请从列表中选择');
    await page.keyboard.press('Escape');
    expect(await card.getByTestId('reassign-form').count()).toBe(0);
    await page.unroute('**/api/alerts/*/reassign');
    await page.context().close();
  });

  it('an escalated alert says how late it is and who has it now, on the manager’s and the new worker’s screens', async () => {
    const page = await managerPage();
    const phone = await (await newContext(browser, 'phone', hub.info.httpUrl)).newPage();
    await logIn(phone, 'li', TEST_PASSWORD);
    const elevator = find('h1', 'elevator', 1);
    await publish(elevator, 'event', { event: 'ebike_detected' });
    const card = cardOf(page, elevator, 'elevator-ebike');
    await card.waitFor({ timeout: 10_000 });
    await expect.poll(() => card.getByTestId('alert-escalation').count(), { timeout: 15_000 }).toBe(1);
    expect(await card.getByTestId('alert-escalation').textContent()).toMatch(/^已升级 \d+ 次，现由 李强 处理$/);
    const late = card.getByTestId('alert-sla');
    expect(await late.textContent()).toMatch(/^接单已超时 \d+ 秒$/);
    const first = await late.textContent();
    await expect.poll(() => late.textContent(), { timeout: 5000 }).not.toBe(first);

    const mine = cardOf(phone, elevator, 'elevator-ebike');
    await mine.waitFor({ timeout: 10_000 });
    // The phone names the place too (its devices come from GET /api/devices).
    await expect.poll(() => mine.getByTestId('alert-where').textContent()).toBe(where(elevator.name, h1Name, '2号楼', '南区'));
    expect(await mine.getByTestId('alert-escalation').textContent()).toMatch(/^已升级 \d+ 次，现由 李强 处理$/);
    expect(await mine.getByTestId('alert-sla').textContent()).toMatch(/^接单已超时 \d+ 秒$/);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.context().close();
    await page.context().close();
  });

  it('silences that rule on that device from the card: confirmed, listed with who/why/until, merged, ended', async () => {
    const page = await managerPage();
    const manhole = find('h1', 'manhole', 2);
    await publish(manhole, 'telemetry', manholeReading({ waterLevelCm: 200 }));
    const card = cardOf(page, manhole, 'manhole-water-high');
    await card.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('silences-none').textContent()).toBe('没有生效的屏蔽');

    const silenceFor30 = async () => {
      await card.getByTestId('alert-silence').click();
      expect(await card.getByTestId('silence-120').isChecked()).toBe(true);
      expect(await card.getByTestId('silence-reason').inputValue()).toBe('井下水位过高');
      await card.getByTestId('silence-30').check();
      await card.getByTestId('silence-submit').click();
    };
    await silenceFor30();
    await expect.poll(() => notice(page), { timeout: 5000 }).toMatch(new RegExp(`^已屏蔽「${manhole.name} · 井下水位过高」至 ${ZH_UNTIL}$`));
    await expect.poll(() => card.getByTestId('alert-silenced').textContent()).toMatch(new RegExp(`^已屏蔽至 ${ZH_UNTIL}$`));
    const items = page.getByTestId('silence-item');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().getAttribute('data-device-key')).toBe(manhole.key);
    expect(await items.first().getAttribute('data-rule')).toBe('manhole-water-high');
    expect(await items.first().getByTestId('silence-what').textContent()).toBe(`${manhole.name} · 井下水位过高`);
    expect(await items.first().getByTestId('silence-by').textContent()).toBe('赵敏 设置');
    expect(await items.first().getByTestId('silence-reason-text').textContent()).toBe('井下水位过高');
    const { silences } = await getJson<{ silences: SilenceView[] }>(hub, '/api/silences?compound=h1');
    expect(silences.map((s) => [s.deviceKey, s.ruleId, s.actor])).toEqual([[manhole.key, 'manhole-water-high', 'zhao']]);
    expect(silences[0]!.until - silences[0]!.from).toBe(30 * 60_000);

    // Again: merged into the one there is.
    await silenceFor30();
    await expect.poll(() => notice(page), { timeout: 5000 }).toMatch(/^已有相同屏蔽，已合并/);
    expect(await items.count()).toBe(1);

    // A critical rule needs an admin: said in Chinese.
    const elevator = find('h1', 'elevator');
    await publish(elevator, 'event', { event: 'trapped' });
    const trapped = cardOf(page, elevator, 'elevator-trapped');
    await trapped.waitFor({ timeout: 10_000 });
    await trapped.getByTestId('alert-silence').click();
    await trapped.getByTestId('silence-submit').click();
    await expect.poll(() => trapped.getByTestId('silence-error').textContent()).toBe('屏蔽紧急规则或整台设备需要管理员操作');

    await items.first().getByTestId('silence-end').click();
    await expect.poll(() => page.getByTestId('silences-none').count(), { timeout: 5000 }).toBe(1);
    expect(await notice(page)).toBe(`已解除屏蔽：${manhole.name} · 井下水位过高`);
    expect((await getJson<{ silences: SilenceView[] }>(hub, '/api/silences?compound=h1')).silences).toEqual([]);

    // An admin's district-wide silence is listed for the manager it mutes.
    expect((await postJson(hub, '/api/silences', { reason: '全区井盖检修', ruleId: 'manhole-tilt', durationMin: 60 }, 'root')).status).toBe(201);
    await page.goto('/#/district');
    await page.goto('/#/compound/h1');
    const wide = page.getByTestId('silence-item');
    await expect.poll(() => wide.count(), { timeout: 5000 }).toBe(1);
    expect(await wide.getByTestId('silence-what').textContent()).toBe('全辖区 · 井盖倾斜');
    expect(await wide.getByTestId('silence-by').textContent()).toBe('系统管理员 设置');
    await page.context().close();
  });

  it('a compound outside the scope is refused in the user’s language', async () => {
    const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(page, 'qian', TEST_PASSWORD);
    await page.goto('/#/compound/h1');
    const refused = page.getByTestId('no-access');
    await refused.waitFor({ timeout: 5000 });
    expect(await refused.textContent()).toBe('无权进行此操作或查看此内容');
    await page.context().close();
  });
});
