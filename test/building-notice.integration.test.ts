/**
 * The public building notice (issue 18, residents) on a real hub child process: a trapped
 * passenger raised by a real MQTT device in building b1 is dispatched to the grid worker, who
 * accepts it and comments; the notice of b1, fetched without any cookie, shows it by the device's
 * registry name as being repaired, kept by browsers and proxies for 10 s only. Every key and
 * value of the answer is walked: none holds the device id, the assignee's login, the alert id
 * or any note text. After the resolve (with a note) it is listed as fixed. Unknown compound or
 * building: 404 NOT_FOUND. The QR sheet: for admins and the compound's managers only, one QR
 * code per building pointing at the public page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { NoticeAnswer } from '../src/contracts/notice.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, apiFetch, getJson, postJson } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { publishAs } from './helpers/device-publish.ts';
import { walk } from '../src/testing/json-walk.ts';

const ACCEPT_NOTE = '业主张女士 13912345678 在轿厢内';
const RESOLVE_NOTE = '已救出乘客，更换门机板';


describe('the public building notice', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hub: HubProcess;
  let devices: FleetDevice[];
  let lift: FleetDevice;
  let alert: Alert;
  /** Without any cookie, as a resident's phone asks. */
  const publicFetch = (compound: string, building: string) => fetch(`${hub.info.httpUrl}/api/public/notice/${compound}/${building}`);
  const noticeOf = async (building: string) => (await (await publicFetch('h1', building)).json()) as NoticeAnswer;
  const forbidden = () => [lift.device, lift.key, alert.id, alert.assignee!, 'wang', ACCEPT_NOTE, RESOLVE_NOTE, '13912345678', 'assignee', 'actor', 'note', 'history'];
  const expectNothingPersonal = (answer: unknown) => {
    const seen: Array<{ at: string; text: string }> = [];
    walk(answer, '$', seen);
    expect(seen.length).toBeGreaterThan(10);
    for (const { at, text } of seen) for (const bad of forbidden()) expect(text, `${at}: ${text}`).not.toContain(bad);
  };

  beforeAll(async () => {
    dir = await tempDir('building-notice');
    devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 2, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600, buildings: 2 });
    lift = devices.find((d) => d.compound === 'h1' && d.building === 'b1')!;
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }] }));
    hub = await startHubProcess({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await dir?.remove();
  });

  it('shows nothing out of service before any alert, without a login', async () => {
    const res = await publicFetch('h1', 'b1');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as NoticeAnswer;
    expect(answer).toMatchObject({ compound: { id: 'h1' }, building: { id: 'b1', name: '1号楼' }, open: [], fixed: [] });
    expect(typeof answer.compound.name).toBe('string');
  });

  it('shows a trapped passenger in b1 as being repaired, by the device’s name, and nothing personal anywhere', async () => {
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'trapped' });
    await expect
      .poll(async () => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h1')).alerts.find((a) => a.deviceKey === lift.key)?.assignee, { timeout: 10_000 })
      .toBe('wang');
    alert = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h1')).alerts.find((a) => a.deviceKey === lift.key)!;
    expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${alert.id}/comment`, { note: ACCEPT_NOTE }, 'wang')).status).toBe(200);

    // The answer before the alert may be kept 10 s: ask until the accepted alert shows.
    await expect.poll(async () => (await noticeOf('b1')).open.map((i) => i.state), { timeout: 15_000, interval: 1000 }).toEqual(['in_progress']);
    const res = await publicFetch('h1', 'b1');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=10');
    expect(res.headers.get('set-cookie')).toBeNull();
    const answer = (await res.json()) as NoticeAnswer;
    expect(Object.keys(answer).sort()).toEqual(['at', 'building', 'compound', 'fixed', 'open']);
    expect(answer.open).toEqual([{ what: alert.name, device: lift.name, type: 'elevator', since: alert.raisedAt, state: 'in_progress' }]);
    expect(answer.fixed).toEqual([]);
    expectNothingPersonal(answer);

    // Building b2 has its own lift, which is fine.
    expect((await noticeOf('b2')).open).toEqual([]);
  });

  it('lists it as fixed after the resolve, still with nothing personal', async () => {
    expect((await postJson(hub, `/api/alerts/${alert.id}/resolve`, { note: RESOLVE_NOTE }, 'wang')).status).toBe(200);
    const resolved = await getJson<Alert>(hub, `/api/alerts/${alert.id}`);
    const fixedAt = resolved.history.find((e) => e.kind === 'resolved')!.at;
    await expect.poll(async () => (await noticeOf('b1')).fixed.length, { timeout: 15_000, interval: 1000 }).toBe(1);
    const answer = await noticeOf('b1');
    expect(answer.open).toEqual([]);
    expect(answer.fixed).toEqual([{ what: alert.name, device: lift.name, type: 'elevator', since: alert.raisedAt, state: 'fixed', fixedAt }]);
    expectNothingPersonal(answer);
  });

  it('answers 404 NOT_FOUND for an unknown compound or building, never to be kept', async () => {
    for (const [compound, building] of [['nope', 'b1'], ['h1', 'b9']] as const) {
      const res = await publicFetch(compound, building);
      expect(res.status, `${compound}/${building}`).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(((await res.json()) as { error: string }).error).toBe('NOT_FOUND');
    }
  });

  it('prints one QR code per building for the compound’s managers and admins, nobody else', async () => {
    const unauthenticated = await fetch(`${hub.info.httpUrl}/api/compounds/h1/notice-qr`);
    expect(unauthenticated.status).toBe(401);
    expect((await apiFetch(hub, '/api/compounds/h1/notice-qr', {}, 'qian')).status).toBe(403);
    expect((await apiFetch(hub, '/api/compounds/h1/notice-qr', {}, 'wang')).status).toBe(403);
    expect((await apiFetch(hub, '/api/compounds/nope/notice-qr', {}, 'root')).status).toBe(404);

    for (const user of ['zhao', 'root']) {
      const res = await apiFetch(hub, '/api/compounds/h1/notice-qr', {}, user);
      expect(res.status, user).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const page = await res.text();
      expect(page.match(/<svg/g)?.length, user).toBe(2);
      for (const building of ['b1', 'b2']) expect(page).toContain(`${hub.info.httpUrl}/notice/h1/${building}`);
      expect(page).toContain('1号楼');
      expect(page).toContain('2号楼');
      expect(page).not.toContain('<script');
    }
  });
});
