/**
 * Resident reports (随手拍, issue 18) on a real hub child process, over real HTTP: a report sent
 * without any cookie answers a receipt; the compound's manager sees the alert with the report's
 * text (never its token hash); the receipt says `reported`, then `in_progress` once the grid worker
 * accepted, and every key and value of it is walked: no login, no note text, no device id, no
 * compound or building id. A wrong token is 404 like an unknown report. The per-address limit
 * answers 429 with Retry-After after REPORTS_PER_ADDRESS_PER_HOUR reports and is counted in
 * /metrics. The manager marks another report as spam: its receipt says closed_as_spam and the alert
 * is closed. After a restart (SIGTERM by PID, same DATA_DIR) both receipts still answer (the open
 * one from the book, the closed one from the archive), and the open one can still be resolved
 * and closed (its condition clears on resolve; no rule judges it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '../src/alerts/alert.types.ts';
import { REPORTS_PER_ADDRESS_PER_HOUR, type ReportProgress, type ReportReceipt } from '../src/contracts/reports.ts';
import { buildFleet, fleetToRegistry } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, forgetLogins, getJson, postJson } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { walk } from '../src/testing/json-walk.ts';

const TEXT = '3号门消防通道被电动车堵了两天 王先生 13912345678';
const ACCEPT_NOTE = '联系了车主李某，电话 13700000000';


describe('resident reports', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hub: HubProcess;
  let first: ReportReceipt;
  let spam: ReportReceipt;
  /** Without any cookie, as a resident's phone sends it. */
  const sendReport = (body: object) => fetch(`${hub.info.httpUrl}/api/public/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const receiptOf = (receipt: string) => fetch(`${hub.info.httpUrl}${receipt.replace(/^\/report\//, '/api/public/reports/')}`);
  const progressOf = async (receipt: string) => (await (await receiptOf(receipt)).json()) as ReportProgress;
  const expectNothingPersonal = (answer: unknown, alert: Alert) => {
    const seen: Array<{ at: string; text: string }> = [];
    walk(answer, '$', seen);
    expect(seen.length).toBeGreaterThan(10);
    const forbidden = ['wang', 'zhao', 'hub', alert.device, alert.deviceKey, 'h1', 'b1', TEXT, '王先生', '13912345678', ACCEPT_NOTE, '13700000000', 'assignee', 'actor', 'note', 'history', 'text', 'tokenHash', 'photo'];
    for (const { at, text } of seen) for (const bad of forbidden) expect(text, `${at}: ${text}`).not.toContain(bad);
  };

  beforeAll(async () => {
    dir = await tempDir('resident-reports');
    const devices = buildFleet({ compounds: ['h1'], perCompound: { elevator: 2, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 });
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }] }));
    hub = await startHubProcess({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await dir?.remove();
  });

  it('takes a report without a login and answers a receipt; the manager sees the alert with its text', async () => {
    const res = await sendReport({ compound: 'h1', building: 'b1', category: 'fire_lane', text: TEXT });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    first = (await res.json()) as ReportReceipt;
    expect(first.receipt).toMatch(new RegExp(`^/report/${first.id}\\?t=[A-Za-z0-9_-]{24}$`));

    const body = await (await fetch(`${hub.info.httpUrl}/api/alerts?compound=h1`, { headers: { cookie: '' } })).json();
    expect(body).toMatchObject({ error: 'UNAUTHORIZED' });
    const { alerts } = await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?compound=h1&open=true', 'zhao');
    const alert = alerts.find((a) => a.id === first.id)!;
    expect(alert).toMatchObject({ ruleId: 'resident-report', name: { zh: '居民报告' }, severity: 'minor', type: 'fire_lane', workflow: 'dispatched', assignee: 'wang', report: { id: first.id, category: 'fire_lane', building: 'b1', text: TEXT } });
    expect(Object.keys(alert.report!).sort()).toEqual(['building', 'buildingName', 'category', 'id', 'text']);
    // The public notice never lists it.
    const notice = await (await fetch(`${hub.info.httpUrl}/api/public/notice/h1/b1`)).json();
    expect(JSON.stringify(notice)).not.toContain('居民报告');
  });

  it('shows reported, then in_progress once the worker accepted, with nothing personal', async () => {
    const reported = await receiptOf(first.receipt);
    expect(reported.status).toBe(200);
    expect(reported.headers.get('cache-control')).toBe('no-store');
    const before = (await reported.json()) as ReportProgress;
    expect(before).toMatchObject({ id: first.id, category: 'fire_lane', building: { name: '1号楼' }, state: 'reported', steps: [{ state: 'reported' }] });

    expect((await postJson(hub, `/api/alerts/${first.id}/accept`, {}, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${first.id}/comment`, { note: ACCEPT_NOTE }, 'wang')).status).toBe(200);
    const after = await progressOf(first.receipt);
    expect(after.state).toBe('in_progress');
    expect(after.steps.map((s) => s.state)).toEqual(['reported', 'in_progress']);
    expect(after.createdAt).toBe(before.createdAt);
    const alert = await getJson<Alert>(hub, `/api/alerts/${first.id}`, 'zhao');
    expect(Object.keys(after).sort()).toEqual(['building', 'category', 'compound', 'createdAt', 'id', 'state', 'steps']);
    expectNothingPersonal(after, alert);
  });

  it('answers a wrong token like an unknown report: 404 NOT_FOUND', async () => {
    for (const receipt of [first.receipt.replace(/t=.*$/, 't=wrong-token-wrong-token'), first.receipt.replace(/t=.{4}/, 't=AAAA'), first.receipt.replace(first.id, 'a-nope-000000')]) {
      const res = await receiptOf(receipt);
      expect(res.status, receipt).toBe(404);
      expect(((await res.json()) as { error: string }).error).toBe('NOT_FOUND');
    }
  });

  it('closes a report the manager marks as spam; its receipt says so', async () => {
    spam = (await (await sendReport({ compound: 'h1', building: 'b2', category: 'elevator', text: '测试测试' })).json()) as ReportReceipt;
    expect((await postJson(hub, `/api/alerts/${spam.id}/spam`, {}, 'wang')).status).toBe(403);
    const res = await postJson(hub, `/api/alerts/${spam.id}/spam`, { note: '恶作剧' }, 'zhao');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Alert).workflow).toBe('closed');
    const closed = await getJson<Alert>(hub, `/api/alerts/${spam.id}`, 'zhao');
    expect(closed).toMatchObject({ workflow: 'closed', report: { spam: true } });
    expect(closed.history.at(-1)).toMatchObject({ kind: 'closed', actor: 'zhao', note: 'spam' });
    const progress = await progressOf(spam.receipt);
    expect(progress.state).toBe('closed_as_spam');
    expect(progress.steps.map((s) => s.state)).toEqual(['reported', 'closed_as_spam']);
  });

  it(`refuses the ${REPORTS_PER_ADDRESS_PER_HOUR + 1}th report of one address within the hour: 429 with Retry-After, counted`, async () => {
    // Two sent above.
    for (let i = 2; i < REPORTS_PER_ADDRESS_PER_HOUR; i++) expect((await sendReport({ compound: 'h1', building: 'b2', category: 'parking', text: `车位 ${i}` })).status).toBe(200);
    const refused = await sendReport({ compound: 'h1', building: 'b2', category: 'parking', text: 'one too many' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toBe('RATE_LIMITED');
    expect(await hub.metric('compound_hub_resident_reports_total', { outcome: 'refused_address' })).toBe(1);
    expect(await hub.metric('compound_hub_resident_reports_total', { outcome: 'accepted' })).toBe(REPORTS_PER_ADDRESS_PER_HOUR);
  });

  it('keeps both receipts across a restart; the open report is still resolved and closed', async () => {
    await hub.restart();
    forgetLogins(hub);
    expect((await progressOf(first.receipt)).state).toBe('in_progress');
    expect((await progressOf(spam.receipt)).state).toBe('closed_as_spam');
    const taken = await getJson<Alert>(hub, `/api/alerts/${first.id}`, 'zhao');
    expect(taken).toMatchObject({ ruleId: 'resident-report', name: { zh: '居民报告', en: 'Resident report' }, condition: 'active', workflow: 'accepted', report: { text: TEXT } });
    // No rule judged it again at start: still active, nothing cleared it.
    expect(taken.history.some((e) => e.kind === 'condition_cleared')).toBe(false);

    expect((await postJson(hub, `/api/alerts/${first.id}/resolve`, { note: '已挪走电动车' }, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${first.id}/close`, {}, 'zhao')).status).toBe(200);
    const fixed = await progressOf(first.receipt);
    expect(fixed.state).toBe('fixed');
    expect(fixed.steps.map((s) => s.state)).toEqual(['reported', 'in_progress', 'fixed']);
    expectNothingPersonal(fixed, taken);
  }, 60_000);
});
