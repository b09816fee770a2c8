/**
 * One address cannot lock everyone out, and an account under attack is locked, told and
 * unlockable (issue 15, item 2). A real hub behind a trusted proxy (TRUST_PROXY=127.0.0.1: the
 * test is the proxy and names each client in X-Forwarded-For), as the docs recommend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, postJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';

let hub: Hub;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('lockout');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

async function login(username: string, password: string, from: string): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

interface Entry {
  actor: string;
  action: string;
  address?: string;
  target?: string;
  before?: any;
}

describe('lockout behind a reverse proxy', () => {
  it('an attacking address is throttled, operators behind the same proxy still log in', async () => {
    const attacker = '203.0.113.50';
    for (let i = 0; i < 40; i++) await login(`guess-${i}`, `wrong-${i}`, attacker);
    expect(await login('qian', TEST_PASSWORD, attacker)).toMatchObject({ status: 429, body: { scope: 'address' } });
    // The operators come through the same proxy, from their own addresses.
    expect((await login('qian', TEST_PASSWORD, '198.51.100.1')).status).toBe(200);
    expect((await login('wang', TEST_PASSWORD, '198.51.100.2')).status).toBe(200);
  });

  it('failures for one account from many addresses lock it, the user is told until when, an admin sees it and unlocks it', async () => {
    const before = Date.now();
    for (let i = 0; i < 5; i++) expect((await login('zhao', `wrong-${i}`, `192.0.2.${10 + i}`)).status).toBe(401);
    const locked = await login('zhao', TEST_PASSWORD, '198.51.100.3');
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ error: 'RATE_LIMITED', scope: 'account', params: { scope: 'account' } });
    expect(locked.body.lockedUntil).toBeGreaterThanOrEqual(before + 60_000);
    expect(locked.body.lockedUntil).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(locked.body.message).toMatch(/locked until \d{4}-\d\d-\d\dT/);
    expect(Number(locked.retryAfter)).toBe(locked.body.retryAfterSec);
    // Another account from the same addresses is not locked.
    expect((await login('li', TEST_PASSWORD, '192.0.2.10')).status).toBe(200);

    // The admin sees the lock in the users list.
    const { users } = await getJson<{ users: Array<{ id: string; lockedUntil?: number; failedLogins?: number }> }>(hub, '/api/admin/users');
    expect(users.find((u) => u.id === 'zhao')).toMatchObject({ lockedUntil: locked.body.lockedUntil, failedLogins: 5 });
    expect(users.find((u) => u.id === 'li')?.lockedUntil).toBeUndefined();

    // Only an admin may unlock; an unknown login is 404.
    expect((await postJson(hub, '/api/admin/users/zhao/unlock', {}, 'wang')).status).toBe(403);
    expect((await postJson(hub, '/api/admin/users/nobody-here/unlock', {})).status).toBe(404);
    const unlocked = await postJson(hub, '/api/admin/users/zhao/unlock', {});
    expect(unlocked.status).toBe(200);
    expect(((await unlocked.json()) as { user: { lockedUntil?: number } }).user.lockedUntil).toBeUndefined();
    expect((await login('zhao', TEST_PASSWORD, '198.51.100.3')).status).toBe(200);

    // Every failure, refusal, the lock and the unlock are in the audit log, with who and from where.
    const { entries } = await getJson<{ entries: Entry[] }>(hub, '/api/admin/audit?limit=500');
    const zhao = entries.filter((e) => e.actor === 'zhao' || e.target === 'user:zhao');
    expect(zhao.filter((e) => e.action === 'login_failed').map((e) => e.address).sort()).toEqual(['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14']);
    expect(zhao.find((e) => e.action === 'account_locked')).toMatchObject({ address: '192.0.2.14' });
    expect(zhao.find((e) => e.action === 'login_refused')).toMatchObject({ address: '198.51.100.3' });
    const unlock = zhao.find((e) => e.action === 'user_unlocked');
    expect(unlock).toMatchObject({ actor: 'root', address: '127.0.0.1', target: 'user:zhao' });
    expect(unlock?.before.lockedUntil).toBe(new Date(locked.body.lockedUntil).toISOString());
  });
});
