/**
 * A real headless Chromium whose tabs really go to the background (`document.visibilityState`
 * 'hidden' when another tab is in front), for what an app does while the phone shows something
 * else. Playwright keeps every page it makes "focused" (focus emulation holds them visible), so
 * this browser is started here with a DevTools port and attached to with `connectOverCDP`'s
 * `noDefaults`, which leaves the pages of its default context as a browser has them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM } from './browser.ts';
import { tempDir } from './temp-dir.ts';

export interface TabbedBrowser {
  browser: Browser;
  /** The default context (no baseURL, time zone or locale of its own: pass full URLs). */
  context: BrowserContext;
  close(): Promise<void>;
}

function devtoolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const url = /DevTools listening on (ws:\/\/\S+)/.exec(seen)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}) before it listened: ${seen.slice(-500)}`)));
  });
}

export async function launchTabbedBrowser(): Promise<TabbedBrowser> {
  const profile = await tempDir('chromium-profile');
  const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile.path}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await profile.remove();
  };
  try {
    const browser = await chromium.connectOverCDP(await devtoolsUrl(child), { noDefaults: true, isLocal: true });
    return {
      browser,
      context: browser.contexts()[0]!,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
