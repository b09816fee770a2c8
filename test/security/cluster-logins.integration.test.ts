/**
 * Logins on several instances (docs/access.md "Logins on several instances"): two instances A and
 * B, each with its own state store, access stage (createAccessStage with a cluster bus) and HTTP
 * API, over one real PostgreSQL (test/helpers/postgres.ts) and one DATA_DIR/mfa.key; their buses
 * paired in-process (the real one is socket.io's PostgreSQL adapter). A login on A works on B, a
 * logout on B ends it on A at once, a session kept alive on B is not ended by A, the code step
 * of a two-factor login may reach the other instance, and guesses spread over both share one
 * lockout. A third instance with another mfa.key refuses two-factor login (503) and says why.
 */
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { pino, type Logger } from 'pino';
import { createAccessStage, type AccessStage } from '../../src/auth/access.stage.ts';
import { UsersStore } from '../../src/auth/users.store.ts';
import { describeUser } from '../../src/auth/user-scope.ts';
import { AlertBook } from '../../src/alerts/alert-book.ts';
import { Routing } from '../../src/alerts/routing.ts';
import { alertsConfigSchema } from '../../src/alerts/sla.config.ts';
import { parseRegistry } from '../../src/config/registry.loader.ts';
import type { HubConfig } from '../../src/config/config.loader.ts';
import { buildRegistry } from '../../src/registry/registry.ts';
import { openState } from '../../src/state/index.ts';
import type { StateStore } from '../../src/state/state.types.ts';
import { FIXTURE_USERS, TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';
import { testHttpServer } from '../../src/testing/http.fixture.ts';
import { pairedBuses, type PairedBus } from '../../src/testing/paired-bus.fixture.ts';
import { fixtureRegistryFile } from '../../src/testing/registry.fixture.ts';
import { LiveServer } from '../../src/live/live.server.ts';
import { DeviceStates } from '../../src/live/device-state.ts';
import { createHubMetrics } from '../../src/metrics/hub.metrics.ts';
import { handshakeOutcome } from '../helpers/live-client.ts';
import { startPostgres, type Postgres } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const IDLE_MS = 60_000;
const clock = { now: Date.now() };

interface Instance {
  name: string;
  app: FastifyInstance;
  access: AccessStage;
  state: StateStore;
  /** The live socket's address (its handshake checks the session). */
  liveUrl: string;
  bus: PairedBus;
  lines: Array<Record<string, unknown>>;
  call(method: string, url: string, cookie?: string, body?: object): Promise<LightMyRequestResponse>;
}

let postgres: Postgres;
let databaseUrl: string;
const instances: Instance[] = [];
const removals: Array<() => Promise<void>> = [];
const closings: Array<() => Promise<void>> = [];
let A: Instance;
let B: Instance;
let C: Instance;

async function instance(name: string, dataDir: string, bus: PairedBus, seed: boolean): Promise<Instance> {
  const lines: Array<Record<string, unknown>> = [];
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const state = await openState({ databaseUrl, dataDir }, pino({ level: 'silent' }));
  if (seed) {
    const file = await writeUsersFile(FIXTURE_USERS);
    for (const user of UsersStore.parse(await readFile(file, 'utf8'), file).users) await state.users.insert(user, clock.now);
  }
  const users = await UsersStore.load(state.users);
  const config = { dataDir, auth: { sessionIdleMs: IDLE_MS, cookieSecure: false, metricsToken: undefined, mfa: 'optional' } } as unknown as HubConfig;
  const access = await createAccessStage(config, users, state.sessions, logger, state.users, { bus });
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] });
  const routing = new Routing(alertsConfig, () => users.list().map((u) => describeUser(u, alertsConfig)));
  let n = 0;
  const alerts = new AlertBook(alertsConfig, [], routing, () => `${name}${++n}`);
  const registry = buildRegistry(parseRegistry(fixtureRegistryFile(), 'fixture'));
  const app = await testHttpServer({ access: access.deps, registry, alerts, alertsConfig, routing, now: () => clock.now, logger: pino({ level: 'silent' }) });
  const call = (method: string, url: string, cookie = '', body?: object) =>
    app.inject({ method: method as 'GET', url, headers: cookie ? { cookie } : {}, ...(body ? { payload: body } : {}) });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const live = new LiveServer(server, { registry, deviceStates: new DeviceStates(), alerts, alertsConfig, access: access.deps, metrics: createHubMetrics(), logger: pino({ level: 'silent' }), now: () => clock.now });
  closings.push(() => live.close(), () => new Promise<void>((resolve) => server.close(() => resolve())));
  const liveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const made: Instance = { name, app, access, state, bus, lines, call, liveUrl };
  instances.push(made);
  return made;
}

/** The cookie a response sets, as a request header. */
function cookieOf(res: LightMyRequestResponse, name: string): string {
  const value = res.cookies.find((c) => c.name === name)?.value;
  expect(value, `${name} cookie`).toBeDefined();
  return `${name}=${value}`;
}

async function login(on: Instance, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await on.call('POST', '/api/auth/login', '', { username, password });
  expect(res.statusCode).toBe(200);
  return cookieOf(res, 'ch_session');
}

const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  const shared = await tempDir('cluster-logins');
  const other = await tempDir('cluster-logins-other');
  removals.push(shared.remove, other.remove);
  const [busA, busB, busC] = pairedBuses('a', 'b', 'c');
  A = await instance('a', shared.path, busA!, true);
  B = await instance('b', shared.path, busB!, false);
  // C has a DATA_DIR of its own: another mfa.key than A and B (the first one kept in the database).
  await writeFile(path.join(other.path, 'mfa.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
  C = await instance('c', other.path, busC!, false);
});

afterAll(async () => {
  for (const close of closings) await close();
  for (const i of instances) {
    await i.app.close();
    await i.access.keptSessions.flush().catch(() => {});
    await i.state.close();
  }
  await postgres?.stop();
  for (const remove of removals) await remove();
});

describe('logins on two instances over one PostgreSQL', () => {
  it('a login on A is taken at once by B (HTTP guard, /api/auth/session, /readyz details); a logout on B ends it on A at once', async () => {
    const cookie = await login(A, 'root');
    expect((await B.call('GET', '/api/auth/me', cookie)).json()).toMatchObject({ user: { id: 'root', role: 'admin' } });
    expect((await B.call('GET', '/api/auth/session', cookie)).json()).toMatchObject({ user: { id: 'root' } });
    const ready = (await C.call('GET', '/readyz', cookie)).json();
    expect(ready.broker.url).toBeDefined(); // an admin session taken from the database: details
    expect((await B.call('POST', '/api/auth/logout', cookie)).statusCode).toBe(204);
    expect((await A.call('GET', '/api/auth/me', cookie)).statusCode).toBe(401);
    expect((await C.call('GET', '/api/auth/me', cookie)).statusCode).toBe(401);
    expect((await A.call('GET', '/api/auth/session', cookie)).json()).toEqual({ user: null });
    // Nothing brings it back: the row is gone.
    await A.access.keptSessions.flush();
    await B.access.keptSessions.flush();
    const id = B.bus.sent.find((m) => m.kind === 'sessions-ended')?.message as { ids: string[] };
    expect(await A.state.sessions.find(id.ids)).toEqual([]);
  });

  it('the live socket: a session made on A opens a socket on B; a logout on A closes it at once and refuses the next handshake', async () => {
    const cookie = await login(A, 'wang');
    const socket = io(B.liveUrl, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ended = new Promise<string>((resolve) => socket.once('session_ended', () => resolve('session_ended')));
      expect((await A.call('POST', '/api/auth/logout', cookie)).statusCode).toBe(204);
      expect(await ended).toBe('session_ended');
    } finally {
      socket.close();
    }
    expect(await handshakeOutcome(B.liveUrl, { cookie })).toBe('UNAUTHORIZED');
    expect(await handshakeOutcome(B.liveUrl, { cookie: `ch_session=${'z'.repeat(43)}` })).toBe('UNAUTHORIZED');
  });

  it('a password changed on A ends the user’s other sessions on B at once, not the one it was changed with', async () => {
    const first = await login(B, 'zhao');
    const second = await login(A, 'zhao');
    expect((await B.call('GET', '/api/auth/me', second)).statusCode).toBe(200);
    const changed = await A.call('POST', '/api/auth/password', second, { current: TEST_PASSWORD, next: 'another-password-2' });
    expect(changed.statusCode).toBe(204);
    expect((await B.call('GET', '/api/auth/me', first)).statusCode).toBe(401);
    expect((await A.call('GET', '/api/auth/me', first)).statusCode).toBe(401);
    expect((await B.call('GET', '/api/auth/me', second)).statusCode).toBe(200);
    // B checks passwords against the database: the old one no longer logs in there.
    expect((await B.call('POST', '/api/auth/login', '', { username: 'zhao', password: TEST_PASSWORD })).statusCode).toBe(401);
    await login(B, 'zhao', 'another-password-2');
  });

  it('a one-time password changed on A no longer holds the session on B (HTTP and socket)', async () => {
    const stored = (await A.state.users.get('sun'))!;
    const { createdAt: _c, updatedAt: _u, ...fields } = stored;
    await A.state.users.update({ ...fields, mustChangePassword: true }, clock.now);
    for (const i of [A, B]) await i.access.deps.users.refresh('sun'); // what an admin's reset tells every instance
    const cookie = await login(B, 'sun');
    expect((await B.call('GET', '/api/auth/mfa', cookie)).json()).toMatchObject({ error: 'PASSWORD_CHANGE_REQUIRED' });
    expect(await handshakeOutcome(B.liveUrl, { cookie })).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await A.call('POST', '/api/auth/password', cookie, { current: TEST_PASSWORD, next: 'sun-new-password-3' })).statusCode).toBe(204);
    expect((await B.call('GET', '/api/auth/mfa', cookie)).statusCode).toBe(200);
    expect(await handshakeOutcome(B.liveUrl, { cookie })).toBe('connected');
  });

  it('a session kept alive by requests on B is not ended by A as idle', async () => {
    const cookie = await login(A, 'root');
    clock.now += IDLE_MS - 10_000;
    expect((await B.call('GET', '/api/auth/me', cookie)).statusCode).toBe(200);
    await B.access.keptSessions.flush(); // what B writes behind within a second
    clock.now += 20_000; // idle as A last saw it, not as B did
    A.access.deps.sessions.sweep(clock.now);
    expect((await A.call('GET', '/api/auth/me', cookie)).statusCode).toBe(200);
    // Idle everywhere (beyond the write delay of a touch): ended, on both.
    clock.now += IDLE_MS + 2000;
    expect((await A.call('GET', '/api/auth/me', cookie)).statusCode).toBe(401);
    expect((await B.call('GET', '/api/auth/me', cookie)).statusCode).toBe(401);
  });

  it('two-factor login: the password step on A, the code step on B, once; an instance with another mfa.key refuses it (503) and logs why', async () => {
    const session = await login(A, 'wang');
    const started = (await A.call('POST', '/api/auth/mfa/start', session)).json();
    const confirmed = await B.call('POST', '/api/auth/mfa/confirm', session, { password: TEST_PASSWORD, code: codeAt(started.secret, clock.now) });
    expect(confirmed.statusCode).toBe(200);
    clock.now += 30_000;
    const password = await A.call('POST', '/api/auth/login', '', { username: 'wang', password: TEST_PASSWORD });
    expect(password.json()).toMatchObject({ mfaRequired: true });
    const pending = cookieOf(password, 'ch_mfa');
    const code = await B.call('POST', '/api/auth/login/mfa', pending, { code: codeAt(started.secret, clock.now) });
    expect(code.statusCode).toBe(200);
    const cookie = cookieOf(code, 'ch_session');
    expect((await A.call('GET', '/api/auth/me', cookie)).json()).toMatchObject({ user: { id: 'wang', mfa: { enabled: true } } });
    // Single use, wherever it is sent again.
    clock.now += 30_000;
    expect((await A.call('POST', '/api/auth/login/mfa', pending, { code: codeAt(started.secret, clock.now) })).json()).toMatchObject({ error: 'MFA_LOGIN_EXPIRED' });
    // C seals and opens with another key: it says so at start and refuses the code step.
    expect(C.lines.some((l) => l.level === 50 && l.code === 'MFA_KEY_MISMATCH' && String(l.file).endsWith('mfa.key'))).toBe(true);
    expect(A.lines.some((l) => l.code === 'MFA_KEY_MISMATCH')).toBe(false);
    const onC = await C.call('POST', '/api/auth/login', '', { username: 'wang', password: TEST_PASSWORD });
    const refused = await C.call('POST', '/api/auth/login/mfa', cookieOf(onC, 'ch_mfa'), { code: codeAt(started.secret, clock.now) });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: 'STATE_UNAVAILABLE' });
  });

  it('wrong passwords spread over A and B lock the account after five in all, on both (the right password too)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await [A, B][i % 2]!.call('POST', '/api/auth/login', '', { username: 'qian', password: `wrong-${i}` });
      expect(res.statusCode).toBe(401);
    }
    for (const on of [A, B, C]) {
      const res = await on.call('POST', '/api/auth/login', '', { username: 'qian', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ error: 'RATE_LIMITED', scope: 'account' });
    }
  });
});
