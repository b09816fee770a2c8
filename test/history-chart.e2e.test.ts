/**
 * A device's history chart in the user's language (issue 11, point 10), in real Chromium
 * against a hub writing to a real influxd: fields by their names with units (倾角 (°), not
 * `tiltDeg`), the time series labelled 时间 / Time, the hovered point's date and time in the
 * user's locale (24-hour clock in zh-CN) and its value with its unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { getJson } from './helpers/test-hub.ts';
import { connState, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { startHistoryHub, type HistoryHub } from './helpers/history-hub.ts';

let fixture: HistoryHub;
let hub: Hub;
let browser: Browser;
let manhole: FleetDevice;

beforeAll(async () => {
  fixture = await startHistoryHub('chart', { elevator: 1, manhole: 1, fire_lane: 1, parking: 1 });
  ({ hub, browser, manhole } = fixture);
});
afterAll(() => fixture?.stop());

/** Opens the manhole's chart and hovers its middle: the legend's [time, value] texts. */
async function chartLegend(page: Page): Promise<{ labels: string[]; options: string[]; time: string; value: string }> {
  await page.locator(`[data-testid="device-row"][data-device-key="${manhole.key}"]`).click();
  const chart = page.getByTestId('history-chart');
  await chart.locator('.u-over').waitFor({ timeout: 10_000 });
  const box = (await chart.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const values = chart.locator('.u-legend .u-value');
  await expect.poll(async () => (await values.allTextContents())[0]).not.toMatch(/^(--|–)?$/);
  return {
    labels: await chart.locator('.u-legend .u-label').allTextContents(),
    options: await page.getByTestId('history-field').locator('option').allTextContents(),
    time: (await values.allTextContents())[0]!,
    value: (await values.allTextContents())[1]!,
  };
}

describe('history chart in Chromium', () => {
  it('names fields and time in the user’s language, dates in their locale, values with units', async () => {
    // Five readings over the last 50 minutes, stored.
    const now = Date.now();
    for (let i = 0; i < 5; i += 1) {
      await publishAs(hub.info.brokerUrl, manhole, 'telemetry', { ts: now - (4 - i) * 10 * 60_000, tiltDeg: 2 + i * 0.5, displaced: false, open: false, waterLevelCm: 30, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
    }
    const query = new URLSearchParams({ type: 'manhole', compound: 'h1', device: manhole.device, field: 'tiltDeg', from: String(now - 3_600_000) });
    await expect.poll(async () => (await getJson<{ points: unknown[] }>(hub, `/api/history/series?${query}`)).points?.length, { timeout: 15_000 }).toBe(5);
    const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(page, 'zhao', TEST_PASSWORD);
    await page.goto('/#/compound/h1');
    await expect.poll(() => connState(page)).toBe('online');

    const zh = await chartLegend(page);
    expect(zh.options).toEqual(expect.arrayContaining(['倾角 (°)', '水位 (cm)', '电量 (%)', '移位']));
    expect(zh.options.join(' ')).not.toMatch(/tiltDeg|waterLevelCm|batteryPct|displaced/);
    expect(zh.labels).toEqual(['时间', '倾角 (°)']);
    // zh-CN, 24-hour clock: 2025/6/3 14:05:09.
    expect(zh.time).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2} ([01]\d|2[0-3]):\d{2}:\d{2}$/);
    expect(zh.value).toMatch(/^\d+(\.\d+)?°$/);

    await page.getByTestId('lang-switch').click();
    const en = await chartLegend(page);
    expect(en.options).toEqual(expect.arrayContaining(['Tilt (°)', 'Water level (cm)', 'Battery (%)']));
    expect(en.labels).toEqual(['Time', 'Tilt (°)']);
    // No English among the browser's languages: British English, 03/06/2025, 14:05:09.
    expect(en.time).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}$/);
    expect(en.value).toMatch(/^\d+(\.\d+)?°$/);
    await page.context().close();
  });
});
