/**
 * Parties of the loop in real Chromium against a real hub (issue 18): the manager hands an alert
 * over (流转) from its card to the street's fire safety desk, by name; the desk's member works it
 * from the phone view; the owners' committee member (业委会) lands on the compound read-only (no
 * workflow step on any card), opens a closed alert on the desk and evaluates it (评价) with the
 * keyboard, once; the district overview shows the satisfaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD, writeUsersFile } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { NAMED_USERS } from './helpers/named-users.ts';
import { axeViolations } from './helpers/axe.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
const find = (compound: string, type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === compound && d.type === type)[n]!;
const manholeReading = (over: object) => ({ tiltDeg: 1, displaced: false, open: false, waterLevelCm: 20, gasPpm: 0, h2sPpm: 0, batteryPct: 80, ...over });
const cardOf = (page: Page, device: FleetDevice) => page.locator(`[data-testid="alert-card"][data-device-key="${device.key}"]`);
const alertOf = async (device: FleetDevice) => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts')).alerts.find((a) => a.deviceKey === device.key);

async function pageOf(user: string, kind: 'phone' | 'desktop' = 'desktop'): Promise<Page> {
  const page = await (await newContext(browser, kind, hub.info.httpUrl)).newPage();
  await logIn(page, user, TEST_PASSWORD);
  return page;
}

/** An alert of h1 raised, worked and closed through the API: water high in a manhole, then back to normal. */
async function closedAlert(manhole: FleetDevice): Promise<Alert> {
  await publishAs(hub.info.brokerUrl, manhole, 'telemetry', manholeReading({ waterLevelCm: 180 }));
  await expect.poll(async () => (await alertOf(manhole))?.assignee, { timeout: 10_000 }).toBe('wang');
  const alert = (await alertOf(manhole))!;
  expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);
  expect((await postJson(hub, `/api/alerts/${alert.id}/resolve`, { note: '已排水' }, 'wang')).status).toBe(200);
  await publishAs(hub.info.brokerUrl, manhole, 'telemetry', manholeReading({ waterLevelCm: 10 }));
  await expect.poll(async () => (await getJson<Alert>(hub, `/api/alerts/${alert.id}`)).condition, { timeout: 10_000 }).toBe('cleared');
  expect((await postJson(hub, `/api/alerts/${alert.id}/close`, {}, 'zhao')).status).toBe(200);
  return alert;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('parties-e2e');
  devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 1, manhole: 3, fire_lane: 1, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({
    grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }],
    groups: [{ id: 'street-fire', name: '街道消防安全站', nameEn: 'Street fire safety desk', kind: 'department', compounds: ['h1'], members: ['fire1'] }],
  }));
  const users = await writeUsersFile([
    ...NAMED_USERS,
    { id: 'fire1', name: '赵刚', role: 'department', password: TEST_PASSWORD },
    { id: 'chen', name: '陈建国', role: 'committee', compounds: ['h1'], password: TEST_PASSWORD },
  ]);
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, USERS_FILE: users });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('parties in Chromium', () => {
  it('lets the manager hand an alert over to the fire safety desk by name, and the desk work it from the phone', async () => {
    const manhole = find('h1', 'manhole');
    await publishAs(hub.info.brokerUrl, manhole, 'telemetry', manholeReading({ waterLevelCm: 185 }));
    const page = await pageOf('zhao');
    await page.goto('/#/compound/h1');
    await expect.poll(() => connState(page)).toBe('online');
    const card = cardOf(page, manhole);
    await card.waitFor({ timeout: 15_000 });
    await card.getByTestId('alert-handover').click();
    const select = card.getByTestId('handover-select');
    expect(await select.locator('option').allTextContents()).toContain('街道消防安全站 · 街道部门');
    expect(await card.locator('label[for]').first().textContent()).toBe('流转给');
    await select.selectOption('street-fire');
    await card.getByTestId('handover-note').fill('井下积水，堵住消防通道');
    await card.getByTestId('handover-submit').click();
    await expect.poll(() => card.getByTestId('alert-party').textContent(), { timeout: 5000 }).toBe('已流转至 街道消防安全站');
    await expect.poll(() => card.getByTestId('alert-assignee').textContent()).toBe('处理人: 赵刚');
    await card.getByTestId('alert-history').locator('summary').click();
    expect(await card.getByTestId('history-step').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('流转至 街道消防安全站（赵刚） · “井下积水，堵住消防通道”')]));
    await page.context().close();

    // The desk's member: the phone view, with the alert handed to it and its accept step.
    const phone = await pageOf('fire1', 'phone');
    await expect.poll(() => phone.evaluate('location.hash')).toBe('#/worker');
    expect(await phone.getByTestId('who').textContent()).toBe('赵刚 · 街道部门');
    const held = cardOf(phone, manhole);
    await held.waitFor({ timeout: 15_000 });
    // Where it is, by name: the desk has no compound of its own, but reads where what it holds is.
    const h1Name = (await getJson<{ compounds: Array<{ id: string; name: string }> }>(hub, '/api/compounds')).compounds.find((c) => c.id === 'h1')!.name;
    await expect.poll(() => held.getByTestId('alert-where').textContent()).toContain(`${manhole.name} · ${h1Name}`);
    await held.getByTestId('alert-accept').click();
    await expect.poll(async () => (await alertOf(manhole))?.workflow, { timeout: 5000 }).toBe('accepted');
    await phone.context().close();
  });

  it('shows the owners’ committee its compound read-only, and lets it evaluate a closed alert once, by keyboard', async () => {
    const closed = await closedAlert(find('h1', 'manhole', 1));
    const open = find('h1', 'manhole', 2);
    await publishAs(hub.info.brokerUrl, open, 'telemetry', manholeReading({ waterLevelCm: 190 }));

    const page = await pageOf('chen');
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/compound/h1');
    expect(await page.getByTestId('who').textContent()).toBe('陈建国 · 业委会');
    await expect.poll(() => connState(page)).toBe('online');
    const card = cardOf(page, open);
    await card.waitFor({ timeout: 15_000 });
    // Read-only: no workflow step on the card.
    expect(await card.locator('[data-testid="alert-accept"], [data-testid="alert-resolve"], [data-testid="alert-comment"], [data-testid="alert-handover"], [data-testid="alert-reassign"], [data-testid="alert-silence"]').count()).toBe(0);

    await page.getByTestId('nav-desk').click();
    await page.getByTestId('desk-state').selectOption('closed');
    const row = page.locator(`[data-testid="desk-row"][data-alert-id="${closed.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByTestId('desk-open').click();
    const details = page.getByTestId('desk-details');
    await details.getByTestId('alert-evaluate').click();
    // The score group has the focus; arrow keys pick, Enter in the comment sends.
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('evaluate-score-1');
    expect(await details.locator('fieldset legend').textContent()).toBe('处置满意度（1–5 分）');
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowRight');
    expect(await details.getByTestId('evaluate-score-5').isChecked()).toBe(true);
    await details.getByTestId('evaluate-comment').fill('处理及时，通报清楚');
    await details.getByTestId('evaluate-submit').click();
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 5000 }).toBe('评价已提交');
    expect((await axeViolations(page)).map((v) => v.id)).toEqual([]);
    await expect.poll(async () => (await getJson<Alert>(hub, `/api/alerts/${closed.id}`)).evaluations).toEqual([expect.objectContaining({ party: 'committee', score: 5, by: 'chen', comment: '处理及时，通报清楚' })]);

    // Once: the card no longer offers it, and shows the rating.
    await page.reload();
    await page.getByTestId('desk-state').selectOption('closed');
    await row.waitFor({ timeout: 10_000 });
    await row.getByTestId('desk-open').click();
    await expect.poll(() => details.getByTestId('alert-evaluations').textContent()).toBe('业委会评价 5 分');
    expect(await details.getByTestId('alert-evaluate').count()).toBe(0);

    // The figures: satisfaction on the district overview.
    await page.goto('/#/district');
    const tile = page.locator('[data-testid="stats-figure"][data-figure="satisfaction"]');
    await expect.poll(() => tile.getByTestId('figure-value').textContent(), { timeout: 10_000 }).toBe('5.0 分');
    await expect.poll(() => page.locator('[data-testid="compound-satisfaction"]').first().textContent()).toBe('5.0 分');
    await page.context().close();
  });
});
