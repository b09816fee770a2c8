/**
 * The demo password does not survive a move off loopback (docs/access.md, "Users"): a demo hub
 * started on loopback, where `admin / compound-demo` logs in, is restarted as a real hub process
 * on the same DATA_DIR with HTTP_HOST=0.0.0.0. Then no demo login takes `compound-demo`; each got
 * a one-time password printed once in the banner, which logs in and must be changed; the sessions
 * begun on loopback have ended; the next start off loopback prints no password again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEMO_PASSWORD } from '../../src/demo/demo.ts';
import { openState } from '../../src/state/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../helpers/free-port.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: HubProcess | undefined;
let ports: { HTTP_PORT: string; MQTT_PORT: string };

async function start(extra: Record<string, string>): Promise<HubProcess> {
  // USERS_FILE empty: the demo makes its own logins.
  hub = await startHubProcess({ DATA_DIR: dir.path, DEMO: 'on', USERS_FILE: '', INFLUX_MANAGED: 'off', DEMO_INTERVAL: '60s', ...ports, ...extra });
  // The banner follows the first answer of /readyz.
  await expect.poll(() => hub!.log(), { timeout: 20_000 }).toContain('Ctrl-C, or kill -TERM');
  return hub;
}

async function login(username: string, password: string): Promise<{ status: number; cookie?: string; body: any }> {
  const res = await fetch(`${hub!.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  return { status: res.status, ...(cookie ? { cookie } : {}), body: await res.json() };
}

/** The audit log of the data dir (the hub stopped). */
async function readAudit(): Promise<Array<{ actor: string; action: string; target?: string }>> {
  const state = await openState({ dataDir: dir.path }, pino({ level: 'silent' }));
  try {
    return await state.audit.query({ limit: 500 });
  } finally {
    await state.close();
  }
}

/** `id (role)  password: …` lines of the banner. */
function printedPasswords(log: string): Map<string, string> {
  return new Map([...log.matchAll(/^\s+([a-z0-9-]+) \((\w+)\)\s+password: (\S+)$/gm)].map((m) => [m[1]!, m[3]!]));
}

beforeAll(async () => {
  dir = await tempDir('demo-password');
  ports = { HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()) };
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

describe('the demo password off loopback', () => {
  it('logs in on loopback; after a restart with HTTP_HOST=0.0.0.0 no demo login takes it, each has a printed one-time password', async () => {
    await start({});
    expect(hub!.log()).toContain(`password "${DEMO_PASSWORD}" for each`);
    const ids = [...hub!.log().matchAll(/^ {16}([a-z0-9-]+) +(admin|manager|worker|viewer|department|committee) /gm)].map((m) => m[1]!);
    expect(ids).toEqual(expect.arrayContaining(['admin', 'manager-c01', 'wang-fang', 'street-ops', 'fire-desk', 'lift-desk', 'committee-chen']));
    const before = await login('admin', DEMO_PASSWORD);
    expect(before.status).toBe(200);
    await hub!.stop();

    await start({ HTTP_HOST: '0.0.0.0' });
    const log = hub!.log();
    expect(log).not.toContain(`password "${DEMO_PASSWORD}" for each`);
    const printed = printedPasswords(log);
    expect([...printed.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const res = await login(id, DEMO_PASSWORD);
      expect(res.status, id).toBe(401);
      expect(res.body.error).toBe('UNAUTHORIZED');
    }
    // The session begun on loopback with the demo password has ended.
    const me = await fetch(`${hub!.info.httpUrl}/api/auth/me`, { headers: { cookie: before.cookie! } });
    expect(me.status).toBe(401);
    // The printed one-time password logs in, and must be changed.
    const admin = await login('admin', printed.get('admin')!);
    expect(admin.status).toBe(200);
    expect(admin.body.user.mustChangePassword).toBe(true);
    await hub!.stop();
    // Each re-key is in the audit log (read from the database the hub left).
    const audit = await readAudit();
    expect(audit.filter((e) => e.action === 'password_reset' && e.actor === 'hub').map((e) => e.target).sort()).toEqual(ids.map((id) => `user:${id}`).sort());

    // Started off loopback again: nothing left to re-key, no password printed.
    await start({ HTTP_HOST: '0.0.0.0' });
    expect(printedPasswords(hub!.log()).size).toBe(0);
    expect((await login('manager-c01', DEMO_PASSWORD)).status).toBe(401);
    expect((await login('manager-c01', printed.get('manager-c01')!)).status).toBe(200);
  });
});
