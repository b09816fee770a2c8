/**
 * Incidents as people see them (issue 14 review), in real Chromium against a real hub playing the
 * demo's rainstorm (DEMO_SCENARIO=rainstorm): zone north's manholes of c01 fill with water and
 * become ONE incident alert, whose own key (`c01/incident/water-zone@north`) names no device.
 * The compound view marks its member manholes (site plan, device list, the 井盖异常 tile, each
 * device once); its card's silence mutes its members' rule in the compound (what the hub
 * accepts) and says so before it is sent; the district's overdue list says where it is as the
 * cards do (3 台设备 · 翠苑一区), not by its key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { Alert, CompoundSummary } from '../src/contracts/live-events.ts';
import type { SilenceView } from '../src/contracts/api.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { DEMO_PASSWORD, demoRouting, prepareDemo } from '../src/demo/demo.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, loginCookie, startTestHub } from './helpers/test-hub.ts';
import { ZH_UNTIL } from './helpers/zh-time.ts';
import { connState, launchBrowser, logIn, newContext } from './helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let c01Name: string;

const notice = (page: Page) => page.getByTestId('notice').textContent();
const active = (a: Alert) => a.incident!.members.filter((m) => m.leftAt === undefined);
const openAlerts = async () => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?compound=c01', 'admin')).alerts.filter((a) => a.workflow !== 'closed');
/** The rainstorm's incident, once it has formed with at least `min` manholes. */
async function theIncident(min = 2): Promise<Alert> {
  let found: Alert | undefined;
  await expect
    .poll(async () => {
      found = (await openAlerts()).find((a) => a.ruleId === 'water-zone' && a.incident && active(a).length >= min);
      return found?.deviceKey;
    }, { timeout: 120_000, interval: 1000 })
    .toBe('c01/incident/water-zone@north');
  return found!;
}

async function pageOf(user: string, route: string): Promise<Page> {
  const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
  await logIn(page, user, DEMO_PASSWORD);
  await page.goto(route);
  await expect.poll(() => connState(page)).toBe('online');
  return page;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('incidents-e2e');
  // The demo's own routing and logins, with major alerts to accept within 6 s: the incident is overdue during the test.
  const demo = await prepareDemo(dir.path, 'rainstorm');
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({
    ...demoRouting(demo.registry),
    sla: { critical: { acceptMin: 5, resolveMin: 30 }, major: { acceptMin: 0.1, resolveMin: 240 }, minor: { acceptMin: 60, resolveMin: 1440 }, info: { acceptMin: 240, resolveMin: 4320 } },
  }));
  hub = await startTestHub({ DATA_DIR: dir.path, DEMO: 'on', DEMO_INTERVAL: '1s', DEMO_SCENARIO: 'rainstorm', INFLUX_MANAGED: 'off', USERS_FILE: '', ALERTS_FILE: alertsFile });
  await loginCookie(hub, 'admin', DEMO_PASSWORD);
  c01Name = (await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds', 'admin')).compounds.find((c) => c.id === 'c01')!.name;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('an incident in Chromium (rainstorm)', () => {
  it('the compound view marks its member manholes faulty: site plan, device list and the 井盖异常 tile, each device once', { timeout: 180_000 }, async () => {
    const page = await pageOf('manager-c01', '/#/compound/c01');
    const incident = await theIncident();
    const card = page.locator(`[data-testid="alert-card"][data-alert-id="${incident.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getAttribute('data-device-key')).toBe('c01/incident/water-zone@north');

    // Every active member is amber on the plan and in the list (its condition is major), whatever the incident's own key.
    await expect
      .poll(async () => {
        const members = active((await openAlerts()).find((a) => a.id === incident.id)!).map((m) => m.deviceKey);
        const looks = await Promise.all(members.map(async (key) => [
          await page.locator(`[data-testid="site-device"][data-device-key="${key}"]`).getAttribute('data-state'),
          await page.locator(`[data-testid="device-row"][data-device-key="${key}"]`).getAttribute('class'),
        ]));
        return members.length >= 2 && looks.every(([plan, row]) => plan === 'warning' && /\blook-warning\b/.test(row ?? ''));
      }, { timeout: 10_000 })
      .toBe(true);

    // The tile counts abnormal manholes: the incident's members and any with an alert of their own, each once.
    const manholes = (await getJson<{ devices: Array<{ type: string; device: string }> }>(hub, '/api/devices?compound=c01', 'admin')).devices.filter((d) => d.type === 'manhole');
    await expect
      .poll(async () => {
        const alerts = await openAlerts();
        const abnormal = new Set(alerts.flatMap((a) => (a.incident ? active(a).map((m) => m.deviceKey) : a.type === 'manhole' ? [a.deviceKey] : [])));
        const shown = await page.locator('[data-total="manhole"] .tile-value').textContent();
        return abnormal.size >= 2 && shown === `${abnormal.size}/${manholes.length}` ? 'counted' : `${shown} shown, ${abnormal.size}/${manholes.length} abnormal`;
      }, { timeout: 10_000 })
      .toBe('counted');
    await page.context().close();
  });

  it('its Silence mutes its members’ rule in the compound (said before it is sent), and its card shows it silenced', { timeout: 180_000 }, async () => {
    const page = await pageOf('manager-c01', '/#/compound/c01');
    const incident = await theIncident();
    const card = page.locator(`[data-testid="alert-card"][data-alert-id="${incident.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    await card.getByTestId('alert-silence').click();
    expect(await card.getByTestId('silence-scope').textContent()).toBe(`将屏蔽：${c01Name} 整个小区 · 井下水位过高。屏蔽期间本小区此类异常不再告警，也不加入此事件；此事件本身仍需处理。`);
    await card.getByTestId('silence-submit').click();
    await expect.poll(() => notice(page), { timeout: 5000 }).toMatch(new RegExp(`^已屏蔽「${c01Name} 整个小区 · 井下水位过高」至 ${ZH_UNTIL}$`));
    await expect.poll(() => card.getByTestId('alert-silenced').textContent()).toMatch(new RegExp(`^已屏蔽至 ${ZH_UNTIL}$`));
    expect(await page.getByTestId('silence-form').count()).toBe(0);

    const { silences } = await getJson<{ silences: SilenceView[] }>(hub, '/api/silences?compound=c01', 'admin');
    // The reason is the incident's name (its count may have grown meanwhile).
    expect(silences.map((s) => ({ compound: s.compound, deviceKey: s.deviceKey, type: s.type, ruleId: s.ruleId, actor: s.actor }))).toEqual([
      { compound: 'c01', deviceKey: undefined, type: undefined, ruleId: 'manhole-water-high', actor: 'manager-c01' },
    ]);
    expect(silences[0]!.reason).toMatch(/^北区 \d+ 个井盖水位过高 · 疑似暴雨积水$/);
    const item = page.getByTestId('silence-item');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getByTestId('silence-what').textContent()).toBe(`${c01Name} 整个小区 · 井下水位过高`);
    await page.context().close();
  });

  it('the district’s overdue list says where it is as its card does: how many devices, in which compound', { timeout: 180_000 }, async () => {
    const page = await pageOf('street-ops', '/#/district');
    const incident = await theIncident();
    const item = page.locator(`[data-testid="overdue-item"][data-alert-id="${incident.id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => {
        const shown = await item.getByTestId('overdue-where').textContent();
        const expected = `${active((await openAlerts()).find((a) => a.id === incident.id)!).length} 台设备 · ${c01Name}`;
        return shown === expected ? 'as the card says' : `${shown} (expected ${expected})`;
      }, { timeout: 10_000 })
      .toBe('as the card says');
    expect(await item.getByTestId('overdue-where').textContent()).not.toMatch(/incident|water-zone|@/);
    await page.context().close();
  });
});
