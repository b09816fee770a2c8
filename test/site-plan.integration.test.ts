/**
 * The site-plan API against a real hub on both engines of the operational database (issue 16):
 * who may read the geometry and the image (the compound's scope) and who may change them (admins;
 * device positions also a manager of the compound), type and size checks by the image's bytes,
 * the serving headers, every change in the audit log, positions live on the socket, and the
 * geometry kept across a compound edit and a hub restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../src/hub.ts';
import type { SitePlanAnswer } from '../src/contracts/site-plan.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { apiFetch, FLEET_KEY, forgetLogins, getJson, loginCookie, startTestHub } from './helpers/test-hub.ts';
import { connectLive } from './helpers/live-client.ts';
import { startPostgres, type Postgres } from './helpers/postgres.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect x="10" y="10" width="20" height="20"/></svg>');
const PLAN = {
  buildings: [{ id: 'b1', outline: [[10, 10], [30, 10], [30, 30], [10, 30]] }],
  roads: [{ name: '主路', line: [[0, 50], [100, 50]] }],
  gates: [{ name: '东门', at: { x: 100, y: 50 } }],
};

describe.each(['sqlite', 'postgres'] as const)('site-plan API on %s', (engine) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let postgres: Postgres | undefined;
  let hub: Hub;
  let env: Record<string, string>;
  let devices: FleetDevice[];

  beforeAll(async () => {
    dir = await tempDir('site-plan-api');
    if (engine === 'postgres') postgres = await startPostgres();
    devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 1, manhole: 1, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    env = { DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry, ...(postgres ? { DATABASE_URL: await postgres.createDatabase() } : {}) };
    hub = await startTestHub(env);
  });
  afterAll(async () => {
    await hub?.stop();
    await postgres?.stop();
    await dir?.remove();
  });

  const put = async (url: string, body: Buffer | string, type: string, user = 'root') =>
    fetch(`${hub.info.httpUrl}${url}`, { method: 'PUT', body, headers: { 'content-type': type, cookie: await loginCookie(hub, user) } });
  const audit = async (action: string) => (await getJson<{ entries: Array<{ action: string; actor: string; compound?: string; before?: unknown; after?: unknown }> }>(hub, `/api/admin/audit?action=${action}`)).entries;

  it('sets the geometry (admin only, checked, audited) and shows it to the compound’s scope only', async () => {
    expect((await apiFetch(hub, '/api/admin/compounds/h1/site-plan', { method: 'PUT', body: JSON.stringify(PLAN) }, 'zhao')).status).toBe(403);
    const bad = await apiFetch(hub, '/api/admin/compounds/h1/site-plan', { method: 'PUT', body: JSON.stringify({ buildings: [{ id: 'b1', outline: [[0, 0], [200, 0], [0, 1]] }] }) });
    expect(bad.status).toBe(400);
    const saved = await apiFetch(hub, '/api/admin/compounds/h1/site-plan', { method: 'PUT', body: JSON.stringify(PLAN) });
    expect(saved.status).toBe(200);
    const answer = await getJson<SitePlanAnswer>(hub, '/api/compounds/h1/site-plan', 'zhao');
    expect(answer.plan).toEqual({ ...PLAN, zones: [], roads: [{ ...PLAN.roads[0], width: 3 }] });
    expect(answer.buildings).toEqual({ b1: '1号楼' });
    expect((await apiFetch(hub, '/api/compounds/h1/site-plan', {}, 'qian')).status).toBe(403);
    expect((await apiFetch(hub, '/api/compounds/h1/site-plan', {}, 'wang')).status).toBe(403);
    const [entry] = await audit('site_plan_updated');
    expect(entry).toMatchObject({ actor: 'root', compound: 'h1', before: null, after: { buildings: 1, zones: 0, roads: 1, gates: 1 } });

    // A compound edit (name, buildings) keeps the geometry.
    const places = await getJson<{ compounds: Array<{ id: string; community: string; name: string; buildings?: Record<string, string> }> }>(hub, '/api/admin/places');
    const h1 = places.compounds.find((c) => c.id === 'h1')!;
    expect((await apiFetch(hub, '/api/admin/compounds/h1', { method: 'PUT', body: JSON.stringify({ name: '新名字', community: h1.community, buildings: h1.buildings }) })).status).toBe(200);
    expect((await getJson<SitePlanAnswer>(hub, '/api/compounds/h1/site-plan')).plan?.gates).toEqual(PLAN.gates);
  });

  it('keeps an uploaded image checked by its bytes, serves it to the scope with a CSP that runs nothing, and audits every change', async () => {
    expect((await put('/api/admin/compounds/h1/plan-image', PNG, 'image/png', 'zhao')).status).toBe(403);
    expect((await put('/api/admin/compounds/h1/plan-image', Buffer.from('GIF89a'), 'image/png')).status).toBe(415);
    const svgAsPng = await put('/api/admin/compounds/h1/plan-image', SVG, 'image/png');
    expect([svgAsPng.status, ((await svgAsPng.json()) as { error: string }).error]).toEqual([415, 'PLAN_IMAGE_TYPE']);
    const scripted = await put('/api/admin/compounds/h1/plan-image', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image/svg+xml');
    expect(scripted.status).toBe(415);
    const big = await put('/api/admin/compounds/h1/plan-image', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]), 'image/png');
    expect([big.status, ((await big.json()) as { error: string }).error]).toEqual([413, 'PLAN_IMAGE_TOO_LARGE']);
    expect((await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'zhao')).status).toBe(404);

    const uploaded = await put('/api/admin/compounds/h1/plan-image', SVG, 'image/svg+xml');
    expect(uploaded.status).toBe(200);
    expect(((await uploaded.json()) as { image: unknown }).image).toMatchObject({ type: 'image/svg+xml', bytes: SVG.length });
    const served = await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'zhao');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(SVG)).toBe(true);
    expect((await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'qian')).status).toBe(403);
    expect((await getJson<SitePlanAnswer>(hub, '/api/compounds/h1/site-plan', 'zhao')).image).toMatchObject({ type: 'image/svg+xml', bytes: SVG.length });

    expect((await put('/api/admin/compounds/h1/plan-image', PNG, 'image/png')).status).toBe(200);
    expect(Buffer.from(await (await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'zhao')).arrayBuffer()).equals(PNG)).toBe(true);
    const uploads = await audit('plan_image_uploaded');
    expect(uploads.map((e) => [e.actor, e.compound, e.after])).toEqual([
      ['root', 'h1', { type: 'image/png', bytes: PNG.length }],
      ['root', 'h1', { type: 'image/svg+xml', bytes: SVG.length }],
    ]);
    expect((await apiFetch(hub, '/api/admin/compounds/h1/plan-image', { method: 'DELETE' }, 'zhao')).status).toBe(403);
    expect((await apiFetch(hub, '/api/admin/compounds/h1/plan-image', { method: 'DELETE' })).status).toBe(204);
    expect((await apiFetch(hub, '/api/compounds/h1/plan-image', {}, 'zhao')).status).toBe(404);
    expect((await audit('plan_image_removed'))[0]).toMatchObject({ actor: 'root', before: { type: 'image/png', bytes: PNG.length } });
  });

  it('lets a manager of the compound set positions (audited, live on the socket), not one of another compound', async () => {
    const elevator = devices.find((d) => d.compound === 'h1' && d.type === 'elevator')!;
    const live = await connectLive(hub, 'root');
    const subscribed = await live.subscribe({ compounds: ['h1'], detail: 'devices' });
    expect(subscribed.ok).toBe(true);
    // The geometry is fetched once by the view, not carried in every live summary.
    expect(subscribed.ok && subscribed.snapshot.compounds[0]).not.toHaveProperty('sitePlan');
    const url = `/api/admin/devices/h1/elevator/${elevator.device}`;
    expect((await apiFetch(hub, url, { method: 'PATCH', body: JSON.stringify({ position: { x: 12.5, y: 80 } }) }, 'qian')).status).toBe(403);
    const moved = await apiFetch(hub, url, { method: 'PATCH', body: JSON.stringify({ position: { x: 12.5, y: 80 } }) }, 'zhao');
    expect(moved.status).toBe(200);
    await expect.poll(() => live.batches.flatMap((b) => b.devices).find((d) => d.device === elevator.device)?.position, { timeout: 5000 }).toEqual({ x: 12.5, y: 80 });
    live.close();
    const [entry] = (await audit('device_updated')).filter((e) => e.actor === 'zhao');
    expect(entry).toMatchObject({ compound: 'h1', before: { position: elevator.position }, after: { position: { x: 12.5, y: 80 } } });
  });

  it('keeps geometry and positions across a restart', async () => {
    await hub.stop();
    forgetLogins(hub);
    hub = await startTestHub(env);
    expect((await getJson<SitePlanAnswer>(hub, '/api/compounds/h1/site-plan')).plan?.buildings).toHaveLength(1);
    const list = await getJson<{ devices: Array<{ type: string; position?: unknown }> }>(hub, '/api/admin/compounds/h1/devices');
    expect(list.devices.find((d) => d.type === 'elevator')?.position).toEqual({ x: 12.5, y: 80 });
  });
});
