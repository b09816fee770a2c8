/**
 * The northbound routes on two hubs in this process (fastify over real HTTP, real SQLite state,
 * real alert books): a district hub pushes its entries, signed, to a city hub's ingest route; the
 * city's pull API then shows the district's entries (source = the district's name) beside its own.
 * Pull tokens: made by an admin only (secret shown once, audited), scoped to compounds, rate
 * limited, revoked → 401; cursors older than the window → 410; ingest refuses bad signatures,
 * entries that are not v1, and its own entries coming back (a loop).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { testHttpServer } from '../testing/http.fixture.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { accessFixture, TEST_PASSWORD } from '../testing/access.fixture.ts';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { createAuditLog } from '../audit/audit.log.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { NorthboundSettings } from '../config/config.loader.ts';
import type { StateStore } from '../state/state.types.ts';
import { feedPageSchema, figuresEntrySchema, type FeedEntry } from '../contracts/northbound.ts';
import { createNorthboundStage, type NorthboundStage } from './northbound.stage.ts';
import { signedHeaders } from './push.signature.ts';

const INGEST_SECRET = 'city-ingest-secret-0123456789';
const silent = pino({ level: 'silent' });

interface TestHub {
  app: FastifyInstance;
  book: AlertBook;
  stage: NorthboundStage;
  state: StateStore;
  metrics: ReturnType<typeof createHubMetrics>;
  audit: ReturnType<typeof createAuditLog>;
  admin: (options: InjectOptions) => Promise<LightMyRequestResponse>;
  cookie: (user: string) => Promise<string>;
}

async function startHub(settings: Partial<NorthboundSettings> & { hubName: string }): Promise<TestHub> {
  const access = await accessFixture();
  const registry = fixtureRegistry();
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01', 'c02'], workers: ['wang'] }] });
  const rules = await loadRules(undefined);
  let n = 0;
  const book = new AlertBook(alertsConfig, rules, routingFor(alertsConfig), () => `${settings.hubName}-a${++n}`);
  const metrics = createHubMetrics();
  const audit = createAuditLog(access.state.audit, silent);
  const stage = createNorthboundStage({
    settings: { mqtt: false, feedSize: 100, pullRatePerMinute: 1000, ...settings },
    topicRoot: 'compounds',
    alerts: book,
    registry,
    alertsConfig,
    rules: () => rules,
    alertEvents: async () => book.events(),
    publish: async () => {},
    tokens: access.state.northboundTokens,
    audit,
    metrics,
    logger: silent,
  });
  const app = await testHttpServer({ access, registry, alerts: book, alertsConfig, routing: routingFor(alertsConfig), northbound: stage.routes, metrics, audit, logger: silent });
  const cookies = new Map<string, string>();
  const cookie = async (user: string) => {
    if (!cookies.has(user)) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user, password: TEST_PASSWORD } });
      cookies.set(user, `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`);
    }
    return cookies.get(user)!;
  };
  const admin = async (options: InjectOptions) => app.inject({ ...options, headers: { ...options.headers, cookie: await cookie('root') } });
  return { app, book, stage, state: access.state, metrics, audit, admin, cookie };
}

/** A new alert (one open alert per device and rule: another device each time). */
let devices = 0;
const raise = (book: AlertBook, compound: string, at = Date.now()) => {
  const device = `elev-${++devices}`;
  const change: ConditionChange = { change: 'raised', ruleId: 'elevator-fault', kind: 'event', severity: 'major', deviceKey: `${compound}/elevator/${device}`, compound, type: 'elevator', device, at, count: 1 };
  book.applyCondition(change);
};

async function newToken(hub: TestHub, scope: 'all' | string[], name = 'city centre'): Promise<{ id: string; secret: string }> {
  const res = await hub.admin({ method: 'POST', url: '/api/admin/northbound/tokens', payload: { name, scope } });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return { id: body.token.id, secret: body.secret };
}

const pull = (hub: TestHub, secret: string | undefined, query = '') =>
  hub.app.inject({ url: `/api/northbound/v1/feed${query}`, headers: secret ? { authorization: `Bearer ${secret}` } : {} });

let city: TestHub;
let district: TestHub;
let cityUrl: string;

beforeAll(async () => {
  city = await startHub({ hubName: 'city-hz', ingestSecret: INGEST_SECRET });
  cityUrl = await city.app.listen({ host: '127.0.0.1', port: 0 });
  district = await startHub({ hubName: 'district-xihu', push: { url: `${cityUrl}/api/northbound/v1/ingest`, secret: INGEST_SECRET, queue: 100, maxAttempts: 3, retryBaseMs: 10 } });
});
afterAll(async () => {
  for (const hub of [district, city]) {
    await hub?.stage.stop();
    await hub?.app.close();
    await hub?.state.close();
  }
});

describe('pull tokens', () => {
  it('are made, listed and revoked by admins only; the secret is shown once and kept only as its digest; both audited', async () => {
    expect((await city.app.inject({ method: 'POST', url: '/api/admin/northbound/tokens', payload: { name: 'x', scope: 'all' } })).statusCode).toBe(401);
    const asManager = await city.app.inject({ method: 'POST', url: '/api/admin/northbound/tokens', payload: { name: 'x', scope: 'all' }, headers: { cookie: await city.cookie('zhao') } });
    expect(asManager.statusCode).toBe(403);
    expect((await city.admin({ method: 'POST', url: '/api/admin/northbound/tokens', payload: { name: 'x', scope: ['c77'] } })).json()).toMatchObject({ error: 'BAD_REQUEST', message: 'scope: unknown compound c77' });

    const { id, secret } = await newToken(city, ['c01'], 'district centre');
    expect(secret).toMatch(/^chnb_[A-Za-z0-9_-]{43}$/);
    const list = await city.admin({ url: '/api/admin/northbound/tokens' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.json().tokens).toEqual([{ id, name: 'district centre', scope: ['c01'], createdBy: 'root', createdAt: expect.any(Number), revokedAt: null, lastUsedAt: null }]);
    const kept = JSON.stringify(await city.state.northboundTokens.list());
    expect(kept).not.toContain(secret);

    expect((await pull(city, secret)).statusCode).toBe(200);
    const revoked = await city.admin({ method: 'DELETE', url: `/api/admin/northbound/tokens/${id}` });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().token).toMatchObject({ id, revokedAt: expect.any(Number), lastUsedAt: expect.any(Number) });
    const after = await pull(city, secret);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: 'TOKEN_INVALID', message: 'the token was revoked' });
    expect((await city.admin({ method: 'DELETE', url: '/api/admin/northbound/tokens/nbt-000000000000' })).statusCode).toBe(404);

    await city.audit.flush();
    const entries = await city.state.audit.query({ limit: 100 });
    const mine = entries.filter((e) => e.target === `northbound-token:${id}`).map((e) => ({ action: e.action, actor: e.actor, after: e.after }));
    expect(mine).toEqual(
      expect.arrayContaining([
        { action: 'northbound_token_created', actor: 'root', after: { name: 'district centre', scope: ['c01'] } },
        { action: 'northbound_token_revoked', actor: 'root', after: { revokedAt: expect.any(String) } },
      ]),
    );
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('refuses a missing, malformed or unknown token with 401 TOKEN_INVALID, before reading the query', async () => {
    for (const secret of [undefined, 'chnb_unknown']) {
      const res = await pull(city, secret, '?limit=abc');
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('TOKEN_INVALID');
    }
    const basic = await city.app.inject({ url: '/api/northbound/v1/feed', headers: { authorization: 'Basic cm9vdDpwdw==' } });
    expect(basic.statusCode).toBe(401);
    // A session cookie is no token.
    expect((await city.admin({ url: '/api/northbound/v1/feed' })).statusCode).toBe(401);
  });
});

describe('pulling the feed', () => {
  it('gives a token the entries of its compounds only, oldest first, in pages with cursors', async () => {
    const { secret } = await newToken(district, ['c01']);
    raise(district.book, 'c01');
    raise(district.book, 'c02');
    const first = await pull(district, secret, '?limit=1');
    expect(first.statusCode).toBe(200);
    const page = feedPageSchema.parse(first.json());
    expect(page.entries.map((e) => e.entry.kind === 'alert_event' && `${e.entry.compound.id}:${e.entry.event.kind}`)).toEqual(['c01:raised']);
    expect(page.more).toBe(true);
    const rest = feedPageSchema.parse((await pull(district, secret, `?after=${page.next}`)).json());
    expect(rest.entries.map((e) => e.entry.kind === 'alert_event' && `${e.entry.compound.id}:${e.entry.event.kind}`)).toEqual(['c01:dispatched']);
    expect(rest.more).toBe(false);
    for (const { entry } of [...page.entries, ...rest.entries]) expect(entry.source).toBe('district-xihu');
    // Nothing new: an empty page and the same cursor.
    const empty = feedPageSchema.parse((await pull(district, secret, `?after=${rest.next}`)).json());
    expect(empty).toMatchObject({ entries: [], next: rest.next, more: false });
  });

  it('answers 410 CURSOR_EXPIRED for a cursor older than the window, 400 for one it never gave', async () => {
    const hub = await startHub({ hubName: 'small', feedSize: 2 });
    try {
      const { secret } = await newToken(hub, 'all');
      raise(hub.book, 'c01');
      const cursor = feedPageSchema.parse((await pull(hub, secret, '?limit=1')).json()).next;
      raise(hub.book, 'c02');
      const res = await pull(hub, secret, `?after=${cursor}`);
      expect(res.statusCode).toBe(410);
      expect(res.json().error).toBe('CURSOR_EXPIRED');
      expect((await pull(hub, secret, '?after=ffff.1')).statusCode).toBe(410);
      expect((await pull(hub, secret, '?after=bogus')).json().error).toBe('BAD_REQUEST');
    } finally {
      await hub.stage.stop();
      await hub.app.close();
      await hub.state.close();
    }
  });

  it('limits each token’s rate (429 RATE_LIMITED with Retry-After), apart from other tokens', async () => {
    const hub = await startHub({ hubName: 'slow', pullRatePerMinute: 2 });
    try {
      const a = await newToken(hub, 'all', 'a');
      const b = await newToken(hub, 'all', 'b');
      expect((await pull(hub, a.secret)).statusCode).toBe(200);
      expect((await pull(hub, a.secret)).statusCode).toBe(200);
      const limited = await pull(hub, a.secret);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await pull(hub, b.secret)).statusCode).toBe(200);
    } finally {
      await hub.stage.stop();
      await hub.app.close();
      await hub.state.close();
    }
  });

  it('answers a figures snapshot on request, limited to the token’s compounds (without overall)', async () => {
    const all = await newToken(district, 'all');
    const some = await newToken(district, ['c01']);
    const full = figuresEntrySchema.parse((await district.app.inject({ url: '/api/northbound/v1/figures', headers: { authorization: `Bearer ${all.secret}` } })).json());
    expect(full.source).toBe('district-xihu');
    expect(full.overall!.alerts).toBeGreaterThanOrEqual(2);
    expect(Object.keys(full.byCompound).sort()).toEqual(['c01', 'c02']);
    const scoped = figuresEntrySchema.parse((await district.app.inject({ url: '/api/northbound/v1/figures', headers: { authorization: `Bearer ${some.secret}` } })).json());
    expect(Object.keys(scoped.byCompound)).toEqual(['c01']);
    expect(scoped).not.toHaveProperty('overall');
  });
});

describe('figures in the feed', () => {
  it('adds a figures snapshot to the feed every NORTHBOUND_FIGURES_INTERVAL, the last 24 hours by compound', async () => {
    const hub = await startHub({ hubName: 'ticking', figuresIntervalMs: 30 });
    try {
      const { secret } = await newToken(hub, 'all');
      raise(hub.book, 'c02');
      const figures = async () => feedPageSchema.parse((await pull(hub, secret, '?limit=1000')).json()).entries.filter((e) => e.entry.kind === 'figures');
      // Snapshots made before the alert count none; a later one counts it.
      await expect.poll(async () => (await figures()).some((f) => f.entry.kind === 'figures' && f.entry.overall?.alerts === 1)).toBe(true);
      const entry = (await figures()).at(-1)!.entry;
      expect(entry.kind === 'figures' && entry).toMatchObject({ source: 'ticking', overall: { alerts: 1 }, byCompound: { c02: { alerts: 1 } } });
      expect(entry.kind === 'figures' && entry.to - entry.from).toBe(24 * 3_600_000);
    } finally {
      await hub.stage.stop();
      await hub.app.close();
      await hub.state.close();
    }
  });
});

describe('forwarding from a district hub to a city hub', () => {
  it('shows the district’s entries, signed and checked on the way, in the city’s pull beside the city’s own', async () => {
    const { secret } = await newToken(city, 'all');
    const before = feedPageSchema.parse((await pull(city, secret)).json()).next;
    raise(district.book, 'c02');
    raise(city.book, 'c01');
    const sources = async () => {
      const page = feedPageSchema.parse((await pull(city, secret, `?after=${before}`)).json());
      return page.entries.map(({ entry }) => `${entry.source}:${entry.kind === 'alert_event' ? `${entry.compound.id}:${entry.event.kind}` : entry.kind}`).sort();
    };
    await expect.poll(sources, { timeout: 5000 }).toEqual(['city-hz:c01:dispatched', 'city-hz:c01:raised', 'district-xihu:c02:dispatched', 'district-xihu:c02:raised']);
    expect(await city.metrics.northboundEntries.get()).toMatchObject({ values: expect.arrayContaining([expect.objectContaining({ labels: { kind: 'alert_event', origin: 'forwarded' } })]) });
  });

  it('refuses an unsigned or wrongly signed entry (401), one that is not v1 (400), its own coming back (409); keeps a repeat once', async () => {
    const entry: FeedEntry = {
      v: 1,
      id: 'a9.0',
      kind: 'alert_event',
      at: Date.now(),
      source: 'district-b',
      compound: { id: 'c09', name: '九号小区' },
      alert: { id: 'a9', rule: 'manhole-tilt', name: { zh: '井盖倾斜', en: 'Manhole tilted' }, severity: 'major', type: 'manhole', workflow: 'new', condition: 'active', raisedAt: Date.now() },
      event: { kind: 'raised', at: Date.now(), by: 'hub' },
    };
    const post = (body: string, headers: Record<string, string>) => city.app.inject({ method: 'POST', url: '/api/northbound/v1/ingest', payload: body, headers });
    const body = JSON.stringify(entry);
    expect((await post(body, { 'content-type': 'application/json' })).json()).toMatchObject({ error: 'SIGNATURE_INVALID' });
    expect((await post(body, signedHeaders('not-the-city-secret-000', body, Date.now()))).statusCode).toBe(401);
    expect((await post(body, signedHeaders(INGEST_SECRET, body, Date.now() - 10 * 60_000))).statusCode).toBe(401);
    const v2 = JSON.stringify({ ...entry, v: 2 });
    expect((await post(v2, signedHeaders(INGEST_SECRET, v2, Date.now()))).statusCode).toBe(400);
    const own = JSON.stringify({ ...entry, source: 'city-hz' });
    expect((await post(own, signedHeaders(INGEST_SECRET, own, Date.now()))).statusCode).toBe(409);
    const first = await post(body, signedHeaders(INGEST_SECRET, body, Date.now()));
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({ kept: true });
    const again = await post(body, signedHeaders(INGEST_SECRET, body, Date.now()));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ kept: false });
    // A hub without NORTHBOUND_INGEST_SECRET has no ingest route.
    expect((await district.app.inject({ method: 'POST', url: '/api/northbound/v1/ingest', payload: body, headers: signedHeaders(INGEST_SECRET, body, Date.now()) })).statusCode).toBe(404);
  });
});
