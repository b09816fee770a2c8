/**
 * Two-factor login (issue 15): a real hub process with `MFA=required`. Admins and managers who
 * have not enrolled may only set it up (HTTP and the live socket); enrolment gives a TOTP secret
 * and ten recovery codes; a login with a second factor is pending after the password and done
 * only with a code; wrong codes count in the login limiter and lock the account; a code and a
 * recovery code are each taken once (also when sent at once); an admin can reset a login's second
 * factor; every step is in the audit log with the address; the enrolment survives a restart.
 * Codes are made here with `otpauth`, as an authenticator app would.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshakeOutcome } from '../helpers/live-client.ts';
import { Secret, TOTP } from 'otpauth';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { forgetLogins, writeFleetRegistry } from '../helpers/test-hub.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';

let hub: HubProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('mfa');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_MANAGED: 'off', MFA: 'required' });
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

interface Answer {
  status: number;
  body: any;
  cookies: Record<string, string>;
}

async function call(method: string, url: string, cookie = '', body?: object): Promise<Answer> {
  const res = await fetch(`${hub.info.httpUrl}${url}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const cookies = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, cookies };
}

/** The code an app shows for this secret, `ahead` steps from now (the window takes one step either side). */
const codeOf = (secret: string, ahead = 0) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + ahead * 30_000 });

/** The password step: the session cookie when no second factor is asked, else the pending cookie. */
async function passwordStep(username: string, password = TEST_PASSWORD): Promise<{ session?: string; pending?: string; answer: Answer }> {
  const answer = await call('POST', '/api/auth/login', '', { username, password });
  const session = answer.cookies.ch_session;
  const pending = answer.cookies.ch_mfa;
  return { ...(session ? { session: `ch_session=${session}` } : {}), ...(pending ? { pending: `ch_mfa=${pending}` } : {}), answer };
}

async function codeStep(pending: string, body: { code?: string; recoveryCode?: string }): Promise<{ session?: string; answer: Answer }> {
  const answer = await call('POST', '/api/auth/login/mfa', pending, body);
  const session = answer.cookies.ch_session;
  return { ...(session ? { session: `ch_session=${session}` } : {}), answer };
}

/** Enrols a logged-in user: start, then confirm with the app's code now; the secret and the recovery codes. */
async function enrol(session: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const start = await call('POST', '/api/auth/mfa/start', session);
  expect(start.status).toBe(200);
  const { secret, uri, qrSvg } = start.body as { secret: string; uri: string; qrSvg: string };
  expect(uri).toContain(`secret=${secret}`);
  expect(qrSvg).toMatch(/^<svg/);
  const confirm = await call('POST', '/api/auth/mfa/confirm', session, { password: TEST_PASSWORD, code: codeOf(secret) });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  expect(confirm.body.mfa).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
  return { secret, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

const socketOutcome = (cookie: string): Promise<string> => handshakeOutcome(hub.info.httpUrl, { cookie });

async function audit(session: string, action: string): Promise<Array<{ actor: string; address?: string; target?: string; note?: string; after?: any }>> {
  const answer = await call('GET', `/api/admin/audit?action=${action}&limit=100`, session);
  expect(answer.status).toBe(200);
  return answer.body.entries;
}

let root: { secret: string; recoveryCodes: string[]; session: string };

describe('two-factor login with MFA=required', () => {
  it('holds an admin without a second factor to enrolment (HTTP and socket) until it enrols; then the login needs a code', async () => {
    const first = await passwordStep('root');
    expect(first.answer.status).toBe(200);
    expect(first.session).toBeDefined();
    const session = first.session!;
    expect(first.answer.body.user.mfa).toEqual({ enabled: false, required: true, recoveryCodesLeft: 0, policy: 'required' });
    for (const [method, url] of [['GET', '/api/alerts'], ['GET', '/api/admin/users'], ['GET', '/metrics'], ['POST', '/api/admin/users/zhao/mfa/reset']] as const) {
      const refused = await call(method, url, session);
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.body.error, `${method} ${url}`).toBe('MFA_ENROLMENT_REQUIRED');
    }
    expect(await socketOutcome(session)).toBe('MFA_ENROLMENT_REQUIRED');
    expect((await call('GET', '/api/auth/me', session)).status).toBe(200);
    // /readyz shows a held admin no more than anyone: no broker or storage addresses.
    const ready = await call('GET', '/readyz', session);
    expect(ready.body.broker).not.toHaveProperty('url');
    // A wrong code does not confirm.
    const start = await call('POST', '/api/auth/mfa/start', session);
    const wrong = await call('POST', '/api/auth/mfa/confirm', session, { password: TEST_PASSWORD, code: codeOf(start.body.secret, 5) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('MFA_CODE_INVALID');
    // Nor does the right code without the password: a session alone cannot bind a phone.
    const noPassword = await call('POST', '/api/auth/mfa/confirm', session, { password: 'not-the-password', code: codeOf(start.body.secret) });
    expect(noPassword.status).toBe(403);
    expect(noPassword.body.error).toBe('FORBIDDEN');

    const other = (await passwordStep('root')).session!;
    const enrolled = await enrol(session);
    expect(enrolled.recoveryCodes).toHaveLength(10);
    expect((await call('GET', '/readyz', session)).body.broker.url).toEqual(expect.any(String));
    expect(new Set(enrolled.recoveryCodes).size).toBe(10);
    expect((await call('GET', '/api/alerts', session)).status).toBe(200);
    expect(await socketOutcome(session)).toBe('connected');
    expect((await call('GET', '/api/auth/me', session)).body.user.mfa).toEqual({ enabled: true, required: true, recoveryCodesLeft: 10, policy: 'required' });
    // Started again while on: refused (the secret stays).
    expect((await call('POST', '/api/auth/mfa/start', session)).status).toBe(409);
    // Required for an admin: it cannot be disabled.
    const disable = await call('POST', '/api/auth/mfa/disable', session, { password: TEST_PASSWORD, code: codeOf(enrolled.secret, 1) });
    expect(disable.status).toBe(403);
    expect(disable.body.error).toBe('MFA_REQUIRED');

    // The password alone now opens no session: a pending login, then the code.
    const pending = await passwordStep('root');
    expect(pending.answer.status).toBe(200);
    expect(pending.answer.body).toEqual({ mfaRequired: true, expiresAt: expect.any(Number) });
    expect(pending.session).toBeUndefined();
    expect(pending.pending).toBeDefined();
    const setCookie = (await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: TEST_PASSWORD }) })).headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(/^ch_mfa=.+; Max-Age=300; Path=\/api\/auth\/login; HttpOnly; SameSite=Strict/);
    // The pending cookie is no session.
    expect((await call('GET', '/api/auth/me', pending.pending!)).status).toBe(401);
    // The code of the next step (the one of this step was taken by the confirmation).
    const code = codeOf(enrolled.secret, 1);
    const done = await codeStep(pending.pending!, { code });
    expect(done.answer.status, JSON.stringify(done.answer.body)).toBe(200);
    expect(done.answer.body.user).toMatchObject({ id: 'root', mfa: { enabled: true } });
    expect(done.session).toBeDefined();
    expect((await call('GET', '/api/alerts', done.session!)).status).toBe(200);
    // The pending login is over once done.
    expect((await codeStep(pending.pending!, { code: codeOf(enrolled.secret, 1) })).answer.body.error).toBe('MFA_LOGIN_EXPIRED');
    // Confirming the enrolment ended the other session opened with the password alone; the confirming one goes on.
    expect((await call('GET', '/api/auth/me', other)).status).toBe(401);
    expect((await call('GET', '/api/auth/me', session)).status).toBe(200);

    // The same code again, in a new login: refused (no replay within its window).
    const again = await passwordStep('root');
    const replay = await codeStep(again.pending!, { code });
    expect(replay.answer.status).toBe(401);
    expect(replay.answer.body.error).toBe('MFA_CODE_INVALID');
    expect(replay.session).toBeUndefined();
    // A recovery code works once; the count left is told.
    const recovered = await codeStep(again.pending!, { recoveryCode: enrolled.recoveryCodes[0]!.toUpperCase() });
    expect(recovered.answer.status).toBe(200);
    expect(recovered.answer.body.recoveryCodesLeft).toBe(9);
    expect(recovered.answer.body.user.mfa.recoveryCodesLeft).toBe(9);
    const third = await passwordStep('root');
    expect((await codeStep(third.pending!, { recoveryCode: enrolled.recoveryCodes[0]! })).answer.body.error).toBe('MFA_CODE_INVALID');
    // Neither code nor recovery code, or both: 400.
    expect((await call('POST', '/api/auth/login/mfa', third.pending!, {})).status).toBe(400);
    expect((await call('POST', '/api/auth/login/mfa', third.pending!, { code: '123456', recoveryCode: 'x' })).status).toBe(400);
    // Without a pending login: nothing to complete.
    expect((await call('POST', '/api/auth/login/mfa', '', { code: '123456' })).body.error).toBe('MFA_LOGIN_EXPIRED');
    root = { ...enrolled, session: recovered.session! };
  });

  it('holds an unenrolled manager to enrolment, not a worker; counts wrong codes and locks the account (the right code refused then); an admin can unlock and reset', async () => {
    const zhao = await passwordStep('zhao');
    const session = zhao.session!;
    expect((await call('GET', '/api/compounds', session)).body.error).toBe('MFA_ENROLMENT_REQUIRED');
    expect(await socketOutcome(session)).toBe('MFA_ENROLMENT_REQUIRED');
    const wang = await passwordStep('wang');
    expect(wang.answer.body.user.mfa).toMatchObject({ enabled: false, required: false });
    expect((await call('GET', '/api/alerts', wang.session!)).status).toBe(200);
    expect(await socketOutcome(wang.session!)).toBe('connected');

    const { secret } = await enrol(session);
    expect((await call('GET', '/api/compounds', session)).status).toBe(200);
    expect(await socketOutcome(session)).toBe('connected');

    // Five wrong codes lock the account: the right code is then refused too, from anywhere.
    const login = await passwordStep('zhao');
    const wrong = codeOf(secret, 7);
    for (let i = 0; i < 5; i++) {
      const answer = await codeStep(login.pending!, { code: wrong });
      expect(answer.answer.status, `wrong code ${i + 1}`).toBe(401);
      expect(answer.answer.body.error).toBe('MFA_CODE_INVALID');
    }
    const locked = await codeStep(login.pending!, { code: codeOf(secret, 1) });
    expect(locked.answer.status).toBe(429);
    expect(locked.answer.body).toMatchObject({ error: 'RATE_LIMITED', scope: 'account' });
    // The password step is locked as well (the same account count).
    expect((await passwordStep('zhao')).answer.status).toBe(429);

    // Admin: sees the login locked and with a second factor; unlocks it; the right code then logs in.
    const listed = (await call('GET', '/api/admin/users', root.session)).body.users.find((u: { id: string }) => u.id === 'zhao');
    expect(listed).toMatchObject({ mfaEnabled: true, lockedUntil: expect.any(Number) });
    expect((await call('POST', '/api/admin/users/zhao/unlock', root.session)).status).toBe(200);
    const unlocked = await codeStep(login.pending!, { code: codeOf(secret, 1) });
    expect(unlocked.answer.status, JSON.stringify(unlocked.answer.body)).toBe(200);
    const zhaoSession = unlocked.session!;

    // A lost phone: the admin resets the second factor; zhao's sessions end, and the next login is held to enrolment again.
    expect((await call('POST', '/api/admin/users/root/mfa/reset', root.session)).status).toBe(409);
    const reset = await call('POST', '/api/admin/users/zhao/mfa/reset', root.session);
    expect(reset.status).toBe(200);
    expect(reset.body.mfa).toMatchObject({ enabled: false, required: true });
    expect((await call('GET', '/api/auth/me', zhaoSession)).status).toBe(401);
    const afterReset = await passwordStep('zhao');
    expect(afterReset.session).toBeDefined();
    expect((await call('GET', '/api/compounds', afterReset.session!)).body.error).toBe('MFA_ENROLMENT_REQUIRED');
    expect((await call('GET', '/api/admin/users', root.session)).body.users.find((u: { id: string }) => u.id === 'zhao').mfaEnabled).toBe(false);
    // Only an admin resets.
    expect((await call('POST', '/api/admin/users/root/mfa/reset', wang.session!)).status).toBe(403);
  });

  it('takes one code once when it is sent twice at once', async () => {
    const qian = await passwordStep('qian');
    const { secret } = await enrol(qian.session!);
    const [a, b] = await Promise.all([passwordStep('qian'), passwordStep('qian')]);
    const code = codeOf(secret, 1);
    const answers = await Promise.all([codeStep(a.pending!, { code }), codeStep(b.pending!, { code })]);
    expect(answers.map((x) => x.answer.status).sort()).toEqual([200, 401]);
  });

  it('lets a worker enrol optionally, regenerate its recovery codes (the old ones stop) and disable it with password and code', async () => {
    const li = (await passwordStep('li')).session!;
    const { secret, recoveryCodes } = await enrol(li);
    const regenerated = await call('POST', '/api/auth/mfa/recovery-codes', li, { code: codeOf(secret, 1) });
    expect(regenerated.status).toBe(200);
    const fresh = regenerated.body.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    const login = await passwordStep('li');
    expect((await codeStep(login.pending!, { recoveryCode: recoveryCodes[1]! })).answer.status).toBe(401);
    const done = await codeStep(login.pending!, { recoveryCode: fresh[1]! });
    expect(done.answer.status).toBe(200);
    // Disabling needs the password and a code: a wrong password is refused.
    expect((await call('POST', '/api/auth/mfa/disable', done.session!, { password: 'not-the-password', recoveryCode: fresh[2]! })).status).toBe(403);
    const off = await call('POST', '/api/auth/mfa/disable', done.session!, { password: TEST_PASSWORD, recoveryCode: fresh[2]! });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.mfa).toMatchObject({ enabled: false });
    const plain = await passwordStep('li');
    expect(plain.session).toBeDefined();
  });

  it('writes every step to the audit log with the actor and the address, never a secret or code', async () => {
    const expected: Array<[string, string]> = [
      ['mfa_enrolment_started', 'root'],
      ['mfa_enabled', 'root'],
      ['login_mfa_pending', 'root'],
      ['mfa_failed', 'root'],
      ['mfa_recovery_code_used', 'root'],
      ['mfa_disable_refused', 'root'],
      ['mfa_failed', 'zhao'],
      ['account_locked', 'zhao'],
      ['login_refused', 'zhao'],
      ['user_mfa_reset', 'root'],
      ['mfa_recovery_codes_regenerated', 'li'],
      ['mfa_disabled', 'li'],
      ['access_refused', 'zhao'],
    ];
    for (const [action, actor] of expected) {
      const entries = await audit(root.session, action);
      const mine = entries.filter((e) => e.actor === actor);
      expect(mine.length, `${action} by ${actor}`).toBeGreaterThan(0);
      expect(mine.every((e) => e.address === '127.0.0.1'), `${action} has the address`).toBe(true);
    }
    expect((await audit(root.session, 'user_mfa_reset'))[0]).toMatchObject({ actor: 'root', target: 'user:zhao' });
    expect((await audit(root.session, 'mfa_recovery_code_used')).find((e) => e.actor === 'root')?.after).toEqual({ recoveryCodesLeft: 9 });
    const all = JSON.stringify((await call('GET', '/api/admin/audit?limit=1000', root.session)).body);
    expect(all).not.toContain(root.secret);
    expect(all).not.toContain(root.recoveryCodes[1]!);
  });

  it('keeps the enrolment across a restart, the secret sealed with DATA_DIR/mfa.key (0600)', async () => {
    expect((await stat(path.join(dir.path, 'data', 'mfa.key'))).mode & 0o777).toBe(0o600);
    await hub.restart();
    forgetLogins(hub);
    const login = await passwordStep('root');
    expect(login.answer.body.mfaRequired).toBe(true);
    expect(login.session).toBeUndefined();
    const done = await codeStep(login.pending!, { recoveryCode: root.recoveryCodes[3]! });
    expect(done.answer.status).toBe(200);
    expect(done.answer.body.recoveryCodesLeft).toBe(8);
    // The first recovery code stays used.
    const again = await passwordStep('root');
    expect((await codeStep(again.pending!, { recoveryCode: root.recoveryCodes[0]! })).answer.status).toBe(401);
  }, 60_000);
});
