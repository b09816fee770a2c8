/**
 * Names and origins (docs/access.md, "Host names and same-origin requests"), on a real hub:
 *
 * - DNS rebinding: a page under the attacker's name reaches the hub's address with
 *   `Host: rebind.evil.example`; its login is refused (421 HOST_NOT_ALLOWED) and its socket too,
 *   even when Origin and Host carry the same foreign name, while the dashboard works in Chromium
 *   under 127.0.0.1 and localhost.
 * - Forced logout from another port: a page served on another port of the same host sends
 *   `fetch(hub/api/auth/logout, {mode: 'no-cors', credentials: 'include'})` from real Chromium
 *   (the cookie goes along: SameSite ignores ports); the user is still logged in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/hub.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { forgetLogins, getJson, loginCookie, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { connectLive, handshakeOutcome } from '../helpers/live-client.ts';
import { connState, launchBrowser, logIn, newContext } from '../helpers/browser.ts';
import { freePort } from '../helpers/free-port.ts';

const EVIL = 'rebind.evil.example';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let port: number;
let browser: Browser;

/** An HTTP request to the hub with headers as given (Host included), as a rebinding page's browser would send it. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A socket.io handshake with these headers: 'connected', or the refusal. */
async function handshake(headers: Record<string, string>): Promise<string> {
  const outcome = await handshakeOutcome(`http://127.0.0.1:${port}`, headers);
  return outcome === 'connected' ? outcome : `refused: ${outcome}`;
}

beforeAll(async () => {
  dir = await tempDir('host-origin');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file });
  port = Number(new URL(hub.info.httpUrl).port);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await dir?.remove();
});

describe('DNS rebinding: the hub answers only to its own names', () => {
  const login = JSON.stringify({ username: 'root', password: TEST_PASSWORD });

  it('refuses a login under a foreign Host (421 HOST_NOT_ALLOWED), with or without a matching Origin', async () => {
    for (const origin of [{}, { origin: `http://${EVIL}:${port}` }] as Array<Record<string, string>>) {
      const res = await raw('POST', '/api/auth/login', { host: `${EVIL}:${port}`, 'content-type': 'application/json', ...origin }, login);
      expect(res.status).toBe(421);
      expect(JSON.parse(res.body).error).toBe('HOST_NOT_ALLOWED');
    }
    // Other routes and files too: nothing is answered under that name.
    for (const path of ['/', '/readyz', '/api/auth/me']) expect((await raw('GET', path, { host: EVIL })).status).toBe(421);
    // Under the hub's own names the same login works.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await raw('POST', '/api/auth/login', { host, 'content-type': 'application/json' }, login)).status).toBe(200);
    }
  });

  it('refuses the live socket when Origin and Host carry the same foreign name', async () => {
    const cookie = await loginCookie(hub, 'root');
    expect(await handshake({ cookie, host: `${EVIL}:${port}`, origin: `http://${EVIL}:${port}` })).toMatch(/^refused/);
    expect(await handshake({ cookie, host: EVIL, origin: `http://${EVIL}` })).toMatch(/^refused/);
    // The same session under the hub's own name connects.
    expect(await handshake({ cookie, host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe('connected');
    const live = await connectLive(hub, 'root');
    live.close();
  });

  it('the dashboard works in Chromium under 127.0.0.1 and under localhost', async () => {
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const context = await newContext(browser, 'desktop', origin);
      const page = await context.newPage();
      await logIn(page, 'zhao', TEST_PASSWORD);
      await page.goto('/#/compound/h1');
      await expect.poll(() => connState(page), { timeout: 10_000 }).toBe('online');
      await context.close();
    }
  });
});

describe('a page on another port of the same host cannot change anything', () => {
  let other: Server;
  let otherPort: number;

  beforeAll(async () => {
    otherPort = await freePort();
    // The other port's page sends what a cross-origin page may send without asking: no-cors requests with the user's cookie.
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>waiting</title><script>
        const hub = 'http://127.0.0.1:${port}';
        Promise.allSettled([
          fetch(hub + '/api/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
          fetch(hub + '/api/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}', headers: { 'content-type': 'text/plain' } }),
        ]).then(() => { document.title = 'sent'; });
      </script>`);
    });
    await new Promise<void>((resolve) => other.listen(otherPort, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => other.close(() => resolve())));

  it('a no-cors fetch of /api/auth/logout with the cookie leaves the user logged in; the dashboard logs out itself', async () => {
    const context = await newContext(browser, 'desktop', hub.info.httpUrl);
    const page = await context.newPage();
    await logIn(page, 'zhao', TEST_PASSWORD);
    await page.goto('/#/compound/h1');
    await expect.poll(() => connState(page), { timeout: 10_000 }).toBe('online');

    const attacker = await context.newPage();
    await attacker.goto(`http://127.0.0.1:${otherPort}/`);
    await attacker.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === 'sent');

    const me = await context.request.get(`${hub.info.httpUrl}/api/auth/me`);
    expect(me.status()).toBe(200);
    expect((await me.json()).user.id).toBe('zhao');
    expect(await connState(page)).toBe('online');

    // The hub's own page still logs out (Origin is the hub's).
    await page.getByTestId('logout').click();
    await page.getByTestId('login-username').waitFor();
    expect((await context.request.get(`${hub.info.httpUrl}/api/auth/me`)).status()).toBe(401);
    await context.close();
  });

  it('refuses a change whose Origin or Sec-Fetch-Site is not the hub (403 CROSS_ORIGIN); scripts sending JSON still work', async () => {
    const cookie = await loginCookie(hub, 'root');
    const host = `127.0.0.1:${port}`;
    const cases: Array<[Record<string, string>, number]> = [
      [{ origin: `http://127.0.0.1:${otherPort}` }, 403],
      [{ origin: 'null' }, 403],
      [{ 'sec-fetch-site': 'same-site' }, 403],
      [{ 'content-type': 'text/plain' }, 403],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 403],
    ];
    for (const [headers, status] of cases) {
      const res = await raw('POST', '/api/auth/logout', { host, cookie, ...headers }, headers['content-type'] ? 'x=1' : undefined);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      expect(JSON.parse(res.body).error).toBe('CROSS_ORIGIN');
    }
    expect((await raw('GET', '/api/auth/me', { host, cookie })).status).toBe(200);
    // The hub's own origin, and a script without Origin sending JSON (curl), may.
    expect((await raw('POST', '/api/auth/logout', { host, cookie, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(204);
    const again = await raw('POST', '/api/auth/login', { host, 'content-type': 'application/json' }, JSON.stringify({ username: 'root', password: TEST_PASSWORD }));
    expect(again.status).toBe(200);
  });
});

describe('refusals in the audit log', () => {
  interface Entry { actor: string; action: string; address?: string; target?: string; note?: string }
  const entries = async (action: string) => (await getJson<{ entries: Entry[] }>(hub, `/api/admin/audit?action=${action}&limit=100`)).entries;

  it('records refused hosts and cross-origin changes with the address, once per kind, channel and address a minute', async () => {
    // The tests above logged the admin's cached session out.
    forgetLogins(hub);
    await expect.poll(async () => (await entries('host_refused')).map((e) => e.target)).toEqual(expect.arrayContaining(['POST /api/auth/login', 'live socket']));
    const hosts = await entries('host_refused');
    // Many refusals above, one entry per channel: a scan cannot flood the log.
    expect(hosts).toHaveLength(2);
    for (const entry of hosts) expect(entry).toMatchObject({ actor: 'anonymous', address: '127.0.0.1', note: expect.stringContaining(`HOST_NOT_ALLOWED: ${EVIL}`) });
    const origins = await entries('cross_origin_refused');
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({ address: '127.0.0.1', target: 'POST /api/auth/logout', note: expect.stringMatching(/^CROSS_ORIGIN: Origin http:\/\/127\.0\.0\.1:\d+ is not this hub/) });
  });
});
