/**
 * A login survives a restart of the hub (a phone stays logged in): the real hub in-process,
 * started twice on the same DATA_DIR. A logout before the restart stays logged out; the database
 * keeps token digests only; a login an admin disables is logged out at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../src/hub.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { tempDir } from './helpers/temp-dir.ts';

const hubs: Hub[] = [];
const dirs: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  for (const remove of dirs.splice(0)) await remove();
});

async function login(hub: Hub, username: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  return { cookie, token: cookie.slice(cookie.indexOf('=') + 1) };
}

async function me(hub: Hub, cookie: string): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/me`, { headers: { cookie } });
  const body = (await res.json()) as { user?: { id: string } };
  return { status: res.status, ...(res.status === 200 ? { id: body.user?.id } : {}) };
}

describe('sessions across a hub restart', () => {
  it('the same cookie still works after a restart; a logout before it stays logged out; a disabled login is logged out at once', async () => {
    const dir = await tempDir('sessions-restart');
    dirs.push(dir.remove);
    const { file: registryFile } = await writeFleetRegistry(dir.path);
    const env = { DATA_DIR: path.join(dir.path, 'data'), REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off' };

    const first = await startTestHub(env);
    hubs.push(first);
    const root = await login(first, 'root');
    const wang = await login(first, 'wang');
    const li = await login(first, 'li');
    expect(await me(first, root.cookie)).toEqual({ status: 200, id: 'root' });
    const logout = await fetch(`${first.info.httpUrl}/api/auth/logout`, { method: 'POST', headers: { cookie: wang.cookie } });
    expect(logout.status).toBe(204);
    expect((await me(first, wang.cookie)).status).toBe(401);
    await hubs.pop()!.stop();

    // Kept in the database: the digests only, never a token.
    const files = (await readdir(env.DATA_DIR)).filter((f) => f.startsWith('hub.db'));
    expect(files).toContain('hub.db');
    const bytes = (await Promise.all(files.map((f) => readFile(path.join(env.DATA_DIR, f))))).map((b) => b.toString('latin1')).join('');
    for (const token of [root.token, wang.token, li.token]) expect(bytes).not.toContain(token);

    // Restarted on the same data dir.
    const second = await startTestHub(env);
    hubs.push(second);
    expect(second.info.httpUrl).not.toBe(first.info.httpUrl); // a new server, not the old one
    expect(await me(second, root.cookie)).toEqual({ status: 200, id: 'root' });
    expect(await me(second, li.cookie)).toEqual({ status: 200, id: 'li' });
    expect((await me(second, wang.cookie)).status).toBe(401);
    // A leaver's login disabled by an admin: logged out at once, and cannot log in again.
    const disabled = await fetch(`${second.info.httpUrl}/api/admin/users/li`, {
      method: 'PATCH',
      headers: { cookie: root.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(disabled.status).toBe(200);
    expect((await me(second, li.cookie)).status).toBe(401);
    const again = await fetch(`${second.info.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'li', password: TEST_PASSWORD }),
    });
    expect(again.status).toBe(401);
    // And the restored session goes on as before: its logout holds too.
    await fetch(`${second.info.httpUrl}/api/auth/logout`, { method: 'POST', headers: { cookie: root.cookie } });
    expect((await me(second, root.cookie)).status).toBe(401);
  });
});
