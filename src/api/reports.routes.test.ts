/**
 * The resident report routes (fastify inject): a report without a login becomes a dispatched
 * `resident-report` alert and answers a receipt whose token only the resident has (the alert keeps
 * its SHA-256, never answered); the receipt's progress with nothing personal; wrong token and
 * unknown id alike 404; bad input 400/404/413/415; the per-address limit, taken at once by
 * concurrent requests, 429 with Retry-After, counted and audited as a refusal; spam for the
 * compound's managers only, on reports only.
 */
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
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import type { StateStore } from '../state/state.types.ts';
import type { Refusal } from '../audit/refusals.audit.ts';
import { createAuditLog, type AuditLog } from '../audit/audit.log.ts';
import pino from 'pino';
import { REPORTS_PER_ADDRESS_PER_HOUR, type ReportProgress, type ReportReceipt } from '../contracts/reports.ts';
import { PHOTO_MAX_BYTES } from '../contracts/alert-photos.ts';
import type { Alert } from '../alerts/alert.types.ts';

const AT = 1_800_000_000_000;
const TEXT = '3号门消防通道被电动车堵住了';
let app: FastifyInstance;
let state: StateStore;
let alerts: AlertBook;
let audit: AuditLog;
const metrics = createHubMetrics();
const refusals: Refusal[] = [];
const clock = { now: AT };
let address = 0;
/** Each test its own client address, so the per-address limit is the test's own. */
const nextAddress = () => `198.51.100.${++address}`;

const cookieOf = async (user: string) => {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user, password: TEST_PASSWORD } });
  return `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`;
};
const send = (payload: object, remoteAddress = nextAddress()) => app.inject({ method: 'POST', url: '/api/public/reports', payload, remoteAddress });
const report = (over: object = {}) => ({ compound: 'c01', building: 'b1', category: 'fire_lane', text: TEXT, ...over });
const progress = (receipt: string) => app.inject({ method: 'GET', url: receipt.replace(/^\/report\//, '/api/public/reports/') });
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

beforeAll(async () => {
  const file = fixtureRegistryFile();
  file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.buildings = { b1: '1号楼', b2: '2号楼' };
  const registry = buildRegistry(parseRegistry(file, 'fixture'));
  const access = await accessFixture();
  state = access.state;
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] });
  const routing = new Routing(alertsConfig, () => access.users.list().map((u) => describeUser(u, alertsConfig)));
  const rules = await loadRules(undefined);
  let n = 0;
  alerts = new AlertBook(alertsConfig, rules, routing, () => `a${++n}`, sitesOf(registry));
  audit = createAuditLog(state.audit, pino({ level: 'silent' }), () => clock.now);
  app = await testHttpServer({ access, registry, alerts, alertsConfig, routing, rules: () => rules, now: () => clock.now, metrics, photos: state.alertPhotos, audit, refusals: { refused: (r) => refusals.push(r) } });
});
afterAll(async () => {
  await app?.close();
  await state?.close();
});

describe('POST /api/public/reports', () => {
  it('takes a report without a login: a dispatched resident-report alert, a receipt whose token the alert keeps only hashed', async () => {
    const res = await send(report());
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    const receipt = res.json<ReportReceipt>();
    const token = /^\/report\/([^?]+)\?t=([A-Za-z0-9_-]{24})$/.exec(receipt.receipt);
    expect(token?.[1]).toBe(receipt.id);
    const alert = alerts.get(receipt.id);
    expect(alert).toMatchObject({ ruleId: 'resident-report', severity: 'minor', type: 'fire_lane', workflow: 'dispatched', assignee: 'wang', report: { category: 'fire_lane', building: 'b1', text: TEXT } });
    expect(alert.report!.tokenHash).toBe(createHash('sha256').update(token![2]!).digest('hex'));

    // The manager sees it with its text, never the hash.
    const seen = await app.inject({ method: 'GET', url: `/api/alerts/${receipt.id}`, headers: { cookie: await cookieOf('zhao') } });
    expect(seen.json<Alert>().report).toEqual({ id: receipt.id, category: 'fire_lane', building: 'b1', buildingName: '1号楼', text: TEXT });
    expect(seen.body).not.toContain(alert.report!.tokenHash!);
  });

  it('keeps a photo (sniffed, as an alert photo staff may read) and refuses what is no image or too large', async () => {
    const ok = await send(report({ photo: png.toString('base64') }));
    expect(ok.statusCode).toBe(200);
    const alert = alerts.get(ok.json<ReportReceipt>().id);
    const photoId = alert.report!.photo!;
    expect((await state.alertPhotos.info(photoId))).toMatchObject({ alertId: alert.id, compound: 'c01', type: 'image/png', bytes: png.length, by: 'resident' });
    const image = await app.inject({ method: 'GET', url: `/api/alerts/${alert.id}/photos/${photoId}`, headers: { cookie: await cookieOf('zhao') } });
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(png)).toBe(true);
    // Without a login the photo is not to be had.
    expect((await app.inject({ method: 'GET', url: `/api/alerts/${alert.id}/photos/${photoId}` })).statusCode).toBe(401);

    expect((await send(report({ photo: Buffer.from('<svg onload=alert(1)>').toString('base64') }))).json()).toMatchObject({ error: 'PHOTO_TYPE' });
    expect((await send(report({ photo: 'not base64!' }))).statusCode).toBe(415);
    const big = await send(report({ photo: Buffer.concat([png, Buffer.alloc(PHOTO_MAX_BYTES)]).toString('base64') }));
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'PHOTO_TOO_LARGE' });
  });

  it('refuses an unknown compound or building (404) and bad input (400), raising nothing', async () => {
    const before = alerts.list().length;
    expect((await send(report({ compound: 'nope' }))).statusCode).toBe(404);
    expect((await send(report({ building: 'b9' }))).json()).toMatchObject({ error: 'NOT_FOUND' });
    for (const bad of [{ category: 'noise' }, { text: '   ' }, { text: 'x'.repeat(501) }, { extra: 1, text: '' }]) {
      expect((await send(report(bad))).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect(alerts.list().length).toBe(before);
  });

  it('lets one address send REPORTS_PER_ADDRESS_PER_HOUR at once, however concurrent, then 429 with Retry-After, counted and audited', async () => {
    const from = nextAddress();
    const before = alerts.list().length;
    const answers = await Promise.all(Array.from({ length: REPORTS_PER_ADDRESS_PER_HOUR + 3 }, () => send(report({ building: 'b2' }), from)));
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(REPORTS_PER_ADDRESS_PER_HOUR);
    expect(codes.filter((c) => c === 429)).toHaveLength(3);
    expect(alerts.list().length).toBe(before + REPORTS_PER_ADDRESS_PER_HOUR);
    const refused = answers.find((a) => a.statusCode === 429)!;
    expect(refused.json()).toMatchObject({ error: 'RATE_LIMITED', params: { retryAfterSec: 720 } });
    expect(refused.headers['retry-after']).toBe('720');
    expect(refused.headers['cache-control']).toBe('no-store');
    const counted = await metrics.residentReports.get();
    expect(counted.values.find((v) => v.labels.outcome === 'refused_address')?.value).toBe(3);
    expect(refusals.filter((r) => r.address === from)).toEqual(Array.from({ length: 3 }, () => ({ action: 'report_refused', channel: 'http', address: from, target: 'POST /api/public/reports', note: 'RATE_LIMITED per address (c01/b2)' })));
    // Another address may still report in b2.
    expect((await send(report({ building: 'b2' }))).statusCode).toBe(200);
  });
});

describe('GET /api/public/reports/:id', () => {
  it('answers the progress with the token: names and times only; a wrong token and an unknown id are the same 404', async () => {
    const receipt = (await send(report({ category: 'elevator', text: '电梯按钮失灵 王先生 13800000000' }))).json<ReportReceipt>();
    const res = await progress(receipt.receipt);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json<ReportProgress>()).toEqual({ id: receipt.id, category: 'elevator', compound: { name: '翠苑一区' }, building: { name: '1号楼' }, createdAt: AT, state: 'reported', steps: [{ state: 'reported', at: AT }] });
    expect(res.body).not.toMatch(/wang|13800000000|王先生|report-|c01|b1|tokenHash/);

    const wrong = await progress(receipt.receipt.replace(/t=.*/, 't=AAAAAAAAAAAAAAAAAAAAAAAA'));
    const unknown = await progress(receipt.receipt.replace(receipt.id, 'a999'));
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: 'NOT_FOUND' });
    }
    expect(wrong.json().message.replace(receipt.id, 'X')).toBe(unknown.json().message.replace('a999', 'X'));
    // A token is needed at all.
    expect((await app.inject({ method: 'GET', url: `/api/public/reports/${receipt.id}` })).statusCode).toBe(400);
  });

  it('follows the workflow: in progress once accepted, fixed once resolved', async () => {
    const receipt = (await send(report())).json<ReportReceipt>();
    const wang = await cookieOf('wang');
    clock.now = AT + 60_000;
    expect((await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/accept`, headers: { cookie: wang }, payload: {} })).statusCode).toBe(200);
    expect((await progress(receipt.receipt)).json<ReportProgress>()).toMatchObject({ state: 'in_progress', steps: [{ state: 'reported', at: AT }, { state: 'in_progress', at: AT + 60_000 }] });
    clock.now = AT + 120_000;
    expect((await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/resolve`, headers: { cookie: wang }, payload: { note: '已挪走，联系车主李某' } })).statusCode).toBe(200);
    const fixed = await progress(receipt.receipt);
    expect(fixed.json<ReportProgress>()).toMatchObject({ state: 'fixed', steps: [{ state: 'reported' }, { state: 'in_progress' }, { state: 'fixed', at: AT + 120_000 }] });
    expect(fixed.body).not.toContain('李某');
    // The manager may close it: its condition cleared on resolve.
    expect((await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/close`, headers: { cookie: await cookieOf('zhao') }, payload: {} })).statusCode).toBe(200);
    expect((await progress(receipt.receipt)).json<ReportProgress>().state).toBe('fixed');
    clock.now = AT;
  });
});

describe('POST /api/alerts/:id/spam', () => {
  it('closes a report as spam for the compound’s manager; a worker, another compound’s manager or a non-report are refused', async () => {
    const receipt = (await send(report())).json<ReportReceipt>();
    expect((await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/spam`, payload: {} })).statusCode).toBe(401);
    for (const user of ['wang', 'qian', 'sun']) {
      expect((await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/spam`, headers: { cookie: await cookieOf(user) }, payload: {} })).statusCode, user).toBe(403);
    }
    const res = await app.inject({ method: 'POST', url: `/api/alerts/${receipt.id}/spam`, headers: { cookie: await cookieOf('zhao') }, payload: { note: '恶作剧' } });
    expect(res.statusCode).toBe(200);
    expect(res.json<Alert>()).toMatchObject({ workflow: 'closed', report: { spam: true } });
    expect(res.json<Alert>().history.slice(-3).map((e) => e.kind)).toEqual(['marked_spam', 'condition_cleared', 'closed']);
    expect((await progress(receipt.receipt)).json<ReportProgress>()).toMatchObject({ state: 'closed_as_spam', steps: [{ state: 'reported' }, { state: 'closed_as_spam', at: AT }] });
    // Audited as a workflow step.
    await audit.flush();
    const entries = await state.audit.query({ limit: 20 });
    expect(entries.find((e) => e.action === 'alert_marked_spam')).toMatchObject({ actor: 'zhao', target: `alert:${receipt.id}`, compound: 'c01' });

    alerts.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at: AT, count: 1 });
    const lift = alerts.findOpen('c01/elevator/elev-1', 'elevator-trapped')!;
    const refused = await app.inject({ method: 'POST', url: `/api/alerts/${lift.id}/spam`, headers: { cookie: await cookieOf('zhao') }, payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'INVALID_TRANSITION' });
  });
});
