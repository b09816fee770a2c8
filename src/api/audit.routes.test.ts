/** The audit log: what is recorded (who, from where, before → after), TRUST_PROXY, the filters and the CSV export. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { adminApi, TEST_PASSWORD, type AdminApi } from '../testing/admin.fixture.ts';
import { csvCell } from './csv.ts';

describe('audit log: what is recorded', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());

  it('records logins, failed logins (the id tried, never the password) and logouts, with the address', async () => {
    const remoteAddress = '10.1.2.3';
    const zhao = await api.login('zhao', TEST_PASSWORD, { remoteAddress });
    const failed = await api.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'zhao', password: 'not-my-password' } });
    expect(failed.statusCode).toBe(401);
    await api.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'nobody-at-all', password: 'guess-1234' } });
    expect((await zhao.inject({ method: 'POST', url: '/api/auth/logout', remoteAddress } as never)).statusCode).toBe(204);
    const entries = (await api.entries()).filter((e) => e.address === remoteAddress);
    expect(entries).toEqual([
      expect.objectContaining({ action: 'login', actor: 'zhao', actorName: 'zhao', address: remoteAddress, at: api.clock.now }),
      expect.objectContaining({ action: 'login_failed', actor: 'zhao', address: remoteAddress }),
      expect.objectContaining({ action: 'login_failed', actor: 'nobody-at-all', address: remoteAddress }),
      expect.objectContaining({ action: 'logout', actor: 'zhao', actorName: 'zhao', address: remoteAddress }),
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/not-my-password|guess-1234/);
    expect(entries[1]!.actorName).toBeUndefined();
  });

  it('records a password change without the password', async () => {
    const qian = await api.login('qian');
    expect((await qian.inject({ method: 'POST', url: '/api/auth/password', payload: { current: TEST_PASSWORD, next: 'another-password-9' } })).statusCode).toBe(204);
    const entry = (await api.entries()).findLast((e) => e.action === 'password_changed');
    expect(entry).toMatchObject({ actor: 'qian', target: 'user:qian', address: '127.0.0.1', before: { passwordHash: '(changed)' }, after: { passwordHash: '(changed)' } });
    expect(JSON.stringify(entry)).not.toContain('another-password-9');
  });

  it('records every alert step with the alert, its compound, the note and before → after', async () => {
    api.clock.now += 1000;
    expect((await api.inject({ method: 'POST', url: '/api/alerts/a1/reassign', payload: { assignee: 'wang' } })).statusCode).toBe(200);
    const wang = await api.login('wang');
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/accept', payload: {} })).statusCode).toBe(200);
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/comment', payload: { note: '已到场' } })).statusCode).toBe(200);
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/resolve', payload: { note: '乘客已救出' } })).statusCode).toBe(200);
    expect((await api.inject({ method: 'POST', url: '/api/alerts/a1/reopen', payload: { note: '还有人' } })).statusCode).toBe(200);
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/resolve', payload: { note: '都救出了' } })).statusCode).toBe(200);
    expect((await api.inject({ method: 'POST', url: '/api/alerts/a1/close', payload: { note: '确认', force: true } })).statusCode).toBe(200);
    // A refused step is not a step.
    expect((await wang.inject({ method: 'POST', url: '/api/alerts/a1/close', payload: {} })).statusCode).toBe(403);
    const steps = (await api.entries()).filter((e) => e.action.startsWith('alert_'));
    expect(steps.map((e) => [e.action, e.actor, e.note])).toEqual([
      ['alert_reassigned', 'root', 'to wang'],
      ['alert_accepted', 'wang', undefined],
      ['alert_commented', 'wang', '已到场'],
      ['alert_resolved', 'wang', '乘客已救出'],
      ['alert_reopened', 'root', '还有人'],
      ['alert_resolved', 'wang', '都救出了'],
      ['alert_closed', 'root', '确认'],
    ]);
    for (const e of steps) expect(e).toMatchObject({ target: 'alert:a1', compound: 'c01', address: '127.0.0.1', actorName: e.actor });
    expect(steps[1]).toMatchObject({ before: { workflow: 'dispatched', assignee: 'wang' }, after: { workflow: 'accepted', assignee: 'wang' } });
  });

  it('records silences created, merged and ended, with before → after', async () => {
    const payload = { reason: '电梯年检', device: 'c01/elevator/elev-1', ruleId: 'elevator-repeated-faults', durationMin: 60 };
    const created = await api.inject({ method: 'POST', url: '/api/silences', payload });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await api.inject({ method: 'POST', url: '/api/silences', payload: { ...payload, durationMin: 120 } })).statusCode).toBe(200);
    expect((await api.inject({ method: 'DELETE', url: `/api/silences/${id}` })).statusCode).toBe(204);
    const entries = (await api.entries()).filter((e) => e.action.startsWith('silence_'));
    expect(entries.map((e) => e.action)).toEqual(['silence_created', 'silence_created', 'silence_ended']);
    const until = api.clock.now;
    expect(entries[0]).toMatchObject({ actor: 'root', target: `silence:${id}`, compound: 'c01', after: { until: until + 3_600_000, reason: '电梯年检' }, note: '电梯年检' });
    expect(entries[0]!.before).toBeUndefined();
    expect(entries[1]).toMatchObject({ before: { until: until + 3_600_000 }, after: { until: until + 7_200_000 }, note: `merged into ${id}: 电梯年检` });
    expect(entries[2]).toMatchObject({ before: { until: until + 7_200_000 }, after: { until } });
  });

  it('records admin changes with actor, name and address', async () => {
    await api.inject({ method: 'PATCH', url: '/api/admin/users/sun', payload: { name: '孙主任' } });
    const sun = await api.login('sun');
    expect((await sun.inject('/api/auth/me')).json().user.name).toBe('孙主任');
    const entry = (await api.entries()).findLast((e) => e.action === 'user_updated');
    expect(entry).toMatchObject({ actor: 'root', actorName: 'root', address: '127.0.0.1', target: 'user:sun', before: {}, after: { name: '孙主任' } });
    expect((await api.entries()).findLast((e) => e.action === 'login')).toMatchObject({ actor: 'sun', actorName: '孙主任' });
  });
});

describe('audit log: TRUST_PROXY', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.7' };

  it('ignores X-Forwarded-For without a trusted proxy', async () => {
    const api = await adminApi();
    await api.login('zhao', TEST_PASSWORD, { remoteAddress: '127.0.0.1', headers: forwarded });
    expect((await api.entries()).findLast((e) => e.action === 'login')).toMatchObject({ actor: 'zhao', address: '127.0.0.1' });
    await api.close();
  });

  it('takes the client from X-Forwarded-For behind a listed proxy, and only there', async () => {
    const api = await adminApi({ trustProxy: ['127.0.0.1'] });
    await api.login('zhao', TEST_PASSWORD, { remoteAddress: '127.0.0.1', headers: forwarded });
    await api.login('qian', TEST_PASSWORD, { remoteAddress: '10.9.9.9', headers: forwarded });
    const logins = (await api.entries()).filter((e) => e.action === 'login');
    expect(logins.find((e) => e.actor === 'zhao')?.address).toBe('203.0.113.7');
    expect(logins.find((e) => e.actor === 'qian')?.address).toBe('10.9.9.9');
    await api.close();
  });
});

describe('audit log: reading and exporting', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
    for (let i = 0; i < 5; i++) {
      api.clock.now += 60_000;
      await api.inject({ method: 'PUT', url: '/api/admin/compounds/c02/contacts', payload: { contacts: [{ name: `值班 ${i}` }] } });
    }
    api.clock.now += 60_000;
    // A name a spreadsheet would run as a formula, with a comma, a quote and a line break.
    await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '=HYPERLINK("http://x","点我"),\n2', password: 'x' } });
    await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '@SUM(1)', password: 'x' } });
  });
  afterAll(() => api.close());

  it('lists newest first, filtered by actor, action, compound, time, and pages back by id', async () => {
    const all = (await api.inject('/api/admin/audit')).json().entries as Array<{ id: number; at: number; action: string; compound?: string; actor: string }>;
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    expect(all.map((e) => e.action)).toEqual(['login_failed', 'login_failed', ...Array(5).fill('compound_contacts_updated'), 'login']);
    const contacts = (await api.inject('/api/admin/audit?action=compound_contacts_updated&compound=c02&limit=2')).json().entries;
    expect(contacts).toHaveLength(2);
    const older = (await api.inject(`/api/admin/audit?action=compound_contacts_updated&beforeId=${contacts[1].id}`)).json().entries;
    expect(older).toHaveLength(3);
    expect(older[0].id).toBeLessThan(contacts[1].id);
    expect((await api.inject('/api/admin/audit?actor=root&action=login')).json().entries).toHaveLength(1);
    const from = all[4]!.at;
    const window = (await api.inject(`/api/admin/audit?from=${from}&to=${new Date(all[2]!.at).toISOString()}`)).json().entries;
    expect(window.map((e: { id: number }) => e.id)).toEqual([all[3]!.id, all[4]!.id]);
    expect((await api.inject('/api/admin/audit?compound=c01')).json().entries).toEqual([]);
    for (const q of ['limit=0', 'limit=5000', 'beforeId=x', 'from=yesterday', 'action=DROP%20TABLE', 'colour=red']) {
      const res = await api.inject(`/api/admin/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().issues.length, q).toBeGreaterThan(0);
    }
  });

  it('exports CSV that Excel opens: BOM, header, ISO times, escaped and formula-safe cells', async () => {
    const res = await api.inject('/api/admin/audit.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFFid,at,actor,actorName,address,action,target,compound,before,after,note\r\n')).toBe(true);
    const rows = parse(res.body, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(8);
    expect(rows[0]!.actor).toBe("'@SUM(1)");
    expect(rows[1]!.actor).toBe('\'=HYPERLINK("http://x","点我"),\n2');
    expect(rows[1]!.at).toBe(new Date(api.clock.now).toISOString());
    const contacts = rows[2]!;
    expect(contacts).toMatchObject({ action: 'compound_contacts_updated', compound: 'c02', target: 'compound:c02', actor: 'root', address: '127.0.0.1' });
    expect(JSON.parse(contacts.after!)).toEqual({ contacts: [{ name: '值班 4' }] });
    expect((await api.inject('/api/admin/audit.csv?action=login')).body.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect((await api.inject('/api/admin/audit.csv?limit=3')).body.split('\r\n').filter(Boolean)).toHaveLength(4);
  });

  it('has no route that changes or deletes an entry', async () => {
    const doc = (await api.inject('/docs')).json() as { paths: Record<string, Record<string, unknown>> };
    const audit = Object.entries(doc.paths).filter(([p]) => p.includes('audit'));
    expect(audit.map(([p, methods]) => [p, Object.keys(methods)])).toEqual([
      ['/api/admin/audit', ['get']],
      ['/api/admin/audit.csv', ['get']],
    ]);
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST'] as const) expect((await api.inject({ method, url: '/api/admin/audit' })).statusCode).toBe(404);
  });

  it('escapes single cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('\t=x')).toBe("'\t=x");
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: 'x,y' })).toBe('"{""a"":""x,y""}"');
    expect(csvCell(42)).toBe('42');
  });
});
