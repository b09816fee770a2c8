/** `POST /api/alerts/{id}/arrive` (到场): validated, scope- and role-checked, audited; accepting when the call tree rang you. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { testHttpServer } from '../testing/http.fixture.ts';
import { fixtureRegistryFile } from '../testing/registry.fixture.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { accessFixture, FIXTURE_USERS, TEST_PASSWORD } from '../testing/access.fixture.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import { sitesOf } from '../alerts/arrival.policy.ts';
import { Routing } from '../alerts/routing.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { createAuditLog } from '../audit/audit.log.ts';
import type { StateStore } from '../state/state.types.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';

const AT = 1_800_000_000_000;
const MIN = 60_000;
/** c01 stands at 30.2905 N 120.1229 E (a city compound). */
const C01 = { lat: 30.2905, lon: 120.1229 };

interface Client {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

let app: FastifyInstance;
let state: StateStore;
let alerts: AlertBook;
const clock = { now: AT };
let entries: () => Promise<Array<{ action: string; actor: string; target?: string; note?: string; after?: unknown }>>;

async function login(user: string): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user, password: TEST_PASSWORD } });
  const cookie = `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`;
  return { inject: (o) => app.inject({ ...o, headers: { ...o.headers, cookie } }) };
}
const arrive = (client: Client, id: string, payload: object) => client.inject({ method: 'POST', url: `/api/alerts/${id}/arrive`, payload });
const raise = (ruleId: string, device: string, severity: ConditionChange['severity'] = 'critical'): ConditionChange => ({
  change: 'raised', ruleId, kind: 'event', severity, deviceKey: `c01/elevator/${device}`, compound: 'c01', type: 'elevator', device, at: clock.now, count: 1,
});

beforeAll(async () => {
  const file = fixtureRegistryFile();
  file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.location = C01;
  const registry = buildRegistry(parseRegistry(file, 'fixture'));
  // li is a second worker of grid g1: the call tree rings him after wang.
  const access = await accessFixture([...FIXTURE_USERS, { id: 'li', role: 'worker', grids: ['g1'], password: TEST_PASSWORD }]);
  state = access.state;
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }], remindMin: {} });
  const routing = new Routing(alertsConfig, () => access.users.list().map((u) => describeUser(u, alertsConfig)));
  const rules = await loadRules(undefined);
  let n = 0;
  alerts = new AlertBook(alertsConfig, rules, routing, () => `a${++n}`, sitesOf(registry));
  const logger = pino({ level: 'silent' });
  const audit = createAuditLog(state.audit, logger, () => clock.now);
  entries = async () => {
    await audit.flush();
    return (await state.audit.query({ limit: 1000 })).reverse();
  };
  app = await testHttpServer({ access, registry, alerts, alertsConfig, routing, rules: () => rules, now: () => clock.now, logger, audit });
});
afterAll(async () => {
  await app?.close();
  await state?.close();
});

describe('POST /api/alerts/:id/arrive', () => {
  it('records the assignee on site with the browser position and its distance from the compound, audited once', async () => {
    alerts.applyCondition(raise('elevator-trapped', 'elev-1'));
    const wang = await login('wang');
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/accept', payload: {} })).statusCode).toBe(200);
    clock.now += 12 * MIN;
    // 0.002° north of the compound: 222 m.
    const res = await arrive(wang, 'a1', { position: { lat: 30.2925, lon: 120.1229, accuracyM: 15 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().arrival).toEqual({ dueAt: AT + 30 * MIN, at: AT + 12 * MIN, by: 'wang', position: { lat: 30.2925, lon: 120.1229, accuracyM: 15 }, distanceM: 222 });
    expect(res.json().history.at(-1)).toMatchObject({ kind: 'arrived', actor: 'wang', distanceM: 222 });
    // Again (a retry on a flaky connection): the same alert, nothing recorded twice.
    const again = await arrive(wang, 'a1', { position: { lat: 0, lon: 0 } });
    expect(again.statusCode).toBe(200);
    expect(again.json().arrival.distanceM).toBe(222);
    const steps = (await entries()).filter((e) => e.action === 'alert_arrived');
    expect(steps).toEqual([expect.objectContaining({ action: 'alert_arrived', actor: 'wang', target: 'alert:a1', note: '222 m from the compound' })]);
  });

  it('refuses positions off the globe and malformed bodies with 400, before anything happens', async () => {
    alerts.applyCondition(raise('elevator-trapped', 'elev-2'));
    const wang = await login('wang');
    for (const position of [{ lat: 91, lon: 120 }, { lat: 30, lon: -180.5 }, { lat: 30 }, { lat: '30', lon: 120 }, { lat: 30, lon: 120, accuracyM: -1 }]) {
      const res = await arrive(wang, 'a2', { position });
      expect(res.statusCode, JSON.stringify(position)).toBe(400);
      expect(res.json().error).toBe('BAD_REQUEST');
    }
    expect(alerts.get('a2')).toMatchObject({ workflow: 'dispatched', arrival: { dueAt: expect.any(Number) } });
    expect(alerts.get('a2').arrival!.at).toBeUndefined();
  });

  it('lets a worker the call tree rang accept and arrive (arriving accepts), and nobody else', async () => {
    alerts.applyCondition(raise('elevator-alarm-button', 'elev-3', 'major'));
    const li = await login('li');
    const sun = await login('sun');
    // Not rung yet: not his.
    expect((await arrive(li, 'a3', {})).statusCode).toBe(403);
    expect((await arrive(sun, 'a3', {})).statusCode).toBe(403);
    // Major alerts ring the next worker after 5 min.
    alerts.tick(clock.now + 5 * MIN);
    expect(alerts.get('a3')).toMatchObject({ assignee: 'wang', called: ['li'] });
    clock.now += 6 * MIN;
    const res = await arrive(li, 'a3', {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ workflow: 'accepted', assignee: 'li', arrival: { at: clock.now, by: 'li' } });
    expect(res.json().arrival).not.toHaveProperty('distanceM');
    expect(res.json().history.slice(-2).map((e: { kind: string }) => e.kind)).toEqual(['accepted', 'arrived']);
    // Now it is li's: wang, rung first, may not act on it.
    const wang = await login('wang');
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a3/resolve', payload: { note: 'x' } })).statusCode).toBe(403);
  });

  it('says an alert whose rule needs no arrival cannot be arrived at (409 INVALID_TRANSITION)', async () => {
    alerts.applyCondition(raise('elevator-overspeed', 'elev-4'));
    const wang = await login('wang');
    const res = await arrive(wang, 'a4', {});
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'INVALID_TRANSITION', params: { id: 'a4', action: 'arrive' } });
  });

  it('documents the route in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs' })).json();
    const route = doc.paths['/api/alerts/{id}/arrive'];
    expect(route.post).toBeDefined();
    expect(JSON.stringify(route.post.requestBody)).toMatch(/"lat".*"minimum":-90.*"maximum":90/);
  });
});

describe('GET /api/alerts/stats: arrival figures', () => {
  it('counts the rescues on site in time, by compound and by street', async () => {
    const root = await login('root');
    const stats = (await root.inject({ method: 'GET', url: `/api/alerts/stats?from=${AT - MIN}` })).json();
    // The alerts of the tests above: a1 on site 12 min after dispatch, a3 after 6 min; a2 (dispatched 6 min ago) is not due yet; a4 is no rescue.
    expect(stats.overall).toMatchObject({ alerts: 4, rescues: 3, arrived: 2, timeToArrive: { mean: 540, p90: 720 }, arrivalCounted: 2, arrivedInTime: 2, arrivalRate: 1 });
    expect(Object.keys(stats.byStreet)).toEqual(['wenxin']);
    expect(stats.byStreet.wenxin).toEqual(stats.byCompound.c01);
  });
});

describe('an accepted rescue late on site: the person the escalation told', () => {
  it('sees it (listed as theirs, and by id) and may comment, but may not check in or resolve: the assignee acts', async () => {
    clock.now += 60 * MIN;
    alerts.applyCondition(raise('elevator-trapped', 'elev-5'));
    const id = alerts.list({ open: true }).find((a) => a.device === 'elev-5')!.id;
    const wang = await login('wang');
    expect((await wang.inject({ method: 'POST', url: `/api/alerts/${id}/accept`, payload: {} })).statusCode).toBe(200);
    alerts.tick(clock.now + 30 * MIN);
    clock.now += 31 * MIN;
    expect(alerts.get(id)).toMatchObject({ workflow: 'accepted', assignee: 'wang', escalatedTo: ['li'] });
    const li = await login('li');
    const mine = (await li.inject({ method: 'GET', url: '/api/alerts?assignee=li&open=true' })).json();
    expect(mine.alerts.find((a: { id: string }) => a.id === id)).toMatchObject({ assignee: 'wang', escalatedTo: ['li'] });
    expect((await li.inject({ method: 'GET', url: `/api/alerts/${id}` })).json()).toMatchObject({ escalatedTo: ['li'] });
    expect((await li.inject({ method: 'POST', url: `/api/alerts/${id}/comment`, payload: { note: '我去看看' } })).statusCode).toBe(200);
    expect((await arrive(li, id, {})).statusCode).toBe(403);
    expect((await li.inject({ method: 'POST', url: `/api/alerts/${id}/resolve`, payload: { note: 'x' } })).statusCode).toBe(403);
    expect(alerts.get(id)).toMatchObject({ workflow: 'accepted', assignee: 'wang' });
    expect((await arrive(wang, id, {})).statusCode).toBe(200);
  });
});
