/**
 * Parties of the loop (issue 18) on a real hub child process, real MQTT devices and real HTTP:
 * - routing by kind of problem: a fire lane still blocked past its first escalation is handed over
 *   (流转) to the street's fire safety desk, which covers h1 only (h2's is not handed over); an
 *   elevator still faulty after a while goes to the elevator safety desk; the history says who and
 *   when, the audit log too;
 * - each department sees and acts only on what was handed to it; the grid worker no longer acts;
 * - hand-over by hand, refused to a party that does not cover the compound;
 * - evaluation after closing, once per party (the manager, the owners' committee member), the
 *   committee reads its compound read-only; satisfaction figures in /api/alerts/stats;
 * - the second day: after a restart the hand-overs are there, and a committee member evaluates an
 *   alert closed before it (only the archive has it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { StatsAnswer } from '../src/contracts/api.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { TEST_PASSWORD, writeUsersFile } from '../src/testing/access.fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, HUB_TEST_USERS, getJson, postJson, apiFetch } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { publishAs } from './helpers/device-publish.ts';

const RULES = {
  rules: [
    { id: 'fire-lane-blocked', name: { zh: '消防通道占用', en: 'Fire lane blocked' }, severity: 'major', match: { types: ['fire_lane'] }, condition: { kind: 'event', event: 'blocked', clearAfterSec: 10 } },
    { id: 'elevator-fault', name: { zh: '电梯故障', en: 'Elevator fault' }, severity: 'minor', match: { types: ['elevator'] }, condition: { kind: 'event', event: 'fault', clearAfterSec: 3600 } },
  ],
};
const ROUTING = {
  grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }],
  groups: [
    { id: 'street-fire', name: '街道消防安全站', nameEn: 'Street fire safety desk', kind: 'department', compounds: ['h1'], members: ['fire1'] },
    { id: 'street-lift', name: '街道电梯安全站', kind: 'department', members: ['lift1'] },
  ],
  // Major: 3 s to accept (the first escalation comes fast); minor: an hour.
  sla: { major: { acceptMin: 0.05, resolveMin: 60 }, minor: { acceptMin: 60, resolveMin: 600 }, critical: { acceptMin: 5, resolveMin: 30 }, info: { acceptMin: 60, resolveMin: 600 } },
  remindMin: {},
  callTree: {},
  handovers: [
    { id: 'fire-lane', rules: ['fire-lane-blocked'], atEscalation: 1, to: 'street-fire' },
    { id: 'lift-long', types: ['elevator'], afterMin: 0.15, to: 'street-lift' },
  ],
  autoCloseMin: 600,
};

describe('parties: hand-over by kind, departments, evaluation', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hub: HubProcess;
  let devices: FleetDevice[];
  const device = (compound: string, type: FleetDevice['type']) => devices.find((d) => d.compound === compound && d.type === type)!;
  const alertOf = async (key: string, user = 'root') => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', user)).alerts.find((a) => a.deviceKey === key);
  let fireAlert: Alert;

  beforeAll(async () => {
    dir = await tempDir('parties');
    devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 1, manhole: 0, fire_lane: 1, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify(ROUTING));
    const rulesFile = path.join(dir.path, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(RULES));
    const users = await writeUsersFile([
      ...HUB_TEST_USERS,
      { id: 'fire1', name: '赵刚', role: 'department', password: TEST_PASSWORD },
      { id: 'lift1', name: '钱伟', role: 'department', password: TEST_PASSWORD },
      { id: 'chen', name: '陈建国', role: 'committee', compounds: ['h1'], password: TEST_PASSWORD },
    ]);
    hub = await startHubProcess({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile, RULES_FILE: rulesFile, USERS_FILE: users });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await dir?.remove();
  });

  it('hands a blocked fire lane past its first escalation to the fire safety desk, with who and when in its history', async () => {
    await publishAs(hub.info.brokerUrl, device('h1', 'fire_lane'), 'event', { event: 'blocked' });
    await publishAs(hub.info.brokerUrl, device('h2', 'fire_lane'), 'event', { event: 'blocked' });
    await expect.poll(async () => (await alertOf(device('h1', 'fire_lane').key))?.parties, { timeout: 20_000, interval: 500 }).toEqual(['street-fire']);
    fireAlert = (await alertOf(device('h1', 'fire_lane').key))!;
    expect(fireAlert).toMatchObject({ workflow: 'dispatched', assignee: 'fire1' });
    const kinds = fireAlert.history.map((e) => e.kind);
    expect(kinds.indexOf('escalated')).toBeGreaterThan(0);
    expect(kinds.indexOf('handed_over')).toBeGreaterThan(kinds.indexOf('escalated'));
    const handed = fireAlert.history.find((e) => e.kind === 'handed_over')!;
    expect(handed).toMatchObject({ actor: 'hub', party: 'street-fire', assignee: 'fire1' });
    expect(handed.at).toBeGreaterThan(fireAlert.raisedAt);
    // h2 is not the fire desk's: its blocked lane stays with its grid worker.
    const other = (await alertOf(device('h2', 'fire_lane').key))!;
    expect(other.escalationLevel).toBeGreaterThanOrEqual(1);
    expect(other.parties).toBeUndefined();
    expect(other.assignee).toBe('li');
  });

  it('lets each department see and act only on what was handed to it', async () => {
    // The fire desk sees its alert and nothing else of the compound.
    const mine = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'fire1')).alerts.map((a) => a.id);
    expect(mine).toEqual([fireAlert.id]);
    expect((await apiFetch(hub, `/api/alerts/${fireAlert.id}`, {}, 'fire1')).status).toBe(200);
    expect((await apiFetch(hub, `/api/alerts/${fireAlert.id}`, {}, 'lift1')).status).toBe(403);
    expect((await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'lift1')).alerts).toEqual([]);
    // A department has no compound of its own: the compound's devices are not its business.
    expect((await apiFetch(hub, '/api/devices?compound=h1', {}, 'fire1')).status).toBe(403);
    // ... but it reads where what it holds is: that device, and its compound by name.
    expect((await getJson<{ devices: Array<{ compound: string; type: string; device: string }> }>(hub, '/api/devices', 'fire1')).devices.map((d) => `${d.compound}/${d.type}/${d.device}`)).toEqual([device('h1', 'fire_lane').key]);
    expect((await getJson<{ compounds: Array<{ id: string }> }>(hub, '/api/compounds', 'fire1')).compounds.map((c) => c.id)).toEqual(['h1']);
    expect((await getJson<{ compounds: Array<{ id: string }> }>(hub, '/api/compounds', 'lift1')).compounds).toEqual([]);
    // The grid worker who had it no longer acts on it; the desk accepts and resolves.
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/accept`, {}, 'wang')).status).toBe(403);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/accept`, {}, 'lift1')).status).toBe(403);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/accept`, {}, 'fire1')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/resolve`, { note: '已联系车主挪车' }, 'fire1')).status).toBe(200);
    // The committee member reads the compound but takes no step.
    expect((await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?compound=h1', 'chen')).alerts.some((a) => a.id === fireAlert.id)).toBe(true);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/close`, {}, 'chen')).status).toBe(403);
    expect((await apiFetch(hub, '/api/alerts?compound=h2', {}, 'chen')).status).toBe(403);
  });

  it('takes one evaluation per party after closing: the manager and the owners’ committee', async () => {
    // Before closing there is nothing to evaluate.
    const early = await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 4 }, 'zhao');
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: string }).error).toBe('EVALUATION_CLOSED');
    // The blocked-lane condition clears 10 s after the last event; then the manager closes.
    await expect.poll(async () => (await getJson<Alert>(hub, `/api/alerts/${fireAlert.id}`)).condition, { timeout: 20_000 }).toBe('cleared');
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/close`, {}, 'zhao')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 6 }, 'zhao')).status).toBe(400);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 4, comment: '处置及时' }, 'zhao')).status).toBe(200);
    const again = await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 1 }, 'zhao');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe('EVALUATED_ALREADY');
    // Another compound's manager, a worker and the department may not evaluate it.
    for (const user of ['qian', 'wang', 'fire1']) expect((await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 3 }, user)).status, user).toBe(403);
    expect((await postJson(hub, `/api/alerts/${fireAlert.id}/evaluate`, { score: 5 }, 'chen')).status).toBe(200);
    const rated = await getJson<Alert>(hub, `/api/alerts/${fireAlert.id}`);
    expect(rated.evaluations?.map((e) => [e.party, e.score, e.by, e.comment])).toEqual([['manager', 4, 'zhao', '处置及时'], ['committee', 5, 'chen', undefined]]);

    const stats = await getJson<StatsAnswer>(hub, '/api/alerts/stats?compound=h1');
    expect(stats.overall.handedOver).toBe(1);
    expect(stats.overall.satisfaction).toMatchObject({ ratings: 2, mean: 4.5, satisfied: 2, rate: 1, byParty: { manager: { ratings: 1, mean: 4 }, committee: { ratings: 1, mean: 5 } } });
    expect(stats.byParty['street-fire']?.satisfaction.ratings).toBe(2);
    // The committee reads the figures of its compound.
    expect((await getJson<StatsAnswer>(hub, '/api/alerts/stats?compound=h1', 'chen')).overall.satisfaction.ratings).toBe(2);

    const audit = (await getJson<{ entries: Array<{ action: string; actor: string; target: string }> }>(hub, '/api/admin/audit')).entries.filter((e) => e.target === `alert:${fireAlert.id}`);
    expect(audit.map((e) => `${e.action} ${e.actor}`)).toEqual(expect.arrayContaining(['alert_evaluated zhao', 'alert_evaluated chen', 'alert_accepted fire1', 'alert_resolved fire1']));
  });

  it('hands an elevator still faulty after a while to the elevator desk, and by hand only to a party that covers the compound', async () => {
    const lift = device('h2', 'elevator');
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'fault', code: 'E21' });
    await expect.poll(async () => (await alertOf(lift.key))?.assignee, { timeout: 10_000 }).toBe('li');
    // Not yet: the rule hands it over after 9 s.
    expect((await alertOf(lift.key))!.parties).toBeUndefined();
    await expect.poll(async () => (await alertOf(lift.key))?.parties, { timeout: 20_000, interval: 500 }).toEqual(['street-lift']);
    expect((await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'lift1')).alerts.map((a) => a.deviceKey)).toEqual([lift.key]);

    const h1lift = device('h1', 'elevator');
    await publishAs(hub.info.brokerUrl, h1lift, 'event', { event: 'fault', code: 'E30' });
    await expect.poll(async () => (await alertOf(h1lift.key))?.assignee, { timeout: 10_000 }).toBe('wang');
    const h1alert = (await alertOf(h1lift.key))!;
    // The fire desk covers h1, the manager of h2 may not hand over an h1 alert, the desk itself takes no hand-over step.
    const wrong = await postJson(hub, `/api/alerts/${(await alertOf(lift.key))!.id}/handover`, { party: 'street-fire' }, 'zhao');
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('PARTY_INVALID');
    expect((await postJson(hub, `/api/alerts/${h1alert.id}/handover`, { party: 'street-fire' }, 'qian')).status).toBe(403);
    expect((await postJson(hub, `/api/alerts/${h1alert.id}/handover`, { party: 'street-fire' }, 'fire1')).status).toBe(403);
    const done = await postJson(hub, `/api/alerts/${h1alert.id}/handover`, { party: 'street-fire', note: '门机故障，需消防站协查' }, 'zhao');
    expect(done.status).toBe(200);
    const handed = (await done.json()) as Alert;
    expect(handed.history.at(-1)).toMatchObject({ kind: 'handed_over', actor: 'zhao', party: 'street-fire', assignee: 'fire1', note: '门机故障，需消防站协查' });
    const again = await postJson(hub, `/api/alerts/${h1alert.id}/handover`, { party: 'street-fire' }, 'zhao');
    expect(((await again.json()) as { error: string }).error).toBe('HANDED_OVER_ALREADY');
  });

  it('keeps the hand-overs across a restart, and takes the committee’s evaluation of an alert closed before it', async () => {
    // A second fire-lane alert closed and rated by the manager before the restart.
    await publishAs(hub.info.brokerUrl, device('h1', 'fire_lane'), 'event', { event: 'blocked' });
    await expect.poll(async () => (await alertOf(device('h1', 'fire_lane').key))?.assignee, { timeout: 20_000, interval: 500 }).toBe('fire1');
    const second = (await alertOf(device('h1', 'fire_lane').key))!;
    expect(second.id).not.toBe(fireAlert.id);
    expect((await postJson(hub, `/api/alerts/${second.id}/accept`, {}, 'fire1')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${second.id}/resolve`, { note: '已清理' }, 'fire1')).status).toBe(200);
    await expect.poll(async () => (await getJson<Alert>(hub, `/api/alerts/${second.id}`)).condition, { timeout: 20_000 }).toBe('cleared');
    expect((await postJson(hub, `/api/alerts/${second.id}/close`, {}, 'zhao')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${second.id}/evaluate`, { score: 2 }, 'zhao')).status).toBe(200);

    await hub.restart();
    const lift = device('h2', 'elevator');
    const kept = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'lift1')).alerts;
    expect(kept.map((a) => [a.deviceKey, a.assignee, a.parties])).toEqual([[lift.key, 'lift1', ['street-lift']]]);
    expect((await getJson<{ alerts: Alert[] }>(hub, '/api/alerts', 'fire1')).alerts.map((a) => a.deviceKey)).toEqual([device('h1', 'elevator').key]);
    // Closed before the restart: only the archive has it, and the committee may still rate it once.
    expect((await postJson(hub, `/api/alerts/${second.id}/evaluate`, { score: 3 }, 'chen')).status).toBe(200);
    const again = await postJson(hub, `/api/alerts/${second.id}/evaluate`, { score: 3 }, 'chen');
    expect(((await again.json()) as { error: string }).error).toBe('EVALUATED_ALREADY');
    // The committee reads the closed alerts of its compound on the desk, with their ratings.
    const rows = await getJson<{ rows: Array<{ alert: Alert }> }>(hub, '/api/desk/alerts?state=closed&compound=h1', 'chen');
    expect(rows.rows.map((r) => [r.alert.id, r.alert.evaluations?.length])).toEqual(expect.arrayContaining([[fireAlert.id, 2], [second.id, 2]]));
  });
});
