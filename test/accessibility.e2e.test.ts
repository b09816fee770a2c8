/**
 * Every view passes an automated accessibility check (axe-core, WCAG 2.1 A/AA) in real
 * Chromium — the login page, the compound view, the worker's phone view, the district overview,
 * the alert desk, the account page and the administration pages — and logs no console error. The shell's keyboard and screen
 * reader parts: a skip link is the first stop of the keyboard and moves focus to the view; a new
 * critical alert is said at once through an assertive live region; the favicon is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../src/hub.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { gridHubSettings, startTestHub } from './helpers/test-hub.ts';
import { launchBrowser, logIn, newContext } from './helpers/browser.ts';
import { publishAs } from './helpers/device-publish.ts';
import { axeViolations, describeViolations } from './helpers/axe.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let browser: Browser;
let devices: FleetDevice[];

beforeAll(async () => {
  dir = await tempDir('a11y');
  const settings = await gridHubSettings(dir.path);
  devices = settings.devices;
  hub = await startTestHub(settings.env);
  browser = await launchBrowser();
  // Something on every view: a major alert (the badge whose contrast was too low) and a critical one.
  const elevator = devices.find((d) => d.compound === 'h1' && d.type === 'elevator')!;
  await publishAs(hub.info.brokerUrl, elevator, 'event', { event: 'alarm_button' });
  await publishAs(hub.info.brokerUrl, devices.find((d) => d.compound === 'h1' && d.type === 'manhole')!, 'telemetry', { tiltDeg: 1, gasPpm: 5000 });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

/** Opens `path` as `user` and waits for the view to be live (or, for pages without a socket, shown). */
async function open(user: string, path: string, kind: 'desktop' | 'phone' = 'desktop'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await newContext(browser, kind, hub.info.httpUrl);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await logIn(page, user, TEST_PASSWORD);
  await page.goto(path);
  // Administration and the account page hold no live socket.
  if (!path.startsWith('/#/admin') && path !== '/#/account') await expect.poll(() => page.getByTestId('conn-status').getAttribute('data-state')).toBe('online');
  await page.waitForLoadState('networkidle');
  return { page, errors, close: () => context.close() };
}

describe('accessibility of every view', () => {
  it('the login page has no violations and no console error', async () => {
    const context = await newContext(browser, 'phone', hub.info.httpUrl);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto('/#/login');
    await page.getByTestId('login-username').waitFor();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  const views: Array<[string, string, 'desktop' | 'phone']> = [
    ['zhao', '/#/compound/h1', 'desktop'],
    ['zhao', '/#/compound/h1', 'phone'],
    ['wang', '/#/worker', 'phone'],
    ['root', '/#/district', 'desktop'],
    ['root', '/#/admin/users', 'desktop'],
    ['root', '/#/admin/devices', 'desktop'],
    ['root', '/#/admin/audit', 'desktop'],
    ['root', '/#/admin/places', 'desktop'],
    ['root', '/#/admin/places', 'phone'],
    ['root', '/#/admin/northbound', 'desktop'],
    ['root', '/#/admin/northbound', 'phone'],
    ['zhao', '/#/desk', 'desktop'],
    ['zhao', '/#/desk', 'phone'],
    ['zhao', '/#/account', 'phone'],
  ];
  for (const [user, path, kind] of views) {
    it(`${path} as ${user} (${kind}) has no violations and no console error`, async () => {
      const view = await open(user, path, kind);
      const violations = await axeViolations(view.page);
      expect(violations, describeViolations(violations)).toEqual([]);
      expect(view.errors).toEqual([]);
      await view.close();
    });
  }
});

describe('the shell for keyboard and screen reader', () => {
  it('starts the keyboard on a skip link that moves focus past the top bar to the view', async () => {
    const view = await open('zhao', '/#/compound/h1');
    await view.page.keyboard.press('Tab');
    expect(await view.page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid)).toBe('skip-link');
    await expect.poll(() => view.page.getByTestId('skip-link').isVisible()).toBe(true);
    await view.page.keyboard.press('Enter');
    expect(await view.page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('main');
    await view.close();
  });

  it('says a new critical alert at once through an assertive live region', async () => {
    const view = await open('zhao', '/#/compound/h1');
    const region = view.page.getByTestId('announcer');
    expect(await region.getAttribute('aria-live')).toBe('assertive');
    expect(await region.textContent()).toBe('');
    const elevator = devices.filter((d) => d.compound === 'h1' && d.type === 'elevator')[1]!;
    await publishAs(hub.info.brokerUrl, elevator, 'event', { event: 'trapped' });
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toMatch(/^紧急告警：.+ · /);
    await view.close();
  });

  it('says a new critical alert once on the district view, in the shell\'s words', async () => {
    const view = await open('root', '/#/district');
    const region = view.page.getByTestId('announcer');
    // Every text the region is given, as written (clearing it adds no node and is not counted).
    await view.page.evaluate(() => {
      const g = globalThis as any;
      g.__said = [] as string[];
      new g.MutationObserver((records: any[]) => {
        for (const r of records) for (const n of r.addedNodes) g.__said.push(n.textContent);
      }).observe(g.document.querySelector('[data-testid="announcer"]'), { childList: true, characterData: true, subtree: true });
    });
    const elevator = devices.find((d) => d.compound === 'h2' && d.type === 'elevator')!;
    await publishAs(hub.info.brokerUrl, elevator, 'event', { event: 'trapped' });
    await expect.poll(() => view.page.evaluate(() => (globalThis as any).__said.length), { timeout: 10_000 }).toBeGreaterThan(0);
    // Two frames more: a second announcement of the same batch would have been written by then.
    await view.page.evaluate(() => new Promise((done) => { const g = globalThis as any; g.requestAnimationFrame(() => g.requestAnimationFrame(done)); }));
    const said: string[] = await view.page.evaluate(() => (globalThis as any).__said);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^紧急告警：.+ · /);
    expect(await region.textContent()).toBe(said[0]);
    expect(view.errors).toEqual([]);
    await view.close();
  });

  it('serves the favicon the page links', async () => {
    const res = await fetch(`${hub.info.httpUrl}/icons/icon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });
});
