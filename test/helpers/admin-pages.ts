/**
 * The setup of the administration pages' browser tests: built dashboards, a hub of h1/h2 with grids
 * g1/g2 (gridHubSettings) in a temp dir, Chromium, and pages logged in as a test user; all stopped
 * after the file's tests.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/hub.ts';
import { DASHBOARDS_DIST } from '../../src/api/dashboards.routes.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from './temp-dir.ts';
import { gridHubSettings, startTestHub } from './test-hub.ts';
import { launchBrowser, logIn, newContext } from './browser.ts';

export interface AdminPagesSuite {
  /** The running hub (from the file's beforeAll on). */
  readonly hub: Hub;
  /** A new browser context logged in as `user`. */
  page(user: string, kind?: 'desktop' | 'phone'): Promise<Page>;
}

/** Registers the file's beforeAll/afterAll; `name` names its temp dir. */
export function adminPagesSuite(name: string): AdminPagesSuite {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let hub: Hub | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    expect(existsSync(`${DASHBOARDS_DIST}/index.html`), 'dashboards not built: run npm run build (npm test does)').toBe(true);
    dir = await tempDir(name);
    hub = await startTestHub((await gridHubSettings(dir.path)).env);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await dir?.remove();
  });
  return {
    get hub() {
      if (!hub) throw new Error('the hub starts in beforeAll');
      return hub;
    },
    async page(user, kind = 'desktop') {
      const context = await newContext(browser!, kind, this.hub.info.httpUrl);
      const p = await context.newPage();
      await logIn(p, user, TEST_PASSWORD);
      return p;
    },
  };
}

/** The data-testid of the element that has the focus (its tag name when it has none). */
export const focusedTestId = (p: Page): Promise<string | undefined> =>
  p.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid ?? (globalThis as any).document.activeElement?.tagName);

/** A user the page is not for: no `nav-{page}` link, and `#/admin/{page}` moves away without mounting `mounted`. */
export async function expectNoAdminPage(p: Page, pageName: string, mounted: string): Promise<void> {
  expect(await p.getByTestId('nav-devices').count()).toBe(1);
  expect(await p.getByTestId(`nav-${pageName}`).count()).toBe(0);
  await p.goto(`/#/admin/${pageName}`);
  await expect.poll(() => new URL(p.url()).hash).not.toBe(`#/admin/${pageName}`);
  expect(await p.getByTestId(mounted).count()).toBe(0);
}
