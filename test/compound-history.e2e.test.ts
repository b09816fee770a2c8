/**
 * A device's history in the compound view (issue 16), in real Chromium against a hub writing to
 * a real influxd: two fields at once by their names with units, the device's alert marked on the
 * time axis and listed with its time, select-to-zoom and its reset, and the absolute span shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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
  fixture = await startHistoryHub('compound-history', { elevator: 1, manhole: 1, fire_lane: 0, parking: 0 });
  ({ hub, browser, manhole } = fixture);
});
afterAll(() => fixture?.stop());

describe('compound history in Chromium', () => {
  it('draws two fields with names and units, marks the alert on the time axis, zooms and resets, with absolute times', async () => {
    const now = Date.now();
    // Five readings over the last 40 minutes; the water rises past 150 cm in the last one (an alert).
    for (let i = 0; i < 5; i += 1) {
      await publishAs(hub.info.brokerUrl, manhole, 'telemetry', { ts: now - (4 - i) * 10 * 60_000, tiltDeg: 2 + i * 0.5, displaced: false, open: false, waterLevelCm: i === 4 ? 180 : 40 + i * 10, gasPpm: 0, h2sPpm: 0, batteryPct: 80 });
    }
    const query = new URLSearchParams({ type: 'manhole', compound: 'h1', device: manhole.device, field: 'waterLevelCm', from: String(now - 3_600_000) });
    await expect.poll(async () => (await getJson<{ points: unknown[] }>(hub, `/api/history/series?${query}`)).points?.length, { timeout: 15_000 }).toBe(5);
    await expect.poll(async () => (await getJson<{ alerts: Array<{ ruleId: string }> }>(hub, '/api/alerts?compound=h1')).alerts.map((a) => a.ruleId)).toEqual(['manhole-water-high']);

    const page = await (await newContext(browser, 'desktop', hub.info.httpUrl)).newPage();
    await logIn(page, 'zhao', TEST_PASSWORD);
    await page.goto('/#/compound/h1');
    await expect.poll(() => connState(page)).toBe('online');
    await page.locator(`[data-testid="device-row"][data-device-key="${manhole.key}"]`).click();
    const chart = page.getByTestId('history-chart');
    await chart.locator('.u-over').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="history-extra"][data-field="waterLevelCm"]').check();
    await expect.poll(() => chart.getAttribute('data-series')).toBe('2');
    await chart.locator('.u-over').waitFor();
    expect(await chart.locator('.u-legend .u-label').allTextContents()).toEqual(['时间', '倾角 (°)', '水位 (cm)']);
    expect(await chart.getAttribute('data-alert-marks')).toBe('1');
    expect(await page.getByTestId('history-alert').allTextContents()).toEqual([expect.stringMatching(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} 井下水位过高$/)]);
    // Absolute times: the span from the first reading to the alert, dates and seconds.
    expect(await page.getByTestId('history-span').textContent()).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} 至 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    // The values of both fields with their units in the legend.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await expect.poll(async () => (await chart.locator('.u-legend .u-value').allTextContents()).slice(1)).toEqual([expect.stringMatching(/°$/), expect.stringMatching(/ cm$/)]);

    // Select to zoom, then reset.
    const spanBefore = await page.getByTestId('history-span').textContent();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => chart.getAttribute('data-zoomed')).toBe('true');
    expect(await page.getByTestId('history-span').textContent()).not.toBe(spanBefore);
    await page.getByTestId('history-zoom-reset').click();
    await expect.poll(() => chart.getAttribute('data-zoomed')).toBe('false');
    expect(await page.getByTestId('history-span').textContent()).toBe(spanBefore);
    await page.context().close();
  });
});
