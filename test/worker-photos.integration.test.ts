/**
 * Photos on resolve (issue 16) on a real hub, on SQLite and on PostgreSQL: a trapped passenger
 * raised by a real MQTT device is dispatched to the grid worker, who uploads a photo and resolves
 * with it. Refused: a worker of another grid, a photo over 2 MiB, a file that is no JPEG/PNG/WebP
 * by its first bytes. Read: by the compound's manager (private, no-store, its type, nosniff), not
 * by a manager or a worker of another compound. Audited; kept across a restart. The done-today
 * list (resolvedBy + resolvedSince) finds the alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import type { PhotoAnswer, PhotosAnswer } from '../src/contracts/alert-photos.ts';
import type { CompoundSummary } from '../src/contracts/live-events.ts';
import { PHOTO_MAX_BYTES } from '../src/contracts/alert-photos.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, apiFetch, forgetLogins, getJson, loginCookie, postJson, startTestHub } from './helpers/test-hub.ts';
import { publishAs } from './helpers/device-publish.ts';
import { startPostgres, type Postgres } from './helpers/postgres.ts';

/** A real JPEG's first bytes (SOI, APP0 JFIF) and some body: the hub judges by the first bytes. */
const jpeg = (size: number) => {
  const data = Buffer.alloc(size, 0x20);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(data);
  data[size - 2] = 0xff;
  data[size - 1] = 0xd9;
  return data;
};

describe.each(['sqlite', 'postgres'] as const)('photos on resolve (%s)', (engine) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pg: Postgres | undefined;
  let env: Record<string, string>;
  let hub: Hub;
  let devices: FleetDevice[];
  let alert: Alert;
  let photoId: string;
  const photo = jpeg(40_000);

  const upload = async (alertId: string, body: Buffer, user: string, type = 'image/jpeg') =>
    fetch(`${hub.info.httpUrl}/api/alerts/${alertId}/photos`, { method: 'POST', headers: { cookie: await loginCookie(hub, user), 'content-type': type }, body });
  const fetchPhoto = async (alertId: string, id: string, user: string) => fetch(`${hub.info.httpUrl}/api/alerts/${alertId}/photos/${id}`, { headers: { cookie: await loginCookie(hub, user) } });

  beforeAll(async () => {
    dir = await tempDir(`worker-photos-${engine}`);
    devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 1, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }] }));
    env = { DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ALERTS_FILE: alertsFile };
    if (engine === 'postgres') {
      pg = await startPostgres();
      env.DATABASE_URL = await pg.createDatabase();
    }
    hub = await startTestHub(env);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await pg?.stop();
    await dir?.remove();
  });

  it('takes a photo from the assignee and the resolve step names it', async () => {
    const lift = devices.find((d) => d.compound === 'h1')!;
    await publishAs(hub.info.brokerUrl, lift, 'event', { event: 'trapped' });
    await expect
      .poll(async () => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h1')).alerts.find((a) => a.ruleId === 'elevator-trapped')?.assignee, { timeout: 10_000 })
      .toBe('wang');
    alert = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h1')).alerts.find((a) => a.ruleId === 'elevator-trapped')!;
    expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);
    const res = await upload(alert.id, photo, 'wang');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as PhotoAnswer;
    expect(answer.photo).toMatchObject({ alertId: alert.id, compound: 'h1', type: 'image/jpeg', bytes: photo.length, by: 'wang' });
    photoId = answer.photo.id;

    const resolved = await postJson(hub, `/api/alerts/${alert.id}/resolve`, { note: '已救出乘客', photo: photoId }, 'wang');
    expect(resolved.status).toBe(200);
    const step = ((await resolved.json()) as Alert).history.find((e) => e.kind === 'resolved')!;
    expect(step).toMatchObject({ actor: 'wang', note: '已救出乘客', photo: photoId });

    // The done-today list: what wang resolved since a moment before.
    const done = await getJson<{ alerts: Alert[] }>(hub, `/api/alerts?resolvedBy=wang&resolvedSince=${step.at - 1000}`, 'wang');
    expect(done.alerts.map((a) => a.id)).toEqual([alert.id]);
    expect((await getJson<{ alerts: Alert[] }>(hub, `/api/alerts?resolvedBy=wang&resolvedSince=${step.at + 1}`, 'wang')).alerts).toEqual([]);
    expect((await getJson<{ alerts: Alert[] }>(hub, `/api/alerts?resolvedBy=wang&resolvedSince=${step.at - 1000}`, 'li')).alerts).toEqual([]);
  });

  it('refuses a resolve naming a photo of no such alert', async () => {
    const other = devices.find((d) => d.compound === 'h2')!;
    await publishAs(hub.info.brokerUrl, other, 'event', { event: 'trapped' });
    await expect.poll(async () => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h2')).alerts.length, { timeout: 10_000 }).toBe(1);
    const h2 = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true&compound=h2')).alerts[0]!;
    expect((await postJson(hub, `/api/alerts/${h2.id}/accept`, {}, 'li')).status).toBe(200);
    const res = await postJson(hub, `/api/alerts/${h2.id}/resolve`, { note: 'ok', photo: photoId }, 'li');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('BAD_REQUEST');
  });

  it('refuses a worker of another grid, a photo too large and a file that is no image', async () => {
    const foreign = await upload(alert.id, photo, 'li');
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toBe('FORBIDDEN');

    const large = await upload(alert.id, jpeg(PHOTO_MAX_BYTES + 1), 'wang');
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: string }).error).toBe('PHOTO_TOO_LARGE');

    // Declared a JPEG, but its first bytes say HTML.
    const html = await upload(alert.id, Buffer.from('<html><script>alert(1)</script></html>'.padEnd(200, ' ')), 'wang');
    expect(html.status).toBe(415);
    expect(((await html.json()) as { error: string }).error).toBe('PHOTO_TYPE');
    // A GIF is an image, but not one the hub keeps.
    const gif = await upload(alert.id, Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(100)]), 'wang', 'image/png');
    expect(gif.status).toBe(415);

    const list = await getJson<PhotosAnswer>(hub, `/api/alerts/${alert.id}/photos`, 'zhao');
    expect(list.photos.map((p) => p.id)).toEqual([photoId]);
  });

  it('refuses someone who may not add a photo before reading the body (403, not 413, for a body over the route’s limit)', async () => {
    const huge = jpeg(5 * 1024 * 1024);
    for (const user of ['qian', 'li']) {
      const res = await upload(alert.id, huge, user);
      expect(res.status, user).toBe(403);
      expect(((await res.json()) as { error: string }).error, user).toBe('FORBIDDEN');
    }
    // The assignee with the same body: past the hook, the route's size limit answers.
    expect((await upload(alert.id, huge, 'wang')).status).toBe(413);
    expect((await getJson<PhotosAnswer>(hub, `/api/alerts/${alert.id}/photos`, 'zhao')).photos.map((p) => p.id)).toEqual([photoId]);
  });

  it('serves the photo to the compound’s manager only, never to be kept', async () => {
    const res = await fetchPhoto(alert.id, photoId, 'zhao');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);

    const otherManager = await fetchPhoto(alert.id, photoId, 'qian');
    expect(otherManager.status).toBe(403);
    const otherWorker = await fetchPhoto(alert.id, photoId, 'li');
    expect(otherWorker.status).toBe(403);
    // The photo belongs to its alert only.
    const h2 = (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?compound=h2')).alerts[0]!;
    expect((await fetchPhoto(h2.id, photoId, 'root')).status).toBe(404);
  });

  it('audits the upload', async () => {
    const { entries } = await getJson<{ entries: Array<{ actor: string; action: string; target: string; compound?: string; after?: unknown }> }>(hub, '/api/admin/audit?action=alert_photo_added');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'wang', action: 'alert_photo_added', target: `alert:${alert.id}`, compound: 'h1' });
    expect(JSON.stringify(entries[0]!.after)).toContain(photoId);
  });

  it('keeps a compound’s desk phone set through the administration, and refuses one that is no number', async () => {
    const { compounds } = await getJson<{ compounds: Array<{ id: string; name: string; community: string }> }>(hub, '/api/admin/places');
    const h1 = compounds.find((c) => c.id === 'h1')!;
    const put = (deskPhone: string) => apiFetch(hub, '/api/admin/compounds/h1', { method: 'PUT', body: JSON.stringify({ name: h1.name, community: h1.community, deskPhone }) });
    const saved = await put('0571-8800-0101');
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { compound: { deskPhone?: string } }).compound.deskPhone).toBe('0571-8800-0101');
    await expect.poll(async () => (await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds', 'wang')).compounds.find((c) => c.id === 'h1')?.deskPhone).toBe('0571-8800-0101');
    expect((await put('call me')).status).toBe(400);
  });

  it('keeps the photo and the resolve step across a restart', async () => {
    await hub.stop();
    forgetLogins(hub);
    hub = await startTestHub(env);
    forgetLogins(hub);
    const res = await fetchPhoto(alert.id, photoId, 'zhao');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    const kept = await getJson<Alert>(hub, `/api/alerts/${alert.id}`, 'zhao');
    expect(kept.history.find((e) => e.kind === 'resolved')?.photo).toBe(photoId);
    // The desk phone is kept in the operational database (migration 0005).
    expect((await getJson<{ compounds: CompoundSummary[] }>(hub, '/api/compounds', 'wang')).compounds.find((c) => c.id === 'h1')?.deskPhone).toBe('0571-8800-0101');
  }, 60_000);
});
