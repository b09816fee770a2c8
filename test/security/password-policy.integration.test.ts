/**
 * Weak passwords are refused (issue 15, item 6): on a real hub, a worker `li-qiang` tries the five
 * passwords the review found accepted, and longer variants of them, as a new password; each is
 * refused with 400 PASSWORD_WEAK, a message saying why and the reason for the dashboards. A
 * password of their own making is taken. The one-time passwords an admin creates and resets pass
 * the same policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';
import { passwordProblem } from '../../src/auth/password-policy.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { HUB_TEST_USERS, postJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';

let hub: Hub;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('password-policy');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  const users = await writeUsersFile([...HUB_TEST_USERS, { id: 'li-qiang', role: 'worker', password: TEST_PASSWORD }]);
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, USERS_FILE: users });
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

async function login(username: string, password: string): Promise<{ status: number; cookie: string }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, cookie: res.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}

async function change(cookie: string, current: string, next: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/password`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ current, next }) });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

describe('the password policy over HTTP', () => {
  it('refuses the five weak passwords and their longer variants with reasons; takes a good one', async () => {
    const { cookie } = await login('li-qiang', TEST_PASSWORD);
    const refused: Array<[string, string, RegExp]> = [
      [' '.repeat(10), 'too_short', /at least 12 characters/],
      ['aaaaaaaaaa', 'too_short', /at least 12 characters/],
      ['1234567890', 'too_short', /at least 12 characters/],
      ['password12', 'too_short', /at least 12 characters/],
      ['li-qiang123', 'too_short', /at least 12 characters/],
      [' '.repeat(12), 'repetitive', /repeated/],
      ['aaaaaaaaaaaa', 'repetitive', /repeated/],
      ['123456789012', 'common', /most common passwords/],
      ['password1234', 'common', /most common passwords/],
      ['li-qiang123456', 'login_id', /login id/],
      ['Li_Qiang!2024', 'login_id', /login id/],
    ];
    for (const [next, reason, message] of refused) {
      const answer = await change(cookie, TEST_PASSWORD, next);
      expect(answer.status, JSON.stringify(next)).toBe(400);
      expect(answer.body, JSON.stringify(next)).toMatchObject({ error: 'PASSWORD_WEAK', params: { reason, min: 12 } });
      expect(answer.body.message, JSON.stringify(next)).toMatch(message);
    }
    // Refused passwords are not a wrong current password: no lock.
    expect((await change(cookie, TEST_PASSWORD, 'li-qiang-walks-the-dog')).status).toBe(204);
    expect((await login('li-qiang', 'li-qiang-walks-the-dog')).status).toBe(200);
  });

  it('the one-time passwords of a created and a reset login pass the policy, and log in', async () => {
    const created = await postJson(hub, '/api/admin/users', { id: 'zhou-min', role: 'viewer' });
    expect(created.status).toBe(201);
    const { password } = (await created.json()) as { password: string };
    expect(passwordProblem(password, 'zhou-min')).toBeUndefined();
    expect((await login('zhou-min', password)).status).toBe(200);
    const reset = await postJson(hub, '/api/admin/users/zhou-min/reset-password', {});
    const again = ((await reset.json()) as { password: string }).password;
    expect(passwordProblem(again, 'zhou-min')).toBeUndefined();
    expect((await login('zhou-min', again)).status).toBe(200);
  });
});
