/** The notice routes (fastify inject): the public notice without a login, kept 10 s (by the hub and by browsers), 404 codes; the QR sheet for the compound's managers, its CSP allowing its one style. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { testHttpServer } from '../testing/http.fixture.ts';
import { fixtureRegistryFile } from '../testing/registry.fixture.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { accessFixture, TEST_PASSWORD } from '../testing/access.fixture.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import { sitesOf } from '../alerts/arrival.policy.ts';
import { Routing } from '../alerts/routing.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { StateStore } from '../state/state.types.ts';
import type { NoticeAnswer } from '../contracts/notice.ts';
import type { ApiDeps } from './api.types.ts';

const AT = 1_800_000_000_000;
let app: FastifyInstance;
let state: StateStore;
let alerts: AlertBook;
let deps: Pick<ApiDeps, 'registry' | 'alertsConfig' | 'routing'>;
const clock = { now: AT };
const HOST = '127.0.0.1:8080';

const cookieOf = async (user: string) => {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user, password: TEST_PASSWORD } });
  return `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`;
};
const notice = (building = 'b1', compound = 'c01') => app.inject({ method: 'GET', url: `/api/public/notice/${compound}/${building}` });

beforeAll(async () => {
  const file = fixtureRegistryFile();
  const c01 = file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
  c01.buildings = { b1: '1号楼', b2: '2号楼 <东>' };
  c01.devices![0]!.name = '1号楼 1号电梯';
  const registry = buildRegistry(parseRegistry(file, 'fixture'));
  const access = await accessFixture();
  state = access.state;
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] });
  const routing = new Routing(alertsConfig, () => access.users.list().map((u) => describeUser(u, alertsConfig)));
  const rules = await loadRules(undefined);
  let n = 0;
  alerts = new AlertBook(alertsConfig, rules, routing, () => `a${++n}`, sitesOf(registry));
  deps = { registry, alertsConfig, routing };
  app = await testHttpServer({ access, registry, alerts, alertsConfig, routing, rules: () => rules, now: () => clock.now });
});
afterAll(async () => {
  await app?.close();
  await state?.close();
});

describe('GET /api/public/notice/:compound/:building', () => {
  it('answers without a login, kept 10 s by the hub and by browsers', async () => {
    const empty = await notice();
    expect(empty.statusCode).toBe(200);
    expect(empty.headers['cache-control']).toBe('public, max-age=10');
    expect(empty.json<NoticeAnswer>()).toEqual({ compound: { id: 'c01', name: '翠苑一区' }, building: { id: 'b1', name: '1号楼' }, at: AT, open: [], fixed: [] });

    alerts.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at: AT, count: 1 });
    clock.now = AT + 9_999;
    expect((await notice()).json<NoticeAnswer>().open).toEqual([]);
    clock.now = AT + 10_000;
    const fresh = (await notice()).json<NoticeAnswer>();
    expect(fresh.at).toBe(AT + 10_000);
    expect(fresh.open).toEqual([{ what: { zh: '电梯困人', en: 'Passenger trapped in elevator' }, device: '1号楼 1号电梯', type: 'elevator', since: AT, state: 'reported' }]);
    expect(JSON.stringify(fresh)).not.toMatch(/elev-1|wang|a1|assignee/);
  });

  it('answers 404 NOT_FOUND for an unknown compound or building, not to be kept', async () => {
    for (const [compound, building] of [['nope', 'b1'], ['c01', 'b7']] as const) {
      const res = await notice(building, compound);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: 'NOT_FOUND' });
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});

describe('GET /api/compounds/:id/notice-qr', () => {
  it('is for admins and the compound’s managers only', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/compounds/c01/notice-qr', headers: { host: HOST } })).statusCode).toBe(401);
    for (const user of ['qian', 'wang', 'sun']) {
      expect((await app.inject({ method: 'GET', url: '/api/compounds/c01/notice-qr', headers: { host: HOST, cookie: await cookieOf(user) } })).statusCode, user).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/compounds/nope/notice-qr', headers: { host: HOST, cookie: await cookieOf('root') } })).statusCode).toBe(404);
  });

  it('prints one QR code per building pointing at its public page, under a CSP that allows its style and no script', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/compounds/c01/notice-qr', headers: { host: HOST, cookie: await cookieOf('zhao') } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = res.body;
    expect(page.match(/<svg/g)?.length).toBe(2);
    expect(page).toContain(`http://${HOST}/notice/c01/b1`);
    expect(page).toContain(`http://${HOST}/notice/c01/b2`);
    // Names are escaped.
    expect(page).toContain('2号楼 &lt;东&gt;');
    expect(page).not.toContain('<东>');
    expect(page).not.toMatch(/<script/i);
    const csp = String(res.headers['content-security-policy']);
    const style = /<style>([^<]*)<\/style>/.exec(page)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(csp).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('points at PUBLIC_URL when it is set, whatever address the sheet was opened under', async () => {
    const access = await accessFixture();
    const pub = await testHttpServer({ access, registry: deps.registry, alerts, alertsConfig: deps.alertsConfig, routing: deps.routing, publicUrl: 'https://hub.example.com' });
    try {
      const login = await pub.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhao', password: TEST_PASSWORD } });
      const cookie = `ch_session=${login.cookies.find((c) => c.name === 'ch_session')!.value}`;
      const page = (await pub.inject({ method: 'GET', url: '/api/compounds/c01/notice-qr', headers: { host: HOST, cookie } })).body;
      expect(page).toContain('https://hub.example.com/notice/c01/b1');
      expect(page).toContain('https://hub.example.com/notice/c01/b2');
      expect(page).not.toContain(HOST);
    } finally {
      await pub.close();
      await access.state.close();
    }
  });
});
