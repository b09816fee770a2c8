/**
 * Headers and files (docs/access.md, "Security headers"; docs/reliability.md), on a real hub
 * process (the demo, with the managed influxd) started on a DATA_DIR that does not exist yet:
 *
 * - a Content-Security-Policy of 'self' only (no `https:`, no inline styles), under which the
 *   dashboards render in Chromium with no violation; a Permissions-Policy that lets the hub's own
 *   pages ask for the location (the worker check-in) and nothing of camera, microphone …;
 * - `Cache-Control: no-store` on every `/api` answer (200, 401, 404) and on health;
 * - a public `/readyz` without the broker and storage addresses, which an admin session sees;
 * - DATA_DIR created 0700, and nothing in it (database, spool, fleet key, hub.json, influxd data)
 *   readable by anyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { connState, launchBrowser, logIn, newContext } from '../helpers/browser.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;
let hub: HubProcess;
let browser: Browser;
let adminCookie: string;

async function login(username: string): Promise<string> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

/** Every file and directory under `root`, with its permission bits. */
async function modes(root: string): Promise<Array<{ file: string; mode: number; dir: boolean }>> {
  const out: Array<{ file: string; mode: number; dir: boolean }> = [];
  const walk = async (at: string) => {
    const stat = await lstat(at);
    out.push({ file: path.relative(dataDir, at) || '.', mode: stat.mode & 0o777, dir: stat.isDirectory() });
    if (stat.isDirectory()) for (const name of await readdir(at)) await walk(path.join(at, name));
  };
  await walk(root);
  return out;
}

beforeAll(async () => {
  dir = await tempDir('headers-files');
  dataDir = path.join(dir.path, 'not-yet', 'data');
  hub = await startHubProcess({ DATA_DIR: dataDir, DEMO: 'on', USERS_FILE: '', DEMO_INTERVAL: '2s' });
  for (let i = 0; i < 300 && !hub.log().includes('Ctrl-C, or kill -TERM'); i++) await new Promise((r) => setTimeout(r, 100));
  adminCookie = await login('admin');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('headers', () => {
  it("sends a Content-Security-Policy of 'self' only, and a Permissions-Policy", async () => {
    const res = await fetch(`${hub.info.httpUrl}/`);
    const csp = res.headers.get('content-security-policy')!;
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(csp).not.toMatch(/https:|unsafe-inline|unsafe-eval/);
    const policy = res.headers.get('permissions-policy')!;
    expect(policy).toContain('geolocation=(self)');
    for (const feature of ['camera', 'microphone', 'display-capture', 'payment', 'usb']) expect(policy).toContain(`${feature}=()`);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers every /api request (and health) with Cache-Control: no-store', async () => {
    const answers = [
      await fetch(`${hub.info.httpUrl}/api/auth/me`),
      await fetch(`${hub.info.httpUrl}/api/auth/me`, { headers: { cookie: adminCookie } }),
      await fetch(`${hub.info.httpUrl}/api/devices`, { headers: { cookie: adminCookie } }),
      await fetch(`${hub.info.httpUrl}/api/no-such-route`, { headers: { cookie: adminCookie } }),
      await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"wrong-password"}' }),
      await fetch(`${hub.info.httpUrl}/readyz`),
      await fetch(`${hub.info.httpUrl}/healthz`),
    ];
    expect(answers.map((r) => r.status)).toEqual([401, 200, 200, 404, 401, 200, 200]);
    for (const res of answers) expect(res.headers.get('cache-control'), res.url).toBe('no-store');
  });

  it('tells anyone on /readyz whether the hub is ready, and only an admin the broker and storage addresses', async () => {
    const anonymous = (await (await fetch(`${hub.info.httpUrl}/readyz`)).json()) as any;
    expect(anonymous).toMatchObject({ ready: expect.any(Boolean), broker: { connected: true }, storage: { mode: 'influxdb' } });
    expect(anonymous.broker.url).toBeUndefined();
    expect(anonymous.storage.url).toBeUndefined();
    expect(JSON.stringify(anonymous)).not.toMatch(/mqtt:\/\/|http:\/\/|127\.0\.0\.1/);
    const manager = (await (await fetch(`${hub.info.httpUrl}/readyz`, { headers: { cookie: await login('manager-c01') } })).json()) as any;
    expect(manager.storage.url).toBeUndefined();
    const admin = (await (await fetch(`${hub.info.httpUrl}/readyz`, { headers: { cookie: adminCookie } })).json()) as any;
    expect(admin.broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(admin.storage.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  });

  it('the dashboards render under that policy in Chromium, with no violation; the worker app may ask for the location', async () => {
    const visits: Array<{ user: string; kind: 'desktop' | 'phone'; hash: string; ready: (page: Page) => Promise<unknown> }> = [
      { user: 'manager-c01', kind: 'desktop', hash: '#/compound/c01', ready: (p) => p.locator('[data-testid="device-row"]').first().waitFor() },
      { user: 'street-ops', kind: 'desktop', hash: '#/district', ready: (p) => expect.poll(() => connState(p)).toBe('online') },
      { user: 'admin', kind: 'desktop', hash: '#/admin/users', ready: (p) => p.getByText('wang-fang').first().waitFor() },
      { user: 'wang-fang', kind: 'phone', hash: '#/worker', ready: (p) => expect.poll(() => connState(p)).toBe('online') },
    ];
    for (const visit of visits) {
      const context = await newContext(browser, visit.kind, hub.info.httpUrl);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Permissions-Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      await page.addInitScript(() => {
        const w = globalThis as unknown as { addEventListener(n: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void; cspViolations: string[] };
        w.cspViolations = [];
        w.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await logIn(page, visit.user, DEMO_PASSWORD);
      await page.goto(`/${visit.hash}`);
      await visit.ready(page);
      // Styles applied: the top bar is laid out by the stylesheet, not the browser's defaults.
      expect(await page.evaluate(`getComputedStyle(document.body).margin`)).toBe('0px');
      violations.push(...((await page.evaluate('cspViolations')) as string[]));
      expect(violations, `${visit.user} ${visit.hash}`).toEqual([]);
      if (visit.kind === 'phone') {
        expect(await page.evaluate(`document.featurePolicy.allowsFeature('geolocation')`)).toBe(true);
        expect(await page.evaluate(`document.featurePolicy.allowsFeature('camera')`)).toBe(false);
      }
      await context.close();
    }
  });
});

describe('files', () => {
  it('creates DATA_DIR 0700 and nothing in it is readable by others (database, spool, fleet key, hub.json, influxd data)', async () => {
    const all = await modes(dataDir);
    const names = all.map((m) => m.file);
    for (const expected of ['hub.db', 'hub.json', 'demo/fleet-key', 'spool']) expect(names, expected).toContain(expected);
    expect(names.some((n) => n.startsWith('influxdb'))).toBe(true);
    expect(all.find((m) => m.file === '.')!.mode).toBe(0o700);
    const open = all.filter((m) => (m.mode & 0o077) !== 0).map((m) => `${m.file} ${m.mode.toString(8)}`);
    expect(open).toEqual([]);
    for (const file of ['hub.db', 'hub.json', 'demo/fleet-key']) expect(all.find((m) => m.file === file)!.mode, file).toBe(0o600);
  });
});
