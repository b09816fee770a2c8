/**
 * The district overview's figures are the API's (issue 11, points 5 and 7), in real Chromium:
 * after alerts are raised, one accepted after a known delay and one left past its deadline,
 * the numbers on screen match GET /api/alerts/stats and /api/compounds fetched with the same
 * login — alerts, mean time to accept (seconds, formatted), SLA kept with what it counts,
 * open and overdue, each compound's devices online — and the overdue alert is listed with
 * its compound, device, how late and who holds it, by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import type { CompoundSummary } from '../src/contracts/live-events.ts';
import type { StatsAnswer } from '../src/contracts/api.ts';
import { DASHBOARDS_DIST } from '../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { sleep, tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { writeNamedUsers } from './helpers/named-users.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];
const find = (compound: string, type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === compound && d.type === type)[n]!;
const publish = (device: FleetDevice, kind: 'telemetry' | 'event', payload: object) => publishAs(hub.info.brokerUrl, device, kind, payload);
const manholeReading = (over: object) => ({ tiltDeg: 1, displaced: false, open: false, waterLevelCm: 20, gasPpm: 0, h2sPpm: 0, batteryPct: 80, ...over });

/** 12 秒 / 3 分钟: what the dashboard writes for a time in seconds (zh-CN). */
function zhDuration(sec: number): string {
  const s = Math.round(sec);
  if (s < 60) return `${s} 秒`;
  if (s < 3600) return `${Math.round(s / 60)} 分钟`;
  return `${Math.round(s / 360) / 10} 小时`;
}
const zhPercent = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

async function waitForAlert(compound: string, rule: string): Promise<{ id: string }> {
  let found: { id: string } | undefined;
  await expect
    .poll(async () => {
      const { alerts } = await getJson<{ alerts: Array<{ id: string; ruleId: string }> }>(hub, `/api/alerts?compound=${compound}&open=true`);
      found = alerts.find((a) => a.ruleId === rule);
      return Boolean(found);
    }, { timeout: 10_000 })
    .toBe(true);
  return found!;
}

beforeAll(async () => {
  expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
  dir = await tempDir('district');
  // Hourly reports: no device is taken for offline during the test; those that report are online.
  devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 2, manhole: 2, fire_lane: 1, parking: 1 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  const registry = path.join(dir.path, 'registry.json');
  await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
  const alertsFile = path.join(dir.path, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({
    grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }],
    // Minor alerts are due within 3 s, so one is missed during the test.
    sla: { critical: { acceptMin: 5, resolveMin: 30 }, major: { acceptMin: 15, resolveMin: 240 }, minor: { acceptMin: 0.05, resolveMin: 0.2 }, info: { acceptMin: 240, resolveMin: 4320 } },
  }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, USERS_FILE: await writeNamedUsers() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

const figure = (page: Page, name: string, part: 'figure-value' | 'figure-detail' = 'figure-value') =>
  page.locator(`[data-testid="stats-figure"][data-figure="${name}"] [data-testid="${part}"]`).textContent();

describe('district overview in Chromium', () => {
  it('shows the figures the API gives, saying what they count, and the overdue alert by name', { timeout: 90_000 }, async () => {
    // Kept: a major alert in h1, accepted after a known delay and resolved (both in time).
    await publish(find('h1', 'manhole'), 'telemetry', manholeReading({ waterLevelCm: 180 }));
    const kept = await waitForAlert('h1', 'manhole-water-high');
    await sleep(2500);
    expect((await postJson(hub, `/api/alerts/${kept.id}/accept`, {}, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${kept.id}/resolve`, { note: '已抽水' }, 'wang')).status).toBe(200);
    // Missed: a minor alert in h2 nobody accepts within its 3 s.
    await publish(find('h2', 'manhole'), 'telemetry', manholeReading({ batteryPct: 5 }));
    const late = await waitForAlert('h2', 'manhole-battery-low');
    // Open and within its deadline: counted as an alert, not yet for the SLA.
    await publish(find('h1', 'elevator'), 'event', { event: 'trapped' });
    await waitForAlert('h1', 'elevator-trapped');
    await expect.poll(async () => (await getJson<StatsAnswer>(hub, '/api/alerts/stats')).overall.openOverdue, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);

    const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(page, 'sun', TEST_PASSWORD);
    expect(page.url()).toMatch(/#\/district$/);
    await page.locator('[data-testid="stats-figure"][data-figure="sla"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="compound-row"]').first().waitFor();

    // The same login's answers, fetched by the page.
    const api = await page.evaluate(async () => {
      const get = async (url: string) => (await fetch(url, { credentials: 'same-origin' })).json();
      return { stats: await get('/api/alerts/stats'), compounds: await get('/api/compounds') };
    });
    const overall = (api.stats as StatsAnswer).overall;
    expect(overall.alerts).toBe(3);
    expect(overall.timeToAccept.mean).toBeGreaterThanOrEqual(2);
    expect(overall.slaCounted).toBeGreaterThanOrEqual(2);
    expect(overall.slaMissed).toBeGreaterThanOrEqual(1);

    expect(await figure(page, 'alerts')).toBe(String(overall.alerts));
    const mtta = await figure(page, 'mtta');
    expect(mtta).toBe(zhDuration(overall.timeToAccept.mean!));
    expect(mtta).not.toBe('0 秒');
    expect(await figure(page, 'sla')).toBe(zhPercent(overall.slaKept));
    expect(await figure(page, 'sla', 'figure-detail')).toBe(`已到期 ${overall.slaCounted} 条中 ${overall.slaMissed} 条超时`);
    expect(await figure(page, 'open-overdue')).toBe(String(overall.openOverdue));

    for (const c of (api.compounds as { compounds: CompoundSummary[] }).compounds) {
      const online = page.locator(`[data-testid="compound-row"][data-compound="${c.id}"] [data-testid="compound-online"]`);
      await expect.poll(() => online.textContent()).toBe(`${zhPercent(c.online / c.deviceCount)}（${c.online}/${c.deviceCount} 台）`);
      expect(c.online).toBe(c.id === 'h1' ? 2 : 1);
    }

    // The overdue alert: first-class in the list, counted in the tiles, by name.
    const item = page.locator(`[data-testid="overdue-item"][data-alert-id="${late.id}"]`);
    await item.waitFor({ timeout: 5000 });
    const compoundName = (api.compounds as { compounds: CompoundSummary[] }).compounds.find((c) => c.id === 'h2')!.name;
    await expect.poll(() => item.getByTestId('overdue-where').textContent()).toBe(`${compoundName} · ${find('h2', 'manhole').name}`);
    expect(await item.getByTestId('overdue-late').textContent()).toMatch(/^接单已超时 \d+ (秒|分钟)$/);
    // Held by 李强 (the grid's only worker: escalated or not, it is with him).
    await expect.poll(() => item.getByTestId('overdue-holder').textContent()).toMatch(/^(处理人 李强|已升级 \d+ 次，现由 李强 处理)$/);
    expect(await page.locator(`[data-testid="overdue-item"][data-alert-id="${kept.id}"]`).count()).toBe(0);
    const listed = await page.locator('[data-testid="overdue-item"]').count();
    expect(await figure(page, 'late-now')).toBe(String(listed));
    await page.context().close();
  });
});
