import { describe, expect, it } from 'vitest';
import type { AuditLog, AuditRecord } from './audit.log.ts';
import { createRefusalAudit, REFUSAL_ENTRIES_PER_WINDOW, REFUSAL_WINDOW_MS } from './refusals.audit.ts';

function recorder(): { audit: AuditLog; entries: AuditRecord[] } {
  const entries: AuditRecord[] = [];
  return { entries, audit: { record: (e) => entries.push(e), flush: async () => undefined, failed: 0, waiting: 0 } };
}

describe('refusal audit', () => {
  it('records the first refusal of a kind from an address, counts repeats within the window, and reports them with the next entry', () => {
    let t = 1_000;
    const { audit, entries } = recorder();
    const refusals = createRefusalAudit(audit, () => t);
    const host = { action: 'host_refused', channel: 'http' as const, address: '10.0.0.9', target: 'POST /api/auth/login', note: 'HOST_NOT_ALLOWED: rebind.evil.example' };
    refusals.refused(host);
    for (let i = 0; i < 50; i++) refusals.refused(host);
    // Another address, another kind and another channel are their own.
    refusals.refused({ ...host, address: '10.0.0.10' });
    refusals.refused({ ...host, action: 'cross_origin_refused', note: 'CROSS_ORIGIN' });
    refusals.refused({ ...host, channel: 'live', target: 'live socket' });
    expect(entries.map((e) => [e.action, e.address, e.target])).toEqual([
      ['host_refused', '10.0.0.9', 'POST /api/auth/login'],
      ['host_refused', '10.0.0.10', 'POST /api/auth/login'],
      ['cross_origin_refused', '10.0.0.9', 'POST /api/auth/login'],
      ['host_refused', '10.0.0.9', 'live socket'],
    ]);
    expect(entries[0]).toMatchObject({ actor: 'anonymous', target: 'POST /api/auth/login', note: 'HOST_NOT_ALLOWED: rebind.evil.example', at: 1_000 });
    expect(entries[0]!.after).toBeUndefined();
    t += REFUSAL_WINDOW_MS;
    refusals.refused(host);
    expect(entries).toHaveLength(5);
    expect(entries[4]).toMatchObject({ action: 'host_refused', address: '10.0.0.9', after: { repeats: 50, sinceMs: 1_000 } });
  });

  it('writes at most REFUSAL_ENTRIES_PER_WINDOW entries a window from any number of addresses, and sums up the rest in one entry', () => {
    let t = 0;
    const { audit, entries } = recorder();
    const refusals = createRefusalAudit(audit, () => t);
    for (let i = 0; i < 5_000; i++) refusals.refused({ action: 'host_refused', channel: 'http', address: `10.1.${i >> 8}.${i & 255}`, note: 'x' });
    expect(entries).toHaveLength(REFUSAL_ENTRIES_PER_WINDOW);
    t = REFUSAL_WINDOW_MS;
    refusals.refused({ action: 'host_refused', channel: 'http', address: '10.9.9.9', note: 'x' });
    expect(entries).toHaveLength(REFUSAL_ENTRIES_PER_WINDOW + 2);
    expect(entries[REFUSAL_ENTRIES_PER_WINDOW]).toMatchObject({ actor: 'hub', action: 'refusals_suppressed', after: { suppressed: 5_000 - REFUSAL_ENTRIES_PER_WINDOW, sinceMs: 0 } });
    expect(entries.at(-1)).toMatchObject({ action: 'host_refused', address: '10.9.9.9' });
  });

  it('counts an IPv6 /64 as one address, keeps a logged-in actor per route, and cuts notes and targets short', () => {
    const { audit, entries } = recorder();
    const refusals = createRefusalAudit(audit, () => 0);
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:aaaa::9', '2001:db8:1:2:ffff:ffff:ffff:ffff']) refusals.refused({ action: 'host_refused', channel: 'http', address, note: 'x' });
    expect(entries).toHaveLength(1);
    const held = { action: 'access_refused', channel: 'http' as const, address: '127.0.0.1', actor: 'admin', note: 'MFA_ENROLMENT_REQUIRED' };
    refusals.refused({ ...held, target: 'GET /api/alerts' });
    refusals.refused({ ...held, target: 'GET /api/alerts' });
    refusals.refused({ ...held, target: 'GET /metrics' });
    expect(entries.slice(1).map((e) => e.target)).toEqual(['GET /api/alerts', 'GET /metrics']);
    // An anonymous scan of many URLs from one address is one entry.
    for (let i = 0; i < 20; i++) refusals.refused({ action: 'cross_origin_refused', channel: 'http', address: '10.0.0.1', target: `POST /x/${i}`, note: 'x' });
    expect(entries.filter((e) => e.action === 'cross_origin_refused')).toHaveLength(1);
    refusals.refused({ action: 'host_refused', channel: 'live', address: '10.0.0.2', target: 'live socket', note: `HOST_NOT_ALLOWED: ${'h'.repeat(20_000)}` });
    expect(entries.at(-1)!.note!.length).toBeLessThanOrEqual(300);
  });
});
