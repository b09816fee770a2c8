/**
 * Upgrading a data dir of a version before the operational database: its users.json,
 * sessions.json, silences.json and open-alerts.json are imported at the first start (nothing lost,
 * each import logged, each file set aside as `*.imported`), and a second start imports nothing
 * again. A seed file changed later is reported at start and applied with `compound-hub seed`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../src/hub.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { TEST_PASSWORD, writeUsersFile } from '../src/testing/access.fixture.ts';
import { HUB_TEST_USERS, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { runStateCommand } from '../src/cli/state.cli.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
const hubs: Hub[] = [];
beforeAll(async () => {
  dir = await tempDir('state-upgrade');
});
afterAll(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  await dir?.remove();
});

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

async function get<T = any>(hub: Hub, url: string, cookie: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${hub.info.httpUrl}${url}`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as T };
}

describe('a data dir of an earlier version', () => {
  it('is imported at the first start, once, with logins, sessions, silences and open alerts as they were', async () => {
    const data = path.join(dir.path, 'data');
    await mkdir(data, { recursive: true });
    const { file: registryFile, devices } = await writeFleetRegistry(dir.path, ['h1']);
    const now = Date.now();
    // What the earlier version kept in DATA_DIR.
    await writeFile(path.join(data, 'users.json'), await readFile(await writeUsersFile(HUB_TEST_USERS), 'utf8'));
    const token = randomBytes(32).toString('base64url');
    await writeFile(path.join(data, 'sessions.json'), JSON.stringify({ version: 1, sessions: [{ id: digest(token), userId: 'zhao', createdAt: now - 60_000, expiresAt: now + 3_600_000 }] }));
    await writeFile(path.join(data, 'silences.json'), JSON.stringify([{ id: 's-0001', compound: 'h1', type: 'parking', from: now - 60_000, until: now + 3_600_000, reason: '车位划线施工', actor: 'zhao' }]));
    const lane = devices.find((d) => d.type === 'fire_lane')!;
    const alert: Alert = {
      id: 'a-upgrade-1', ruleId: 'fire-lane-blocked', name: { zh: '消防通道占用', en: 'Fire lane blocked' }, severity: 'major',
      deviceKey: lane.key, compound: 'h1', type: 'fire_lane', device: lane.device, workflow: 'accepted', condition: 'cleared',
      raisedAt: now - 120_000, lastSeenAt: now - 100_000, clearedAt: now - 90_000, count: 1, assignee: 'wang', escalationLevel: 0, dueAt: now + 3_600_000,
      history: [
        { alertId: 'a-upgrade-1', kind: 'raised', at: now - 120_000, actor: 'hub' },
        { alertId: 'a-upgrade-1', kind: 'dispatched', at: now - 120_000, actor: 'hub', assignee: 'wang' },
        { alertId: 'a-upgrade-1', kind: 'accepted', at: now - 110_000, actor: 'wang' },
        { alertId: 'a-upgrade-1', kind: 'condition_cleared', at: now - 90_000, actor: 'hub' },
      ],
    };
    await writeFile(path.join(data, 'open-alerts.json'), JSON.stringify([alert]));

    const env = { DATA_DIR: data, REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off', USERS_FILE: '' };
    const first = await startTestHub(env);
    hubs.push(first);
    const cookie = `ch_session=${token}`;
    expect((await get(first, '/api/auth/me', cookie)).body).toMatchObject({ user: { id: 'zhao' } });
    expect((await get<{ silences: Array<{ reason: string }> }>(first, '/api/silences', cookie)).body.silences.map((s) => s.reason)).toEqual(['车位划线施工']);
    const open = (await get<{ alerts: Alert[] }>(first, '/api/alerts?open=true', cookie)).body.alerts;
    expect(open).toEqual([expect.objectContaining({ id: 'a-upgrade-1', workflow: 'accepted', assignee: 'wang' })]);
    for (const f of ['users.json', 'sessions.json', 'silences.json', 'open-alerts.json']) {
      expect(existsSync(path.join(data, f)), f).toBe(false);
      expect(existsSync(path.join(data, `${f}.imported`)), `${f}.imported`).toBe(true);
    }
    await first.stop();
    hubs.pop();

    // The second start imports nothing again, and the same login works.
    const second = await startTestHub(env);
    hubs.push(second);
    expect((await get(second, '/api/auth/me', cookie)).status).toBe(200);
    expect((await get<{ alerts: Alert[] }>(second, '/api/alerts?open=true', cookie)).body.alerts.map((a) => a.id)).toEqual(['a-upgrade-1']);
    const login = await fetch(`${second.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: TEST_PASSWORD }) });
    expect(login.status).toBe(200);
  });

  it('a seed file changed later is applied by `compound-hub seed`, after a dry run that says what would change', async () => {
    const data = path.join(dir.path, 'seeded');
    const { file: registryFile } = await writeFleetRegistry(dir.path, ['h1']);
    const env = { DATA_DIR: data, REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off' };
    const hub = await startTestHub(env);
    const before = hub.registry.size;
    await hub.stop();
    // The fleet file gains a compound.
    const { file: bigger } = await writeFleetRegistry(path.join(dir.path), ['h1', 'h2']);
    expect(bigger).toBe(registryFile);
    const out: string[] = [];
    const io = { out: { write: (text: string) => out.push(text) }, err: { write: (text: string) => out.push(text) } };
    expect(await runStateCommand(['seed', '--dry-run'], { ...env, LOG_LEVEL: 'silent' }, io)).toBe(0);
    expect(out.join('\n')).toMatch(/\+ compound h2/);
    const again = await startTestHub(env);
    expect(again.registry.size).toBe(before); // the hub runs on the database, not on the file
    await again.stop();
    expect(await runStateCommand(['seed'], { ...env, LOG_LEVEL: 'silent' }, io)).toBe(0);
    const after = await startTestHub(env);
    hubs.push(after);
    expect(after.registry.compound('h2')).toBeDefined();
    expect(after.registry.size).toBeGreaterThan(before);
  });

  it('a broken seed stops the first start before anything is imported, so the corrected file is imported next time', async () => {
    const data = path.join(dir.path, 'broken-seed');
    const { file: registryFile } = await writeFleetRegistry(path.join(dir.path), ['h1']);
    const alertsFile = path.join(dir.path, 'alerts-broken.json');
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['ghost'] }] }));
    const env = { DATA_DIR: data, REGISTRY_FILE: registryFile, ALERTS_FILE: alertsFile, INFLUX_MANAGED: 'off' };
    const error = await startTestHub(env).then(() => undefined, (e: unknown) => e);
    expect(String(error)).toMatch(/grids\.0\.workers\.0: "ghost" is not a login/);
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }] }));
    const hub = await startTestHub(env);
    hubs.push(hub);
    const routing = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: TEST_PASSWORD }) });
    const cookie = routing.headers.getSetCookie()[0]!.split(';')[0]!;
    const doc = await get<{ body: { grids: Array<{ workers: string[] }> } }>(hub, '/api/admin/routing', cookie);
    expect(doc.body.body.grids[0]?.workers).toEqual(['wang']);
  });
});
