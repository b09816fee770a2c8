/** The admin routes on a real SQLite state: roles and scopes, validation with issues, conflicts, and what each write changes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, FIXTURE_DEVICE_SECRET, type AdminApi, type Client } from '../testing/admin.fixture.ts';
import { authenticateDevice } from '../broker/device-acl.ts';
import { hashDeviceSecret } from '../contracts/credentials.ts';
import type { InjectOptions } from 'fastify';

type Who = 'admin' | 'managerIn' | 'managerOut' | 'worker' | 'viewer' | 'nobody';
const WHO: Who[] = ['admin', 'managerIn', 'managerOut', 'worker', 'viewer', 'nobody'];
const LOGIN: Record<Exclude<Who, 'nobody'>, string> = { admin: 'root', managerIn: 'zhao', managerOut: 'qian', worker: 'wang', viewer: 'sun' };

async function clients(api: AdminApi): Promise<Record<Who, Client>> {
  const out = { nobody: { inject: (o: string | InjectOptions) => api.app.inject(o) } } as Record<Who, Client>;
  for (const who of Object.keys(LOGIN) as Array<keyof typeof LOGIN>) out[who] = await api.login(LOGIN[who]);
  return out;
}

const auth = (secret: string) => Buffer.from(secret, 'utf8');

describe('admin routes: who may call what', () => {
  let api: AdminApi;
  let as: Record<Who, Client>;
  beforeAll(async () => {
    api = await adminApi();
    as = await clients(api);
  });
  afterAll(() => api.close());

  /** Each route, with a request that is valid for whoever may make it; `n` makes ids unique per caller. */
  const ROUTES: Array<{ name: string; allowed: Who[]; ok?: number; request: (who: Who) => InjectOptions }> = [
    { name: 'GET users', allowed: ['admin'], request: () => ({ url: '/api/admin/users' }) },
    { name: 'POST users', allowed: ['admin'], ok: 201, request: (who) => ({ method: 'POST', url: '/api/admin/users', payload: { id: `new-${who.toLowerCase()}`, role: 'viewer' } }) },
    { name: 'PATCH user', allowed: ['admin'], request: (who) => ({ method: 'PATCH', url: '/api/admin/users/sun', payload: { name: `孙 ${who}` } }) },
    { name: 'reset password', allowed: ['admin'], request: () => ({ method: 'POST', url: '/api/admin/users/new-admin/reset-password' }) },
    { name: 'GET places', allowed: ['admin', 'managerIn', 'managerOut'], request: () => ({ url: '/api/admin/places' }) },
    { name: 'PUT place', allowed: ['admin'], request: (who) => ({ method: 'PUT', url: '/api/admin/places/street/gudang', payload: { name: `古荡街道 ${who}`, parent: 'xihu' } }) },
    { name: 'PUT compound', allowed: ['admin'], request: (who) => ({ method: 'PUT', url: '/api/admin/compounds/c03', payload: { name: `翠苑三区 ${who}`, community: 'cuiyuan' } }) },
    { name: 'PUT contacts', allowed: ['admin', 'managerIn'], request: (who) => ({ method: 'PUT', url: '/api/admin/compounds/c01/contacts', payload: { contacts: [{ name: `物业 ${who}`, phone: '0571-1234567' }] } }) },
    { name: 'GET devices', allowed: ['admin', 'managerIn'], request: () => ({ url: '/api/admin/compounds/c01/devices' }) },
    { name: 'POST device', allowed: ['admin', 'managerIn'], ok: 201, request: (who) => ({ method: 'POST', url: '/api/admin/compounds/c01/devices', payload: { type: 'manhole', id: `mh-${who.toLowerCase()}` } }) },
    {
      name: 'import devices',
      allowed: ['admin', 'managerIn'],
      ok: 201,
      request: (who) => ({ method: 'POST', url: '/api/admin/compounds/c01/devices/import', headers: { 'content-type': 'text/csv' }, payload: `type,id\nparking,p-${who.toLowerCase()}\n` }),
    },
    { name: 'PATCH device', allowed: ['admin', 'managerIn'], request: (who) => ({ method: 'PATCH', url: '/api/admin/devices/c01/elevator/elev-1', payload: { name: `1号电梯 ${who}` } }) },
    { name: 'rotate secret', allowed: ['admin', 'managerIn'], request: () => ({ method: 'POST', url: '/api/admin/devices/c01/manhole/mh-1/rotate-secret' }) },
    { name: 'retire', allowed: ['admin', 'managerIn'], request: () => ({ method: 'POST', url: '/api/admin/devices/c01/parking/p-admin/retire' }) },
    { name: 'GET routing', allowed: ['admin'], request: () => ({ url: '/api/admin/routing' }) },
    { name: 'GET rules', allowed: ['admin'], request: () => ({ url: '/api/admin/rules' }) },
    { name: 'try rules', allowed: ['admin'], ok: 503, request: () => ({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: [], days: 1 } }) },
    { name: 'GET audit', allowed: ['admin'], request: () => ({ url: '/api/admin/audit' }) },
    { name: 'GET audit.csv', allowed: ['admin'], request: () => ({ url: '/api/admin/audit.csv' }) },
  ];

  it.each(ROUTES)('$name: allowed for $allowed, 403 for the others, 401 without a login', async (route) => {
    // The allowed ones last, so a refused call could not have been helped by an earlier write.
    const order = [...WHO.filter((w) => !route.allowed.includes(w)), ...route.allowed];
    for (const who of order) {
      const res = await as[who].inject(route.request(who));
      const expected = who === 'nobody' ? 401 : route.allowed.includes(who) ? (route.ok ?? 200) : 403;
      expect(res.statusCode, `${route.name} as ${who}: ${res.body}`).toBe(expected);
      if (expected === 403) expect(res.json().error).toBe('FORBIDDEN');
    }
  });

  it('PUT of the documents is admin only, before the body is looked at', async () => {
    for (const url of ['/api/admin/routing', '/api/admin/rules']) {
      for (const who of ['managerIn', 'worker', 'viewer'] as const) {
        const res = await as[who].inject({ method: 'PUT', url, payload: { nonsense: true } });
        expect(res.statusCode, `${url} as ${who}`).toBe(403);
      }
      expect((await as.nobody.inject({ method: 'PUT', url, payload: {} })).statusCode).toBe(401);
    }
  });

  it('shows a manager only their compounds and the places above them', async () => {
    const mine = (await as.managerOut.inject('/api/admin/places')).json();
    expect(mine.compounds.map((c: { id: string }) => c.id)).toEqual(['c02']);
    expect(mine.places.map((p: { id: string }) => p.id)).toEqual(['xihu', 'wenxin', 'cuiyuan']);
    const all = (await as.admin.inject('/api/admin/places')).json();
    expect(all.compounds.map((c: { id: string }) => c.id)).toEqual(['c01', 'c02', 'c03']);
    expect(all.places.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['xihu', 'wenxin', 'gudang', 'cuiyuan']));
    const c01 = all.compounds.find((c: { id: string }) => c.id === 'c01');
    expect(c01).toMatchObject({ name: '翠苑一区', community: 'cuiyuan', grid: 'g1', buildings: { b1: '1号楼' }, contacts: [{ name: '物业 managerIn' }] });
    expect(c01.deviceCount).toBeGreaterThanOrEqual(2);
  });

  it('answers 401 on every admin route of the OpenAPI document without a login', async () => {
    const doc = (await as.admin.inject('/docs')).json() as { paths: Record<string, Record<string, unknown>> };
    const admin = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/admin/'));
    expect(admin.length).toBeGreaterThanOrEqual(17);
    for (const [p, methods] of admin) {
      for (const method of Object.keys(methods)) {
        const url = p.replace(/\{[^}]+\}/g, (m) => (m === '{type}' ? 'elevator' : m === '{kind}' ? 'street' : 'c01'));
        const res = await as.nobody.inject({ method: method.toUpperCase() as InjectOptions['method'], url });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
      }
    }
  });
});

describe('admin: users', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());

  it('creates a login with a one-time password that must be changed at first login', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/admin/users', payload: { id: 'li-qiang', name: '李强', role: 'worker', grids: ['g1'] } });
    expect(res.statusCode).toBe(201);
    const { user, password } = res.json();
    expect(user).toMatchObject({ id: 'li-qiang', name: '李强', role: 'worker', grids: ['g1'], disabled: false, mustChangePassword: true });
    expect(user.passwordHash).toBeUndefined();
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(api.calls).toContainEqual(['userChanged', 'li-qiang']);
    const li = await api.login('li-qiang', password);
    expect((await li.inject('/api/auth/me')).json().user).toMatchObject({ id: 'li-qiang', mustChangePassword: true, compounds: ['c01'] });
    const listed = (await api.inject('/api/admin/users')).json().users;
    expect(listed.map((u: { id: string }) => u.id)).toEqual(['li-qiang', 'qian', 'root', 'sun', 'wang', 'zhao']);
    expect(JSON.stringify(listed)).not.toMatch(/scrypt/);
  });

  it('refuses a taken id with 409, and bad bodies with 400 and their issues', async () => {
    const taken = await api.inject({ method: 'POST', url: '/api/admin/users', payload: { id: 'zhao', role: 'viewer' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: 'CONFLICT', params: { id: 'zhao' } });
    const cases: Array<[unknown, string]> = [
      [{ id: 'x1', role: 'boss' }, 'role'],
      [{ id: 'Not An Id', role: 'viewer' }, 'id'],
      [{ id: 'x2', role: 'viewer', passwordHash: 'scrypt$1' }, '(root)'],
      [{ id: 'x3', role: 'manager' }, 'compounds'],
      [{ id: 'x4', role: 'manager', compounds: ['c99'] }, 'compounds.0'],
      [{ id: 'x5', role: 'worker', grids: ['g9'] }, 'grids.0'],
    ];
    for (const [payload, path] of cases) {
      const res = await api.inject({ method: 'POST', url: '/api/admin/users', payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toBe('BAD_REQUEST');
      expect(res.json().message).toEqual(expect.any(String));
      expect(res.json().issues.map((i: { path: string }) => i.path), JSON.stringify(res.json())).toContain(path);
    }
    expect((await api.state.users.get('x3'))).toBeUndefined();
  });

  it('changes and disables a login: its sessions end, the audit log says before → after', async () => {
    const sun = await api.login('sun');
    const res = await api.inject({ method: 'PATCH', url: '/api/admin/users/sun', payload: { name: '孙主任', compounds: ['c01'], disabled: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: 'sun', name: '孙主任', compounds: ['c01'], disabled: true });
    expect((await sun.inject('/api/auth/me')).statusCode).toBe(401);
    await expect(api.login('sun')).rejects.toThrow(/401/);
    const entry = (await api.entries()).findLast((e) => e.action === 'user_updated');
    expect(entry).toMatchObject({ actor: 'root', target: 'user:sun', before: { disabled: false }, after: { name: '孙主任', compounds: ['c01'], disabled: true } });
    expect((await api.inject({ method: 'PATCH', url: '/api/admin/users/nobody-here', payload: { name: 'x' } })).statusCode).toBe(404);
    expect((await api.inject({ method: 'PATCH', url: '/api/admin/users/sun', payload: { colour: 'red' } })).json().issues).toEqual([
      { path: '(root)', message: expect.stringMatching(/colour/) },
    ]);
  });

  it('refuses to leave the routing reaching nobody, or no admin', async () => {
    for (const payload of [{ disabled: true }, { role: 'viewer' }]) {
      const res = await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(409);
      expect(res.json()).toMatchObject({ error: 'CONFLICT', issues: [{ path: 'grids.0.workers.0', message: expect.stringMatching(/wang/) }] });
    }
    const self = await api.inject({ method: 'PATCH', url: '/api/admin/users/root', payload: { disabled: true } });
    expect(self.statusCode).toBe(409);
    expect((await api.state.users.get('wang'))?.disabled).toBe(false);
  });

  it('resets a password: the old one stops working, sessions end, the new one must be changed', async () => {
    const zhao = await api.login('zhao');
    const res = await api.inject({ method: 'POST', url: '/api/admin/users/zhao/reset-password' });
    expect(res.statusCode).toBe(200);
    const { password } = res.json();
    expect((await zhao.inject('/api/auth/me')).statusCode).toBe(401);
    await expect(api.login('zhao')).rejects.toThrow(/401/);
    const again = await api.login('zhao', password);
    expect((await again.inject('/api/auth/me')).json().user.mustChangePassword).toBe(true);
    const entry = (await api.entries()).findLast((e) => e.action === 'user_password_reset');
    expect(entry).toMatchObject({ target: 'user:zhao', after: { passwordHash: '(changed)', mustChangePassword: true } });
    expect(JSON.stringify(await api.entries())).not.toMatch(/scrypt|\$[A-Za-z0-9_-]{20,}/);
    expect(JSON.stringify(await api.entries())).not.toContain(password);
    expect((await api.inject({ method: 'POST', url: '/api/admin/users/nobody-here/reset-password' })).statusCode).toBe(404);
  });
});

describe('admin: places and compounds', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());

  it('adds a street, a community and a compound under it; the registry is rebuilt', async () => {
    expect((await api.inject({ method: 'PUT', url: '/api/admin/places/street/gudang', payload: { name: '古荡街道', parent: 'xihu' } })).json()).toEqual({
      place: { kind: 'street', id: 'gudang', name: '古荡街道', parent: 'xihu' },
    });
    expect((await api.inject({ method: 'PUT', url: '/api/admin/places/community/xixi', payload: { name: '西溪社区', parent: 'gudang' } })).statusCode).toBe(200);
    const res = await api.inject({ method: 'PUT', url: '/api/admin/compounds/c10', payload: { name: '西溪花园', community: 'xixi', buildings: { b1: '1幢' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().compound).toEqual({ id: 'c10', name: '西溪花园', community: 'xixi', buildings: { b1: '1幢' }, area: 'city', deviceCount: 0 });
    expect(api.registry.compound('c10')).toMatchObject({ name: '西溪花园' });
    const entries = (await api.entries()).filter((e) => e.action !== 'login');
    expect(entries.map((e) => e.action)).toEqual(['place_created', 'place_created', 'compound_created']);
    expect(entries[2]).toMatchObject({ target: 'compound:c10', compound: 'c10', after: { name: '西溪花园', community: 'xixi' } });
  });

  it('refuses a place whose parent is missing or of the wrong kind, and unknown fields', async () => {
    const cases: Array<[string, object, string]> = [
      ['/api/admin/places/street/s9', { name: 'S' }, 'parent'],
      ['/api/admin/places/street/s9', { name: 'S', parent: 'nowhere' }, 'parent'],
      ['/api/admin/places/community/m9', { name: 'M', parent: 'xihu' }, 'parent'],
      ['/api/admin/places/district/d9', { name: 'D', parent: 'xihu' }, 'parent'],
      ['/api/admin/places/district/d9', { name: '' }, 'name'],
      ['/api/admin/places/district/d9', { name: 'D', extra: 1 }, '(root)'],
      ['/api/admin/compounds/c11', { name: 'C', community: 'nowhere' }, 'community'],
      ['/api/admin/compounds/c11', { name: 'C', community: 'cuiyuan', buildings: { b1: '' } }, 'buildings.b1'],
    ];
    for (const [url, payload, path] of cases) {
      const res = await api.inject({ method: 'PUT', url, payload });
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), res.body).toContain(path);
    }
    expect((await api.inject({ method: 'PUT', url: '/api/admin/places/planet/p1', payload: { name: 'P' } })).statusCode).toBe(400);
  });

  it("keeps a compound's area and location (for arrival deadlines and distances), checked, audited, in the registry", async () => {
    const payload = { name: '千岛湖阳光苑', community: 'cuiyuan', area: 'county', location: { lat: 29.6052, lon: 119.0421 } };
    const res = await api.inject({ method: 'PUT', url: '/api/admin/compounds/c12', payload });
    expect(res.statusCode).toBe(200);
    expect(res.json().compound).toEqual({ id: 'c12', name: '千岛湖阳光苑', community: 'cuiyuan', area: 'county', location: { lat: 29.6052, lon: 119.0421 }, deviceCount: 0 });
    expect(api.registry.compound('c12')).toMatchObject({ area: 'county', location: { lat: 29.6052, lon: 119.0421 } });
    expect((await api.inject({ method: 'GET', url: '/api/admin/places' })).json().compounds.find((c: { id: string }) => c.id === 'c12')).toMatchObject({ area: 'county', location: { lat: 29.6052 } });
    // Back to a city compound without a location.
    const city = await api.inject({ method: 'PUT', url: '/api/admin/compounds/c12', payload: { name: '千岛湖阳光苑', community: 'cuiyuan' } });
    expect(city.json().compound).toEqual({ id: 'c12', name: '千岛湖阳光苑', community: 'cuiyuan', area: 'city', deviceCount: 0 });
    expect(api.registry.compound('c12')!.location).toBeUndefined();
    const audited = (await api.entries()).filter((e) => e.target === 'compound:c12');
    expect(audited.map((e) => e.action)).toEqual(['compound_created', 'compound_updated']);
    expect(audited[1]).toMatchObject({ before: { area: 'county', location: { lat: 29.6052, lon: 119.0421 } } });
    for (const [bad, path] of [[{ area: 'village' }, 'area'], [{ location: { lat: 91, lon: 120 } }, 'location.lat'], [{ location: { lat: 30, lon: 181 } }, 'location.lon'], [{ location: { lat: 30 } }, 'location.lon']] as const) {
      const refused = await api.inject({ method: 'PUT', url: '/api/admin/compounds/c12', payload: { name: 'C', community: 'cuiyuan', ...bad } });
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().issues.map((i: { path: string }) => i.path), refused.body).toContain(path);
    }
  });

  it('keeps contacts when a compound is renamed; contacts of an unknown compound are 404', async () => {
    const zhao = await api.login('zhao');
    const contacts = [{ name: '物业服务中心', phone: '0571-88886666', role: '物业' }];
    expect((await zhao.inject({ method: 'PUT', url: '/api/admin/compounds/c01/contacts', payload: { contacts } })).json().compound.contacts).toEqual(contacts);
    const renamed = await api.inject({ method: 'PUT', url: '/api/admin/compounds/c01', payload: { name: '翠苑一区(东)', community: 'cuiyuan', grid: 'g1' } });
    expect(renamed.json().compound).toMatchObject({ name: '翠苑一区(东)', contacts, deviceCount: 2 });
    expect((await api.inject({ method: 'PUT', url: '/api/admin/compounds/c77/contacts', payload: { contacts } })).statusCode).toBe(404);
    const bad = await zhao.inject({ method: 'PUT', url: '/api/admin/compounds/c01/contacts', payload: { contacts: [{ name: 'x', phone: 'call me' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('contacts.0.phone');
  });
});

describe('admin: devices', () => {
  let api: AdminApi;
  let zhao: Client;
  beforeAll(async () => {
    api = await adminApi();
    zhao = await api.login('zhao');
  });
  afterAll(() => api.close());

  it('adds a device: the secret is shown once, its SHA-256 is kept, and it can connect at once', async () => {
    const res = await zhao.inject({ method: 'POST', url: '/api/admin/compounds/c01/devices', payload: { type: 'elevator', id: 'elev-2', name: '2号电梯', building: 'b1', position: { x: 10, y: 20 } } });
    expect(res.statusCode).toBe(201);
    const [{ device, secret }] = res.json().devices;
    expect(device).toMatchObject({ compound: 'c01', type: 'elevator', id: 'elev-2', key: 'c01/elevator/elev-2', name: '2号电梯', reportIntervalSec: 60, position: { x: 10, y: 20 } });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const stored = await api.state.places.getDevice('c01', 'elevator', 'elev-2');
    expect(stored?.secretSha256).toBe(hashDeviceSecret(secret));
    expect(api.calls).toContainEqual(['registryChanged', ['c01/elevator/elev-2']]);
    expect(authenticateDevice(api.registry, 'c01/elevator/elev-2', auth(secret))?.key).toBe('c01/elevator/elev-2');
    expect(authenticateDevice(api.registry, 'c01/elevator/elev-2', auth('wrong'))).toBeUndefined();
    // Never again: not in the list, not in the audit log.
    const listed = await zhao.inject('/api/admin/compounds/c01/devices');
    expect(listed.body).not.toContain(secret);
    expect(listed.body).not.toContain(stored!.secretSha256);
    expect(listed.json().devices.map((d: { key: string }) => d.key)).toEqual(['c01/elevator/elev-1', 'c01/elevator/elev-2', 'c01/manhole/mh-1']);
    const entry = (await api.entries()).findLast((e) => e.action === 'device_added');
    expect(entry).toMatchObject({ actor: 'zhao', target: 'device:c01/elevator/elev-2', compound: 'c01', after: { id: 'elev-2', name: '2号电梯' } });
    expect(JSON.stringify(entry)).not.toContain(stored!.secretSha256);
  });

  it('refuses a device that exists (409), in an unknown compound (404), or with a bad body (400 with issues)', async () => {
    const dup = await zhao.inject({ method: 'POST', url: '/api/admin/compounds/c01/devices', payload: { type: 'elevator', id: 'elev-1' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'CONFLICT', params: { device: 'c01/elevator/elev-1' } });
    expect((await api.inject({ method: 'POST', url: '/api/admin/compounds/c99/devices', payload: { type: 'elevator', id: 'e' } })).statusCode).toBe(404);
    expect((await api.inject('/api/admin/compounds/c99/devices')).statusCode).toBe(404);
    for (const [payload, path] of [
      [{ type: 'toaster', id: 'e9' }, 'type'],
      [{ type: 'elevator', id: 'E 9' }, 'id'],
      [{ type: 'elevator', id: 'e9', reportIntervalSec: 0 }, 'reportIntervalSec'],
      [{ type: 'elevator', id: 'e9', position: { x: 101, y: 0 } }, 'position.x'],
      [{ type: 'elevator', id: 'e9', secretSha256: 'a'.repeat(64) }, '(root)'],
    ] as const) {
      const res = await zhao.inject({ method: 'POST', url: '/api/admin/compounds/c01/devices', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    }
  });

  it('changes a device; null clears a tag; a retired device cannot be changed', async () => {
    const res = await zhao.inject({ method: 'PATCH', url: '/api/admin/devices/c01/manhole/mh-1', payload: { name: '北门井盖', zone: null, reportIntervalSec: 300 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().device).toMatchObject({ name: '北门井盖', reportIntervalSec: 300 });
    expect(res.json().device.zone).toBeUndefined();
    expect(api.registry.getByKey('c01/manhole/mh-1')).toMatchObject({ reportIntervalSec: 300 });
    const entry = (await api.entries()).findLast((e) => e.action === 'device_updated');
    expect(entry).toMatchObject({ before: { zone: 'north', reportIntervalSec: 60 }, after: { name: '北门井盖', reportIntervalSec: 300 } });
    expect((await zhao.inject({ method: 'PATCH', url: '/api/admin/devices/c01/manhole/mh-1', payload: { secretSha256: 'a'.repeat(64) } })).statusCode).toBe(400);
    expect((await zhao.inject({ method: 'PATCH', url: '/api/admin/devices/c01/manhole/nope', payload: { name: 'x' } })).statusCode).toBe(404);
    expect((await zhao.inject({ method: 'PATCH', url: '/api/admin/devices/c01/toaster/mh-1', payload: { name: 'x' } })).statusCode).toBe(400);
  });

  it('rotates a secret: the old one stops working at once, the new one works', async () => {
    expect(authenticateDevice(api.registry, 'c01/elevator/elev-1', auth(FIXTURE_DEVICE_SECRET))).toBeDefined();
    const res = await zhao.inject({ method: 'POST', url: '/api/admin/devices/c01/elevator/elev-1/rotate-secret' });
    expect(res.statusCode).toBe(200);
    const [{ secret }] = res.json().devices;
    expect(authenticateDevice(api.registry, 'c01/elevator/elev-1', auth(FIXTURE_DEVICE_SECRET))).toBeUndefined();
    expect(authenticateDevice(api.registry, 'c01/elevator/elev-1', auth(secret))).toBeDefined();
    expect((await api.entries()).findLast((e) => e.action === 'device_secret_rotated')).toMatchObject({ before: { secretSha256: '(changed)' }, after: { secretSha256: '(changed)' } });
  });

  it('retires a device: cut off at once, kept in the list; again answers 200 unchanged', async () => {
    const before = api.calls.length;
    const res = await zhao.inject({ method: 'POST', url: '/api/admin/devices/c01/elevator/elev-2/retire' });
    expect(res.statusCode).toBe(200);
    const retiredAt = res.json().device.retiredAt;
    expect(retiredAt).toEqual(expect.any(Number));
    expect(api.calls.slice(before)).toEqual([['registryChanged', ['c01/elevator/elev-2']]]);
    expect(api.registry.getByKey('c01/elevator/elev-2')).toBeUndefined();
    const again = await zhao.inject({ method: 'POST', url: '/api/admin/devices/c01/elevator/elev-2/retire' });
    expect(again.statusCode).toBe(200);
    expect(again.json().device.retiredAt).toBe(retiredAt);
    expect(api.calls.length).toBe(before + 1);
    expect((await zhao.inject('/api/admin/compounds/c01/devices')).json().devices.find((d: { id: string }) => d.id === 'elev-2').retiredAt).toBe(retiredAt);
    expect((await zhao.inject({ method: 'POST', url: '/api/admin/devices/c01/elevator/elev-2/rotate-secret' })).statusCode).toBe(409);
    expect((await zhao.inject({ method: 'PATCH', url: '/api/admin/devices/c01/elevator/elev-2', payload: { name: 'x' } })).statusCode).toBe(409);
    // A retired id is not given out again.
    expect((await zhao.inject({ method: 'POST', url: '/api/admin/compounds/c01/devices', payload: { type: 'elevator', id: 'elev-2' } })).statusCode).toBe(409);
    expect((await api.entries()).filter((e) => e.action === 'device_retired')).toHaveLength(1);
  });
});

describe('admin: CSV import', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());
  const post = (payload: string | Buffer, compound = 'c02', contentType = 'text/csv') =>
    api.inject({ method: 'POST', url: `/api/admin/compounds/${compound}/devices/import`, headers: { 'content-type': contentType }, payload });

  it('adds nothing when a row is wrong, and says what is wrong in each row', async () => {
    const csv = [
      'type,id,name,building,zone,reportIntervalSec,x,y',
      'parking,p-1,1号车位,,north,60,10,20',
      'toaster,t-1,,,,,,', // unknown type
      'parking,p-1,again,,,,,', // twice in the file
      'parking,park-1,,,,,,', // exists already
      'parking,p-2,,,,soon,5,', // not a number; x without y
      'parking,p-3', // cells missing
      'fire_lane,f-1,"消防通道, 北",,,,,',
    ].join('\n');
    const res = await post(csv);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/5 of 7 rows are wrong, nothing was added/);
    const rows = Object.fromEntries(body.rows.map((r: { row: number; issues: Array<{ path: string; message: string }> }) => [r.row, r.issues]));
    expect(Object.keys(rows).map(Number)).toEqual([2, 3, 4, 5, 6]);
    expect(rows[2][0].path).toBe('type');
    expect(rows[3]).toEqual([{ path: 'id', message: 'device parking/p-1 is in row 1 too' }]);
    expect(rows[4]).toEqual([{ path: 'id', message: 'device c02/parking/park-1 exists already' }]);
    expect(rows[5].map((i: { path: string }) => i.path)).toEqual(['reportIntervalSec', 'y']);
    expect(rows[6][0].message).toMatch(/expected 8 cells/);
    expect(body.issues).toContainEqual({ path: 'row 4: id', message: 'device c02/parking/park-1 exists already' });
    expect((await api.state.places.devicesOf('c02')).map((d) => d.id)).toEqual(['park-1']);
    expect(api.calls.filter((c) => c[0] === 'registryChanged')).toEqual([]);
  });

  it('adds every row of a good file in one go, each with its own secret', async () => {
    const csv = '\uFEFFid,type,name,zone,x,y\r\np-1,parking,1号车位,north,10,20\r\np-2,parking,"2号车位, ""东""",,,\r\n\r\nf-1,fire_lane,,,,\r\n';
    const res = await post(csv, 'c02', 'text/csv; charset=utf-8');
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().devices as Array<{ device: { key: string; name?: string; position?: object }; secret: string }>;
    expect(created.map((c) => c.device.key)).toEqual(['c02/parking/p-1', 'c02/parking/p-2', 'c02/fire_lane/f-1']);
    expect(created[0]!.device).toMatchObject({ name: '1号车位', position: { x: 10, y: 20 } });
    expect(created[1]!.device.name).toBe('2号车位, "东"');
    expect(new Set(created.map((c) => c.secret)).size).toBe(3);
    for (const c of created) expect(authenticateDevice(api.registry, c.device.key, auth(c.secret))).toBeDefined();
    expect(api.calls.filter((c) => c[0] === 'registryChanged')).toEqual([['registryChanged', created.map((c) => c.device.key)]]);
    expect((await api.entries()).filter((e) => e.action.startsWith('device'))).toEqual([
      expect.objectContaining({ action: 'devices_imported', actor: 'root', target: 'compound:c02', compound: 'c02', after: { count: 3, devices: created.map((c) => c.device.key) }, note: 'csv import of 3' }),
    ]);
  });

  it('reads a file Excel saved as GBK', async () => {
    const gbk = Buffer.concat([Buffer.from('type,id,name\nparking,p-9,'), Buffer.from([0xb3, 0xb5, 0xce, 0xbb]), Buffer.from('\n')]); // 车位
    const res = await post(gbk, 'c02', 'text/csv; charset=gbk');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().devices[0].device.name).toBe('车位');
  });

  it('refuses a wrong header, an empty file, too many rows, too many bytes, and another content type', async () => {
    const header = await post('type,name\nparking,x\n');
    expect(header.statusCode).toBe(400);
    expect(header.json().issues).toEqual([{ path: 'header', message: 'the column "id" is missing' }]);
    expect((await post('type,id,colour\nparking,x,red\n')).json().issues[0]).toMatchObject({ path: 'header.2', message: expect.stringMatching(/unknown column "colour"/) });
    expect((await post('')).statusCode).toBe(400);
    expect((await post('type,id\n')).json().issues[0].message).toMatch(/no devices/);
    const many = ['type,id', ...Array.from({ length: 5001 }, (_, i) => `parking,m-${i}`)].join('\n');
    const tooMany = await post(many);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/at most 5000/);
    const huge = `type,id,name\n${Array.from({ length: 20_000 }, (_, i) => `parking,h-${i},${'x'.repeat(50)}`).join('\n')}`;
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
    expect((await post(huge)).statusCode).toBe(413);
    expect((await post('{"type":"parking"}', 'c02', 'application/json')).statusCode).toBe(400);
    expect((await post('type,id\n"parking,p-x\n')).statusCode).toBe(400);
    expect((await post('type,id\nparking,p-x\n', 'c99')).statusCode).toBe(404);
  });

  it('takes 5000 rows at once', async () => {
    const rows = ['type,id', ...Array.from({ length: 5000 }, (_, i) => `parking,bulk-${i}`)].join('\n');
    const res = await post(rows, 'c01');
    expect(res.statusCode).toBe(201);
    expect(res.json().devices).toHaveLength(5000);
    expect((await api.state.places.devicesOf('c01')).length).toBe(5002);
  }, 30_000);
});
