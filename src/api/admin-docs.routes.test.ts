/** The routing and rules documents: versions and 409, validation with issues, routing that reaches nobody, webhook secrets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, type AdminApi } from '../testing/admin.fixture.ts';
import { DEFAULT_RULES } from '../rules/default.pack.ts';

const SECRET = 'a-webhook-secret-of-some-length';

describe('admin: the routing document', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());
  const put = (body: unknown, version: number) => api.inject({ method: 'PUT', url: '/api/admin/routing', payload: { body, version } });

  it('reads the stored routing with its version', async () => {
    const res = await api.inject('/api/admin/routing');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 1, updatedBy: 'seed', body: { grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'], shifts: [] }], sla: { critical: { acceptMin: 5 } } } });
  });

  it('saves a new version, tells the hub, and refuses a stale version with 409', async () => {
    const { body } = (await api.inject('/api/admin/routing')).json();
    const next = { ...body, escalation: ['zhao'], webhooks: [{ id: 'robot', url: 'https://example.com/hook', secret: SECRET }] };
    const res = await put(next, 1);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, updatedBy: 'root', updatedAt: api.clock.now, body: { escalation: ['zhao'] } });
    expect(api.calls.findLast((c) => c[0] === 'routingChanged')?.[1]).toMatchObject({ escalation: ['zhao'], webhooks: [{ id: 'robot', secret: SECRET, maxAttempts: 6 }] });
    const stale = await put(next, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'CONFLICT', params: { version: 2 } });
    expect((await put(next, 0)).json()).toMatchObject({ error: 'CONFLICT', params: { version: 2 } });
    expect((await put(next, 7)).statusCode).toBe(409);
    const entry = (await api.entries()).findLast((e) => e.action === 'routing_saved');
    expect(entry).toMatchObject({ actor: 'root', target: 'routing', note: 'version 1 → 2', before: { escalation: [], webhooks: [] }, after: { escalation: ['zhao'], webhooks: [{ id: 'robot', secret: '(changed)' }] } });
    expect(JSON.stringify(entry)).not.toContain(SECRET);
  });

  it('never answers a webhook secret, and keeps the stored one when a save leaves it out', async () => {
    const read = await api.inject('/api/admin/routing');
    expect(read.body).not.toContain(SECRET);
    const { body, version } = read.json();
    expect(body.webhooks).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    const res = await put({ ...body, webhooks: [{ ...body.webhooks[0], url: 'https://example.com/hook2' }] }, version);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(SECRET);
    const stored = (await api.state.docs.get('alerts'))!.body as { webhooks: Array<{ url: string; secret: string }> };
    expect(stored.webhooks[0]).toMatchObject({ url: 'https://example.com/hook2', secret: SECRET });
    // A webhook that is new needs its secret.
    const fresh = await put({ ...body, webhooks: [...body.webhooks, { id: 'other', url: 'https://example.com/x' }] }, version + 1);
    expect(fresh.statusCode).toBe(400);
    expect(fresh.json()).toMatchObject({ error: 'ROUTING_INVALID', issues: [{ path: 'webhooks.1.secret' }] });
  });

  it('refuses routing that resolves to nobody, or names an unknown compound, with ROUTING_INVALID and issues', async () => {
    const { body, version } = (await api.inject('/api/admin/routing')).json();
    const cases: Array<[object, string, RegExp]> = [
      [{ grids: [{ id: 'g1', compounds: ['c01'], workers: ['ghost'] }] }, 'grids.0.workers.0', /"ghost" is not a login/],
      [{ grids: [{ id: 'g1', compounds: ['c01'], workers: ['sun'] }] }, 'grids.0.workers.0', /viewer, who cannot accept/],
      [{ escalation: ['desk'] }, 'escalation.0', /neither a login nor a group/],
      [{ groups: [{ id: 'desk', name: '应急', members: ['sun'] }], escalation: ['desk'] }, 'escalation.0', /nobody who can accept/],
      [{ grids: [{ id: 'g1', compounds: ['c99'], workers: ['wang'] }] }, 'grids.0.compounds.0', /no compound "c99"/],
    ];
    for (const [change, path, message] of cases) {
      const res = await put({ ...body, ...change }, version);
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().error).toBe('ROUTING_INVALID');
      expect(res.json().issues).toContainEqual({ path, message: expect.stringMatching(message) });
    }
    const schema = await put({ ...body, sla: { critical: { acceptMin: -1, resolveMin: 30 } }, colour: 'red' }, version);
    expect(schema.statusCode).toBe(400);
    expect(schema.json()).toMatchObject({ error: 'ROUTING_INVALID' });
    expect(schema.json().issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['sla.critical.acceptMin', '(root)']));
    // The wrapper itself: BAD_REQUEST with issues.
    for (const payload of [{ body }, { body, version: -1 }, { body, version: 1, extra: 1 }, { version: 1 }]) {
      const res = await api.inject({ method: 'PUT', url: '/api/admin/routing', payload });
      expect(res.statusCode, JSON.stringify(Object.keys(payload))).toBe(400);
      expect(res.json()).toMatchObject({ error: 'BAD_REQUEST', issues: [expect.objectContaining({ path: expect.any(String) })] });
    }
    expect((await api.inject('/api/admin/routing')).json().version).toBe(version);
  });
});

describe('admin: the rules document', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());
  const put = (body: unknown, version: number) => api.inject({ method: 'PUT', url: '/api/admin/rules', payload: { body, version } });

  it('answers the built-in pack as version 0 until one is saved; version 0 creates it', async () => {
    const res = await api.inject('/api/admin/rules');
    expect(res.json()).toMatchObject({ version: 0, updatedAt: 0, updatedBy: '' });
    expect(res.json().body.rules.map((r: { id: string }) => r.id)).toEqual(DEFAULT_RULES.rules.map((r) => r.id));
    const rules = res.json().body.rules.filter((r: { id: string }) => r.id !== 'device-offline');
    const saved = await put({ rules }, 0);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ version: 1, updatedBy: 'root' });
    expect(api.calls.findLast((c) => c[0] === 'rulesChanged')?.[1]).toHaveLength(rules.length);
    expect((await put({ rules }, 0)).json()).toMatchObject({ error: 'CONFLICT', params: { version: 1 } });
    const entry = (await api.entries()).findLast((e) => e.action === 'rules_saved');
    expect(entry).toMatchObject({ target: 'rules', note: 'version 0 → 1', before: { 'device-offline': expect.objectContaining({ severity: 'major' }) }, after: {} });
  });

  it('refuses invalid rules with RULES_INVALID and their issues, and keeps the saved ones', async () => {
    const { body, version } = (await api.inject('/api/admin/rules')).json();
    const [first, ...rest] = body.rules;
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ ...first, severity: 'apocalyptic' }, ...rest] }, 'rules.0.severity'],
      [{ rules: [first, first] }, 'rules.1.id'],
      [{ rules: [{ ...first, match: { types: ['manhole'] }, condition: { kind: 'threshold', field: 'floorr', op: '>', value: 1 } }] }, 'rules.0.condition.field'],
      [{ rule: [] }, '(root)'],
      [[], '(root)'],
      [{ rules: body.rules, groups: [{ id: 'g', name: { zh: '{place}', en: '{place}' }, rules: ['nope'], by: 'building', min: 2, windowSec: 60 }] }, 'groups.0.rules.0'],
    ];
    for (const [doc, path] of cases) {
      const res = await put(doc, version);
      expect(res.statusCode, JSON.stringify(doc).slice(0, 80)).toBe(400);
      expect(res.json().error).toBe('RULES_INVALID');
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await api.inject('/api/admin/rules')).json().version).toBe(version);
  });

  it('saves groups, inhibition and flapping with the rules, and the audit log names what changed', async () => {
    const { version } = (await api.inject('/api/admin/rules')).json();
    const res = await put(DEFAULT_RULES, version);
    expect(res.statusCode, res.body).toBe(200);
    const { body } = (await api.inject('/api/admin/rules')).json();
    expect(body.groups.map((g: { id: string }) => g.id)).toEqual(DEFAULT_RULES.groups!.map((g) => g.id));
    expect(body.flapping).toEqual(DEFAULT_RULES.flapping);
    const entry = (await api.entries()).findLast((e) => e.action === 'rules_saved');
    expect(Object.keys(entry?.after ?? {})).toEqual(expect.arrayContaining(['device-offline', 'group:offline-building', 'inhibit:power-cut-offline', 'flapping']));
  });

  it('a dry run needs stored history: 503 live-only, and the rules are checked first', async () => {
    const { body } = (await api.inject('/api/admin/rules')).json();
    const res = await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: body.rules, days: 3 } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('STORE_UNAVAILABLE');
    const bad = await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: [{ id: 'x' }], days: 3 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('RULES_INVALID');
    expect((await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: [], days: 99 } })).json().issues[0].path).toBe('days');
  });
});
