/**
 * The hub on PostgreSQL (DATABASE_URL), as a cluster would run it: logins, sessions, a device an
 * admin adds, a silence and the audit log are in the database, so a hub started on
 * another data dir with the same DATABASE_URL carries on where the first one stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import mqtt from 'mqtt';
import type { Hub } from '../src/hub.ts';
import { TEST_PASSWORD } from '../src/testing/access.fixture.ts';
import { startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { startPostgres, type Postgres } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';

let pg: Postgres;
let dir: Awaited<ReturnType<typeof tempDir>>;
const hubs: Hub[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  dir = await tempDir('state-postgres');
});
afterAll(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  await pg?.stop();
  await dir?.remove();
});

async function login(hub: Hub, username: string): Promise<string> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function call<T = any>(hub: Hub, cookie: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${hub.info.httpUrl}${url}`, {
    method,
    headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function connects(brokerUrl: string, key: string, secret: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqtt.connect(brokerUrl, { clientId: key, username: key, password: secret, reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => {
      client.end(true);
      resolve(true);
    });
    client.once('error', () => {
      client.end(true);
      resolve(false);
    });
  });
}

describe('the hub on PostgreSQL', () => {
  it('keeps logins, sessions, devices, silences and the audit log in the database across hubs on different data dirs', async () => {
    const databaseUrl = await pg.createDatabase();
    const { file: registryFile } = await writeFleetRegistry(dir.path, ['h1']);
    const env = { REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off', DATABASE_URL: databaseUrl };

    const first = await startTestHub({ ...env, DATA_DIR: path.join(dir.path, 'one') });
    hubs.push(first);
    expect(first.info.state).toMatch(/^PostgreSQL postgres:\/\/.*127\.0\.0\.1/);
    const root = await login(first, 'root');
    const zhao = await login(first, 'zhao');
    const added = await call<{ devices: Array<{ device: { key: string }; secret: string }> }>(first, zhao, 'POST', '/api/admin/compounds/h1/devices', { type: 'parking', id: 'p-new', name: '访客车位 9' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const { device, secret } = added.body.devices[0]!;
    expect(await connects(first.info.brokerUrl, device.key, secret)).toBe(true);
    const silence = await call(first, root, 'POST', '/api/silences', { compound: 'h1', type: 'elevator', durationMin: 60, reason: '电梯年检' });
    expect(silence.status).toBe(201);
    await first.stop();
    hubs.pop();

    // Another data dir, the same database: nothing is imported again, everything is there.
    const second = await startTestHub({ ...env, DATA_DIR: path.join(dir.path, 'two') });
    hubs.push(second);
    expect((await call(second, root, 'GET', '/api/auth/me')).status).toBe(200);
    expect(second.registry.getByKey(device.key)?.name).toBe('访客车位 9');
    expect(await connects(second.info.brokerUrl, device.key, secret)).toBe(true);
    const silences = await call<{ silences: Array<{ reason: string }> }>(second, zhao, 'GET', '/api/silences');
    expect(silences.body.silences.map((s) => s.reason)).toEqual(['电梯年检']);
    const audit = await call<{ entries: Array<{ action: string; actor: string }> }>(second, root, 'GET', '/api/admin/audit?limit=50');
    expect(audit.body.entries.map((e) => `${e.actor}:${e.action}`)).toEqual(expect.arrayContaining(['zhao:device_added', 'root:silence_created', 'zhao:login', 'root:login']));
  });

  it('goes on watching when the database goes away: readings flow, logins work, administration answers 503 STATE_UNAVAILABLE', async () => {
    const own = await startPostgres();
    const { file: registryFile, devices } = await writeFleetRegistry(dir.path, ['g1']);
    const hub = await startTestHub({ REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off', DATABASE_URL: await own.createDatabase(), DATA_DIR: path.join(dir.path, 'gone') });
    hubs.push(hub);
    const root = await login(hub, 'root');
    await own.stop();

    const refused = await call<{ error: string; message: string }>(hub, root, 'POST', '/api/admin/users', { id: 'new-worker', name: '新网格员', role: 'worker' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('STATE_UNAVAILABLE');
    expect(refused.body.message).toMatch(/operational database at postgres:\/\/.*unavailable/);
    // The hot path does not wait on the database.
    const elevator = devices.find((d) => d.type === 'elevator')!;
    const client = await mqtt.connectAsync(hub.info.brokerUrl, { clientId: elevator.key, username: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
    await client.publishAsync(`compounds/${elevator.key}/telemetry`, JSON.stringify({ floor: 7, seq: 1 }), { qos: 1 });
    await client.endAsync();
    await expect.poll(async () => (await call<{ fields: { floor?: number } }>(hub, root, 'GET', `/api/devices/${elevator.key}`)).body.fields.floor).toBe(7);
    expect((await login(hub, 'zhao')).length).toBeGreaterThan(10);
    // And it stops as usual, what it could not write reported in its log.
    await hub.stop();
    hubs.pop();
  });
});
