import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testHttpServer, LIVE_ONLY } from '../testing/http.fixture.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { DeviceStates } from '../live/device-state.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import type { StorageStatus } from './api.types.ts';
import type { HistoryReader } from '../store/store.types.ts';
import { ActiveConditions } from '../rules/active-conditions.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { defaultAlertsConfig } from '../alerts/sla.config.ts';
import { accessFixture, TEST_PASSWORD } from '../testing/access.fixture.ts';
import { Routing } from '../alerts/routing.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';


/** The API as one logged-in user sees it: `inject` carries their session cookie. */
interface Client {
  inject(options: string | InjectOptions): Promise<LightMyRequestResponse>;
}

async function login(app: FastifyInstance, username: string): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const cookie = `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`;
  return {
    inject: (options) => app.inject(typeof options === 'string' ? { url: options, headers: { cookie } } : { ...options, headers: { ...options.headers, cookie } }),
  };
}

type TestApi = Client & { close(): Promise<void>; app: FastifyInstance; as(user: string): Promise<Client> };

/** The API with fixture data; `inject` is the admin's, `as(user)` another user's. */
interface BuildOptions {
  history?: HistoryReader;
  storage?: StorageStatus;
  brokerConnected?: boolean;
  metricsToken?: string;
}

async function build(options: BuildOptions = {}): Promise<TestApi> {
  const app = await buildApp(options);
  const admin = await login(app, 'root');
  return { ...admin, app, as: (user) => login(app, user), close: () => app.close() };
}

async function buildApp(options: BuildOptions) {
  const registry = fixtureRegistry();
  const deviceStates = new DeviceStates();
  const deadLetters = new DeadLetters(5);
  deviceStates.apply(
    { compound: 'c01', type: 'elevator', device: 'elev-1', kind: 'telemetry', ts: 1, receivedAt: 2, tags: {}, fields: { floor: 4 } },
    'c01/elevator/elev-1',
  );
  deadLetters.add({ reason: 'invalid_json', detail: 'x', topic: 't', receivedAt: 1, sample: '{', size: 1 });
  deadLetters.add({ reason: 'schema', detail: 'floor: bad', topic: 't', receivedAt: 2, sample: '{}', size: 2 });
  const conditions = new ActiveConditions();
  const at = 1_800_000_000_000;
  conditions.apply({ change: 'raised', ruleId: 'manhole-tilt', kind: 'event', severity: 'major', deviceKey: 'c01/manhole/mh-1', compound: 'c01', type: 'manhole', device: 'mh-1', at, count: 1, value: 30 });
  conditions.hold({ deviceKey: 'c01/manhole/mh-1', ruleId: 'manhole-tilt' }, { reason: 'grouped', incident: 'a9' });
  conditions.apply({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at, count: 1 });
  conditions.apply({ change: 'repeated', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at: at + 5, count: 2 });
  conditions.apply({ change: 'raised', ruleId: 'device-offline', kind: 'absence', severity: 'major', deviceKey: 'c02/parking/park-1', compound: 'c02', type: 'parking', device: 'park-1', at, count: 1 });
  conditions.apply({ change: 'cleared', ruleId: 'device-offline', kind: 'absence', severity: 'major', deviceKey: 'c02/parking/park-1', compound: 'c02', type: 'parking', device: 'park-1', at: at + 9, count: 1 });
  let n = 0;
  const alertsConfig = { ...defaultAlertsConfig(), grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'], shifts: [] }] };
  const access = { ...(await accessFixture()), metricsToken: options.metricsToken };
  const routing = new Routing(alertsConfig, () => access.users.list().map((u) => describeUser(u, alertsConfig)));
  const rules = await loadRules(undefined);
  const alerts = new AlertBook(alertsConfig, [], routing, () => `a${++n}`);
  alerts.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at, count: 1 });
  alerts.applyCondition({ change: 'raised', ruleId: 'manhole-tilt', kind: 'event', severity: 'major', deviceKey: 'c01/manhole/mh-1', compound: 'c01', type: 'manhole', device: 'mh-1', at: at + 1, count: 1 });
  return testHttpServer({
    access,
    registry,
    deviceStates,
    deadLetters,
    conditions,
    alerts,
    alertsConfig,
    routing,
    rules: () => rules,
    webhookDeliveries: () => [{ webhook: 'robot', alertId: 'a1', kind: 'raised', at, attempts: 2, status: 'delivered', httpStatus: 200 }],
    now: () => at + 60_000,
    brokerStatus: () => ({ kind: 'embedded', url: 'mqtt://127.0.0.1:1883', connected: options.brokerConnected ?? true }),
    storageStatus: () => options.storage ?? LIVE_ONLY,
    history: options.history,
  });
}

describe('HTTP API', () => {
  let app: TestApi;
  beforeAll(async () => {
    app = await build();
  });
  afterAll(() => app.close());

  it('answers /healthz', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('says loudly on /readyz that the hub runs live-only', async () => {
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ready).toBe(true);
    expect(body.storage.mode).toBe('live-only');
    expect(body.warnings.join(' ')).toMatch(/LIVE-ONLY/);
    expect(body.devices).toEqual({ registered: 3, online: 1 });
  });

  it('is not ready when the broker is down or storage applies backpressure', async () => {
    const down = await build({ brokerConnected: false });
    expect((await down.inject('/readyz')).statusCode).toBe(503);
    const full = await build({ storage: { ...LIVE_ONLY, mode: 'influxdb', accepting: false, connected: false, spoolLines: 9 } });
    const res = await full.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().warnings.join(' ')).toMatch(/spool \(9 points\)/);
    await Promise.all([down.close(), full.close()]);
  });

  it('says on /readyz when the spool cannot be written (still ready: live writes go on)', async () => {
    const spoolError = 'spool /data/spool: ENOTDIR: not a directory';
    const api = await build({ storage: { ...LIVE_ONLY, mode: 'influxdb', connected: true, lastError: spoolError, spoolError } });
    const res = await api.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json().storage).toMatchObject({ spoolError, lastError: spoolError });
    expect(res.json().warnings).toEqual([`spool not writable, an InfluxDB outage cannot be bridged: ${spoolError}`]);
    await api.close();
  });

  it('serves Prometheus metrics', async () => {
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/compound_hub_messages_rejected_total\{reason="schema"\} 0/);
    expect(res.body).toMatch(/compound_hub_devices_registered 3/);
  });

  it('lists compounds and devices with live state, filtered', async () => {
    const compounds = (await app.inject('/api/compounds')).json().compounds;
    expect(compounds.map((c: { id: string; online: number }) => [c.id, c.online])).toEqual([['c01', 1], ['c02', 0]]);
    const devices = (await app.inject('/api/devices?compound=c01&type=elevator')).json().devices;
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ device: 'elev-1', building: 'b1', online: true, fields: { floor: 4 } });
    expect((await app.inject('/api/devices?online=false')).json().devices).toHaveLength(2);
  });

  it('gets one device, 404 for an unknown one, 400 for a malformed id', async () => {
    expect((await app.inject('/api/devices/c01/elevator/elev-1')).json().fields).toEqual({ floor: 4 });
    const missing = await app.inject('/api/devices/c01/elevator/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('NOT_FOUND');
    expect((await app.inject('/api/devices/c01/elevator/NOPE%20x')).statusCode).toBe(400);
    expect((await app.inject('/api/devices/c01/boiler/x')).statusCode).toBe(400);
  });

  it('lists dead letters newest first, filtered by reason', async () => {
    const all = (await app.inject('/api/dead-letters')).json();
    expect(all.total).toBe(2);
    expect(all.items.map((r: { reason: string }) => r.reason)).toEqual(['schema', 'invalid_json']);
    expect((await app.inject('/api/dead-letters?reason=invalid_json')).json().items).toHaveLength(1);
    expect((await app.inject('/api/dead-letters?reason=nope')).statusCode).toBe(400);
  });

  it('answers history routes with 503 when live-only', async () => {
    const res = await app.inject('/api/history/latest?type=elevator');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('STORE_UNAVAILABLE');
  });

  it('passes validated history queries to the reader, with ISO or ms times', async () => {
    const calls: unknown[] = [];
    const history: HistoryReader = {
      latest: async (q) => (calls.push(q), [{ compound: 'c01', device: 'elev-1', ts: 5, fields: { floor: 2 } }]),
      series: async (q) => (calls.push(q), [{ ts: 5, value: 2 }]),
    };
    const withHistory = await build({ history });
    expect((await withHistory.inject('/api/history/latest?type=elevator&compound=c01')).json().devices[0].fields).toEqual({ floor: 2 });
    const series = await withHistory.inject('/api/history/series?type=elevator&compound=c01&device=elev-1&field=floor&from=2026-01-01T00:00:00Z&to=1800000000000');
    expect(series.json()).toEqual({ points: [{ ts: 5, value: 2 }] });
    expect(calls[1]).toEqual({ type: 'elevator', compound: 'c01', device: 'elev-1', field: 'floor', from: Date.parse('2026-01-01T00:00:00Z'), to: 1_800_000_000_000, limit: 1000 });
    expect((await withHistory.inject('/api/history/series?type=elevator&compound=c01%27%3B%20DROP&device=e&field=floor&from=0')).statusCode).toBe(400);
    await withHistory.close();
  });

  it('serves the OpenAPI document at /docs', async () => {
    const doc = (await app.inject('/docs')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/devices', '/api/history/series', '/readyz']));
  });
});

describe('conditions', () => {
  it('lists active conditions, most severe first, with repeats and without cleared ones', async () => {
    const app = await build();
    const all = (await app.inject('/api/conditions')).json().conditions;
    expect(all.map((c: { ruleId: string; count: number }) => [c.ruleId, c.count])).toEqual([['elevator-trapped', 2], ['manhole-tilt', 1]]);
    expect(all[0]).toMatchObject({ since: 1_800_000_000_000, lastAt: 1_800_000_000_005 });
    // What holds a condition back from an alert of its own (the correlator: here, an incident).
    expect(all[0].held).toBeUndefined();
    expect(all[1].held).toEqual({ reason: 'grouped', incident: 'a9' });
    expect((await app.inject('/api/conditions?severity=major')).json().conditions).toHaveLength(1);
    expect((await app.inject('/api/conditions?compound=c02')).json().conditions).toHaveLength(0);
    await app.close();
  });
});

describe('alerts API', () => {
  it('lists alerts most urgent first and filters them', async () => {
    const app = await build();
    const list = (await app.inject('/api/alerts?open=true')).json().alerts;
    expect(list.map((a: { id: string; severity: string; assignee: string }) => [a.id, a.severity, a.assignee])).toEqual([['a1', 'critical', 'wang'], ['a2', 'major', 'wang']]);
    expect((await app.inject('/api/alerts?severity=major')).json().alerts).toHaveLength(1);
    expect((await app.inject('/api/alerts/a1')).json().history.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'dispatched']);
    expect((await app.inject('/api/alerts/nope')).statusCode).toBe(404);
    const stats = (await app.inject(`/api/alerts/stats?from=${1_800_000_000_000 - 1000}&to=${1_800_000_000_000 + 1000}`)).json();
    expect(stats.overall).toMatchObject({ alerts: 2, accepted: 0 });
    expect(Object.keys(stats.byRule)).toEqual(['elevator-trapped', 'manhole-tilt']);
    expect((await app.inject('/api/webhooks/deliveries')).json().deliveries[0]).toMatchObject({ webhook: 'robot', status: 'delivered', attempts: 2 });
    await app.close();
  });

  it('moves an alert through the workflow and refuses steps out of order with 409', async () => {
    const app = await build();
    const [wang, zhao] = [await app.as('wang'), await app.as('zhao')];
    const post = (who: Client, path: string, body: object) => who.inject({ method: 'POST', url: `/api/alerts/a1/${path}`, payload: body });
    const early = await post(wang, 'resolve', { note: 'x' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: 'INVALID_TRANSITION', message: expect.stringMatching(/it is dispatched/) });
    expect((await post(wang, 'accept', {})).json()).toMatchObject({ workflow: 'accepted', assignee: 'wang' });
    const noNote = await post(wang, 'resolve', { note: '' });
    expect(noNote.statusCode).toBe(400);
    expect((await post(wang, 'resolve', { note: '已救出' })).json().workflow).toBe('resolved');
    // Closing is the manager's step, not the worker's.
    expect((await post(wang, 'close', {})).statusCode).toBe(403);
    // The trap is still seen by the rule: a plain close is refused with the reason.
    const refused = await post(zhao, 'close', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'CONDITION_ACTIVE', params: { id: 'a1' } });
    expect((await post(zhao, 'close', { force: true })).statusCode).toBe(400);
    const closed = (await post(zhao, 'close', { force: true, note: '维保确认为误报' })).json();
    expect(closed.workflow).toBe('closed');
    expect(closed.history.at(-1)).toMatchObject({ kind: 'closed', actor: 'zhao', at: 1_800_000_060_000, note: '维保确认为误报' });
    // What is still happening stays open, as a new alert.
    const open = (await zhao.inject('/api/alerts?open=true')).json().alerts;
    expect(open.find((a: { ruleId: string }) => a.ruleId === 'elevator-trapped')).toMatchObject({ condition: 'active', workflow: 'dispatched' });
    expect((await post(wang, 'accept', { actor: 'someone-else' })).statusCode).toBe(409);
    await app.close();
  });
});

describe('silences API', () => {
  it('creates, lists and removes a maintenance window, and refuses one that would silence everything', async () => {
    const app = await build();
    const created = await app.inject({ method: 'POST', url: '/api/silences', payload: { reason: '电梯年检', compound: 'c01', type: 'elevator', durationMin: 120 } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ compound: 'c01', type: 'elevator', from: 1_800_000_060_000, until: 1_800_000_060_000 + 120 * 60_000 });
    expect((await app.inject('/api/silences')).json().silences).toHaveLength(1);
    const everything = await app.inject({ method: 'POST', url: '/api/silences', payload: { reason: 'x', durationMin: 5 } });
    expect(everything.statusCode).toBe(400);
    expect((await app.inject({ method: 'DELETE', url: `/api/silences/${created.json().id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `/api/silences/${created.json().id}` })).statusCode).toBe(404);
    await app.close();
  });

  it('names the rules in force for every logged-in user', async () => {
    const app = await build();
    const wang = await app.as('wang');
    const { rules } = (await wang.inject('/api/rules')).json();
    expect(rules.find((r: { id: string }) => r.id === 'manhole-tilt')).toMatchObject({ name: { zh: expect.any(String), en: expect.any(String) }, severity: 'major', types: ['manhole'] });
    expect(rules.length).toBeGreaterThan(10);
    await app.close();
  });

  it('merges a repeated silence, bounds its length, leaves critical rules to admins, and shows a district-wide one to the managers it mutes', async () => {
    const app = await build();
    const zhao = await app.as('zhao');
    const tilt = { reason: '施工', device: 'c01/manhole/mh-1', ruleId: 'manhole-tilt', durationMin: 120 };
    const first = await zhao.inject({ method: 'POST', url: '/api/silences', payload: tilt });
    expect(first.statusCode).toBe(201);
    const again = await zhao.inject({ method: 'POST', url: '/api/silences', payload: { ...tilt, durationMin: 240 } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, merged: true, until: 1_800_000_060_000 + 240 * 60_000 });
    const tooLong = await zhao.inject({ method: 'POST', url: '/api/silences', payload: { ...tilt, durationMin: 25 * 60 } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ error: 'SILENCE_TOO_LONG', params: { maxMin: 1440 } });
    for (const payload of [{ ...tilt, device: 'c01/elevator/elev-1', ruleId: 'elevator-trapped' }, { reason: 'x', device: 'c01/elevator/elev-1', durationMin: 30 }]) {
      const critical = await zhao.inject({ method: 'POST', url: '/api/silences', payload });
      expect(critical.statusCode).toBe(403);
      expect(critical.json().error).toBe('SILENCE_NEEDS_ADMIN');
    }
    const unknownRule = await zhao.inject({ method: 'POST', url: '/api/silences', payload: { ...tilt, ruleId: 'no-such-rule' } });
    expect(unknownRule.statusCode).toBe(404);
    const wide = await app.inject({ method: 'POST', url: '/api/silences', payload: { reason: '全区停电检修', type: 'elevator', durationMin: 60 } });
    expect(wide.statusCode).toBe(201);
    const seen = (await zhao.inject('/api/silences?compound=c01')).json().silences.map((s: { id: string }) => s.id);
    expect(seen).toEqual(expect.arrayContaining([first.json().id, wide.json().id]));
    // zhao may not end the district-wide one, only their own compound's.
    expect((await zhao.inject({ method: 'DELETE', url: `/api/silences/${wide.json().id}` })).statusCode).toBe(403);
    expect((await zhao.inject({ method: 'DELETE', url: `/api/silences/${first.json().id}` })).statusCode).toBe(204);
    await app.close();
  });
});


describe('logins and scopes', () => {
  // The building notice is public on purpose (residents scan its QR code): it holds no personal data (src/notice/notice.builder.test.ts).
  // So are residents' reports and their receipts (a secret token per receipt: src/api/reports.routes.test.ts).
  const PUBLIC = new Set(['/healthz', '/readyz', '/api/auth/login', '/api/auth/session', '/api/public/notice/{compound}/{building}', '/api/public/reports', '/api/public/reports/{id}']);

  it('says whether the browser is logged in without a 401 (GET /api/auth/session)', async () => {
    const api = await build();
    const anonymous = await api.app.inject('/api/auth/session');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ user: null });
    expect((await api.app.inject({ url: '/api/auth/session', headers: { cookie: 'ch_session=forged' } })).json()).toEqual({ user: null });
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'wang', password: TEST_PASSWORD } });
    const cookie = login.headers['set-cookie']!.toString().split(';')[0]!;
    expect((await api.app.inject({ url: '/api/auth/session', headers: { cookie } })).json().user).toMatchObject({ id: 'wang', role: 'worker' });
    await api.app.close();
  });

  it('answers 401 on every API route without a login, and on /metrics', async () => {
    const api = await build();
    const doc = (await api.app.inject('/docs')).json() as { paths: Record<string, Record<string, unknown>> };
    const tried: string[] = [];
    for (const [route, methods] of Object.entries(doc.paths)) {
      if (PUBLIC.has(route)) continue;
      const url = route.replace(/\{[^}]+\}/g, (p) => (p === '{type}' ? 'elevator' : p === '{compound}' ? 'c01' : 'x1'));
      for (const method of Object.keys(methods)) {
        const res = await api.app.inject({ method: method.toUpperCase() as 'GET', url, ...(method === 'get' ? {} : { payload: {} }) });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error).toBe('UNAUTHORIZED');
        tried.push(`${method} ${route}`);
      }
    }
    expect(tried.length).toBeGreaterThan(15);
    expect((await api.app.inject('/metrics')).statusCode).toBe(401);
    const forged = await api.app.inject({ url: '/api/alerts', headers: { cookie: 'ch_session=forged' } });
    expect(forged.statusCode).toBe(401);
    await api.close();
  });

  it('answers 401 however the path of a guarded route is spelled', async () => {
    const api = await build();
    const doc = (await api.app.inject('/docs')).json() as { paths: Record<string, Record<string, unknown>> };
    const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    const routes = [...Object.keys(doc.paths).filter((r) => !PUBLIC.has(r)), '/metrics'];
    for (const route of routes) {
      const url = route.replace(/\{[^}]+\}/g, (p) => (p === '{type}' ? 'elevator' : p === '{compound}' ? 'c01' : 'a1'));
      // The router decodes percent-encoded letters: each spelling reaches the route, none passes the guard.
      for (const spelled of [url.replace(/^\/(.)/, (_, c: string) => `/${hex(c)}`), url.replace(/^\/(.)/, (_, c: string) => `/${hex(c).toUpperCase()}`), url.replace(/(.)$/, (c) => hex(c))]) {
        const res = await api.app.inject({ method: Object.hasOwn(doc.paths[route] ?? {}, 'get') || route === '/metrics' ? 'GET' : 'POST', url: spelled, payload: {} });
        expect([401, 404], spelled).toContain(res.statusCode);
        if (res.statusCode !== 404) expect(res.json().error, spelled).toBe('UNAUTHORIZED');
      }
    }
    expect((await api.app.inject('/%6Detrics')).statusCode).toBe(401);
    await api.close();
  });

  it('lets Prometheus read /metrics with METRICS_TOKEN, and nothing else', async () => {
    const token = 'prometheus-token-0123456789abcdef';
    const api = await build({ metricsToken: token });
    const bearer = (value: string, url = '/metrics') => api.app.inject({ url, headers: { authorization: `Bearer ${value}` } });
    expect((await bearer(token)).statusCode).toBe(200);
    // Same length in characters, not in bytes: refused, not a 500 from the comparison.
    for (const wrong of [token.slice(0, -1) + 'x', `é${token.slice(1)}`, `${token}x`, '']) expect((await bearer(wrong)).statusCode, wrong).toBe(401);
    expect((await bearer(token, '/api/alerts')).statusCode).toBe(401);
    await api.close();
  });

  it('shows a manager only their compound, through every list and by id', async () => {
    const api = await build();
    const qian = await api.as('qian');
    expect((await qian.inject('/api/compounds')).json().compounds.map((c: { id: string }) => c.id)).toEqual(['c02']);
    expect(new Set((await qian.inject('/api/devices')).json().devices.map((d: { compound: string }) => d.compound))).toEqual(new Set(['c02']));
    expect((await qian.inject('/api/alerts')).json().alerts).toEqual([]);
    expect((await qian.inject('/api/conditions')).json().conditions.every((c: { compound: string }) => c.compound === 'c02')).toBe(true);
    expect((await qian.inject(`/api/alerts/stats?from=0&to=${2e12}`)).json().overall.alerts).toBe(0);
    for (const url of ['/api/alerts/a1', '/api/devices?compound=c01', '/api/devices/c01/elevator/elev-1', '/api/alerts?compound=c01', '/api/conditions?compound=c01', '/api/history/series?type=elevator&compound=c01&device=elev-1&field=floor&from=0']) {
      const res = await qian.inject(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toBe('FORBIDDEN');
    }
    for (const step of ['accept', 'close', 'comment']) {
      expect((await qian.inject({ method: 'POST', url: `/api/alerts/a1/${step}`, payload: { note: 'x' } })).statusCode).toBe(403);
    }
    const silence = await qian.inject({ method: 'POST', url: '/api/silences', payload: { reason: 'x', compound: 'c01', durationMin: 5 } });
    expect(silence.statusCode).toBe(403);
    const sideways = await qian.inject({ method: 'POST', url: '/api/silences', payload: { reason: 'x', device: 'c01/elevator/elev-1', durationMin: 5 } });
    expect(sideways.statusCode).toBe(403);
    const zhao = await api.as('zhao');
    expect((await zhao.inject('/api/alerts')).json().alerts).toHaveLength(2);
    await api.close();
  });

  it('lets a worker act on their own alerts only, and a viewer only look', async () => {
    const api = await build();
    const wang = await api.as('wang');
    expect((await wang.inject('/api/auth/me')).json().user).toMatchObject({ id: 'wang', role: 'worker', compounds: ['c01'], grids: ['g1'] });
    expect((await wang.inject('/api/alerts')).json().alerts).toHaveLength(2);
    for (const url of ['/api/dead-letters', '/api/webhooks/deliveries', '/metrics']) expect((await wang.inject(url)).statusCode, url).toBe(403);
    expect((await wang.inject({ method: 'POST', url: '/api/silences', payload: { reason: 'x', compound: 'c01', durationMin: 5 } })).statusCode).toBe(403);
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/reassign', payload: { assignee: 'li' } })).statusCode).toBe(403);
    const root = api;
    // Only people who may act in the alert's compound can be given it: the API lists them.
    const takers = (await root.inject('/api/alerts/a2/assignees')).json().people;
    expect(takers.map((p: { id: string }) => p.id)).toEqual(['wang', 'root', 'zhao']);
    for (const assignee of ['nobody-here', 'qian', 'sun']) {
      const refused = await root.inject({ method: 'POST', url: '/api/alerts/a2/reassign', payload: { assignee } });
      expect(refused.statusCode, assignee).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'ASSIGNEE_INVALID', params: { assignee } });
    }
    expect((await root.inject({ method: 'POST', url: '/api/alerts/a2/reassign', payload: { assignee: 'zhao' } })).json().assignee).toBe('zhao');
    const notMine = await wang.inject({ method: 'POST', url: '/api/alerts/a2/accept', payload: {} });
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json().message).toMatch(/assigned to zhao/);
    // People by name, within the scope: wang works with c01's manager, not c02's.
    const people = (await wang.inject('/api/people')).json().people.map((p: { id: string }) => p.id);
    expect(people).toEqual(expect.arrayContaining(['wang', 'zhao', 'root']));
    expect(people).not.toContain('qian');
    const sun = await api.as('sun');
    expect((await sun.inject('/api/alerts')).json().alerts).toHaveLength(2);
    expect((await sun.inject('/api/compounds')).json().compounds).toHaveLength(2);
    expect((await sun.inject({ method: 'POST', url: '/api/alerts/a1/accept', payload: {} })).statusCode).toBe(403);
    await api.close();
  });

  it('locks an account after 5 failed logins, answering 429 with Retry-After and until when', async () => {
    const api = await build();
    const attempt = (password: string) => api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhao', password } });
    for (let i = 0; i < 5; i++) {
      const res = await attempt('wrong-guess');
      expect(res.statusCode).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const limited = await attempt(TEST_PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(60);
    expect(limited.json()).toMatchObject({ error: 'RATE_LIMITED', scope: 'account', retryAfterSec: 60, lockedUntil: expect.any(Number) });
    // Another user from the same address is not locked out by zhao's failures.
    expect((await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'qian', password: TEST_PASSWORD } })).statusCode).toBe(200);
    const unknown = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' } });
    expect(unknown.json()).toEqual({ error: 'UNAUTHORIZED', message: 'wrong user name or password' });
    await api.close();
  });

  it('ends a session on logout, and other sessions on a password change', async () => {
    const api = await build();
    const first = await api.as('zhao');
    const second = await api.as('zhao');
    expect((await first.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    expect((await first.inject('/api/auth/me')).statusCode).toBe(401);
    const change = (current: string, next: string) => second.inject({ method: 'POST', url: '/api/auth/password', payload: { current, next } });
    expect((await change('not-it-at-all', 'a-new-password-2')).statusCode).toBe(403);
    expect((await change(TEST_PASSWORD, 'short')).json()).toMatchObject({ error: 'PASSWORD_WEAK', message: 'next: use at least 12 characters', params: { reason: 'too_short', min: 12 } });
    const third = await api.as('zhao');
    expect((await change(TEST_PASSWORD, 'a-new-password-2')).statusCode).toBe(204);
    expect((await second.inject('/api/auth/me')).statusCode).toBe(200);
    expect((await third.inject('/api/auth/me')).statusCode).toBe(401);
    const relogin = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhao', password: 'a-new-password-2' } });
    expect(relogin.statusCode).toBe(200);
    expect(relogin.cookies[0]).toMatchObject({ name: 'ch_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    await api.close();
  });

  it('refuses JSON bodies that carry __proto__ or constructor.prototype, and leaves prototypes alone', async () => {
    const api = await build();
    const silence = '"reason":"x","compound":"c01","durationMin":5';
    for (const [url, body] of [
      ['/api/silences', `{${silence},"__proto__":{"polluted":true}}`],
      ['/api/silences', `{${silence},"constructor":{"prototype":{"polluted":true}}}`],
      ['/api/auth/login', '{"username":"root","password":"x","__proto__":{"polluted":true}}'],
    ] as const) {
      const res = await api.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
      expect(res.statusCode, body).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await api.inject('/api/silences')).json().silences).toEqual([]);
    await api.close();
  });

  it('answers a body or query that fails its schema with 400, the message and one issue per path', async () => {
    const api = await build();
    const res = await api.inject({ method: 'POST', url: '/api/silences', payload: { reason: '', compound: 'C 1', durationMin: 5 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/^\/reason: .+; \/compound: /);
    expect(body.issues).toEqual([
      { path: 'reason', message: expect.any(String) },
      { path: 'compound', message: expect.any(String) },
    ]);
    const query = await api.inject('/api/alerts?severity=apocalyptic');
    expect(query.json().issues).toEqual([{ path: 'severity', message: expect.any(String) }]);
    await api.close();
  });

  it('sets security headers and refuses oversized bodies with 413', async () => {
    const api = await build();
    const res = await api.inject('/api/auth/me');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    const huge = await api.inject({ method: 'POST', url: '/api/alerts/a1/comment', payload: { note: 'x'.repeat(100_000) } });
    expect(huge.statusCode).toBe(413);
    await api.close();
  });
});
