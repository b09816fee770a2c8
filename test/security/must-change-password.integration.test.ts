/**
 * A one-time password opens nothing but its own change (issue 15, item 5): the first-run admin of
 * a real hub process, logged in with the password its start banner printed, may only read who it
 * is, change the password and log out. Every other route, `/metrics` and the live socket are
 * refused with PASSWORD_CHANGE_REQUIRED until the password is changed; then all of them open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshakeOutcome } from '../helpers/live-client.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeFleetRegistry } from '../helpers/test-hub.ts';

let hub: HubProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('must-change');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  // No USERS_FILE: the first start makes `admin` with a generated password, printed once.
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, USERS_FILE: '', INFLUX_MANAGED: 'off' });
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

async function call(method: string, url: string, cookie: string, body?: object): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.info.httpUrl}${url}`, {
    method,
    headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** The handshake's outcome: `connected`, or the refusal's message. */
const socketOutcome = (cookie: string): Promise<string> => handshakeOutcome(hub.info.httpUrl, { cookie });

describe('a first-run admin with the printed one-time password', () => {
  it('may only change it (and read who it is, and log out); then everything opens', async () => {
    const password = /admin \(admin\)\s+password: (\S+)/.exec(hub.log())?.[1];
    expect(password, 'the banner prints the one-time password').toBeDefined();
    const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(true);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;

    expect((await call('GET', '/api/auth/me', cookie)).body.user).toMatchObject({ id: 'admin', mustChangePassword: true });
    const refused = [
      ['GET', '/api/alerts'],
      ['GET', '/api/compounds'],
      ['GET', '/metrics'],
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/audit'],
      ['POST', '/api/silences', { rule: 'any', minutes: 60, reason: 'x' }],
      ['POST', '/api/admin/users', { id: 'intruder', role: 'admin' }],
    ] as const;
    for (const [method, url, body] of refused) {
      const answer = await call(method, url, cookie, body);
      expect(answer.status, `${method} ${url}`).toBe(403);
      expect(answer.body.error, `${method} ${url}`).toBe('PASSWORD_CHANGE_REQUIRED');
    }
    expect(await socketOutcome(cookie)).toBe('PASSWORD_CHANGE_REQUIRED');

    expect((await call('POST', '/api/auth/password', cookie, { current: password, next: 'a-first-admin-pass-7' })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', cookie)).body.user.mustChangePassword).toBe(false);
    expect((await call('GET', '/api/alerts', cookie)).status).toBe(200);
    expect((await call('GET', '/metrics', cookie)).status).toBe(200);
    expect((await call('GET', '/api/admin/users', cookie)).status).toBe(200);
    expect(await socketOutcome(cookie)).toBe('connected');
    // The refusals are in the audit log, with the address.
    const { entries } = (await call('GET', '/api/admin/audit?action=access_refused&limit=50', cookie)).body as { entries: Array<{ actor: string; address?: string; target?: string }> };
    expect(entries.length).toBeGreaterThanOrEqual(refused.length);
    expect(entries.every((e) => e.actor === 'admin' && e.address === '127.0.0.1')).toBe(true);
    // Logging out was allowed all along.
    expect((await call('POST', '/api/auth/logout', cookie)).status).toBe(204);
  });
});
