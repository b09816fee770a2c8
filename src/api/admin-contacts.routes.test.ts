/** People's contacts through the admin users API (real SQLite state): validated, audited before → after, and read by admins only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, type AdminApi } from '../testing/admin.fixture.ts';

describe('admin: contacts of logins', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = await adminApi();
  });
  afterAll(() => api.close());

  it('creates a login with a contact (the mobile number as typed, spaces dropped) and lists it for admins', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/api/admin/users',
      payload: { id: 'li-qiang', name: '李强', role: 'worker', grids: ['g1'], contact: { mobile: '138 0000 0002', wecom: 'LiQiang', feishu: 'ou_3c1d' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().user.contact).toEqual({ mobile: '13800000002', wecom: 'LiQiang', feishu: 'ou_3c1d' });
    expect((await api.state.users.get('li-qiang'))!.contact).toEqual({ mobile: '13800000002', wecom: 'LiQiang', feishu: 'ou_3c1d' });
    const listed = (await api.inject('/api/admin/users')).json().users.find((u: { id: string }) => u.id === 'li-qiang');
    expect(listed.contact).toEqual({ mobile: '13800000002', wecom: 'LiQiang', feishu: 'ou_3c1d' });
    const created = (await api.entries()).findLast((e) => e.action === 'user_created');
    expect(created).toMatchObject({ target: 'user:li-qiang', after: { contact: { mobile: '13800000002' } } });
  });

  it('replaces a contact whole, and takes it away with null; the audit log says before → after', async () => {
    const patched = await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { contact: { mobile: '13800000001', dingtalk: 'ding-wang' } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().user.contact).toEqual({ mobile: '13800000001', dingtalk: 'ding-wang' });
    const again = await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { contact: { feishu: 'ou_9f' } } });
    expect(again.json().user.contact).toEqual({ feishu: 'ou_9f' });
    expect((await api.entries()).findLast((e) => e.action === 'user_updated')).toMatchObject({
      target: 'user:wang',
      before: { contact: { mobile: '13800000001', dingtalk: 'ding-wang' } },
      after: { contact: { feishu: 'ou_9f' } },
    });
    const gone = await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { contact: null } });
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json().user).not.toHaveProperty('contact');
    expect((await api.state.users.get('wang'))!.contact).toBeUndefined();
    expect((await api.entries()).findLast((e) => e.action === 'user_updated')).toMatchObject({ before: { contact: { feishu: 'ou_9f' } }, after: {} });
    // The name alone changing leaves the contact as it is.
    await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { contact: { mobile: '13800000001' } } });
    await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { name: '王芳' } });
    expect((await api.state.users.get('wang'))!.contact).toEqual({ mobile: '13800000001' });
  });

  it('refuses contacts that are not what the robots take, saying which field and why', async () => {
    const cases: Array<[object, string, RegExp]> = [
      [{ mobile: '0571-88888888' }, 'contact.mobile', /11 digits starting with 1/],
      [{ mobile: '2380000000' }, 'contact.mobile', /mainland mobile/],
      [{ wecom: '<@all>' }, 'contact.wecom', /WeCom userid/],
      [{ dingtalk: 'a b' }, 'contact.dingtalk', /DingTalk userId/],
      [{ feishu: '<at id=all></at>' }, 'contact.feishu', /open_id/],
      [{ email: 'x@example.com' }, 'contact', /email/],
    ];
    for (const [contact, path, message] of cases) {
      const res = await api.inject({ method: 'PATCH', url: '/api/admin/users/wang', payload: { contact } });
      expect(res.statusCode, JSON.stringify(contact)).toBe(400);
      expect(res.json().error).toBe('BAD_REQUEST');
      expect(res.json().issues, JSON.stringify(res.json())).toContainEqual({ path, message: expect.stringMatching(message) });
    }
    const created = await api.inject({ method: 'POST', url: '/api/admin/users', payload: { id: 'x-bad', role: 'viewer', contact: { mobile: '12345' } } });
    expect(created.statusCode).toBe(400);
    expect(await api.state.users.get('x-bad')).toBeUndefined();
    expect((await api.state.users.get('wang'))!.contact).toEqual({ mobile: '13800000001' });
  });

  it('never shows a contact to anyone but admins: not in /api/people, /api/auth/me or to other roles', async () => {
    for (const who of ['wang', 'zhao', 'sun']) {
      const client = await api.login(who);
      const people = await client.inject('/api/people');
      expect(people.statusCode).toBe(200);
      expect(people.json().people.length).toBeGreaterThan(0);
      expect(people.body).not.toMatch(/13800000001|13800000002|LiQiang|contact/);
      const me = await client.inject('/api/auth/me');
      expect(me.body).not.toMatch(/13800000001|contact/);
      expect((await client.inject('/api/admin/users')).statusCode).toBe(403);
    }
  });
});
