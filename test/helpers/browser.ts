/**
 * Real headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by
 * playwright-core, for dashboard tests.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A phone-sized context (a grid worker's phone) or a desktop one, in China's time zone; `extra`: more options (geolocation, permissions). */
export async function newContext(browser: Browser, kind: 'phone' | 'desktop', baseURL: string, extra: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    ...extra,
    baseURL,
    locale: 'zh-CN',
    // China's unless a test asks for another (a browser west of UTC+8).
    timezoneId: extra.timezoneId ?? 'Asia/Shanghai',
    ...(kind === 'phone'
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1366, height: 900 } }),
  });
}

/** Logs in through the dashboard's form (`origin`: the hub's, for a context made without a baseURL). */
export async function logIn(page: Page, username: string, password: string, origin = ''): Promise<void> {
  await page.goto(`${origin}/#/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
}

/** The live-connection light of a dashboard page: 'online', 'offline', or null when no view is shown (login page). */
export function connState(page: Page): Promise<string | null> {
  return page.evaluate(`document.querySelector('[data-testid="conn-status"]')?.getAttribute('data-state') ?? null`) as Promise<string | null>;
}

/**
 * After its hub went away and came back, where a page is: 'online' (its view is live again),
 * 'login' (its login ended: on the login page with the notice). Waits until it is one of them.
 */
export async function liveOrLogin(page: Page, timeoutMs = 45_000): Promise<'online' | 'login'> {
  const handle = await page.waitForFunction(
    () => {
      // Runs in the page (no DOM types in the test build).
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
      if (doc.querySelector('[data-testid="login-notice"]')) return 'login';
      return doc.querySelector('[data-testid="conn-status"]')?.getAttribute('data-state') === 'online' ? 'online' : false;
    },
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
  return (await handle.jsonValue()) as 'online' | 'login';
}
