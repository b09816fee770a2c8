import { describe, expect, it } from 'vitest';
import type { AuditLog, AuditRecord } from './audit.log.ts';
import { createRefusalAudit, REFUSAL_KEYS_MAX, REFUSAL_WINDOW_MS } from './refusals.audit.ts';

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

  it('keeps a bounded number of windows: a scan from many addresses forgets the oldest', () => {
    let t = 0;
    const { audit, entries } = recorder();
    const refusals = createRefusalAudit(audit, () => t);
    for (let i = 0; i <= REFUSAL_KEYS_MAX; i++) refusals.refused({ action: 'host_refused', channel: 'http', address: `a${i}`, note: 'x' });
    expect(entries).toHaveLength(REFUSAL_KEYS_MAX + 1);
    t = 1;
    // a0 was forgotten: recorded again (and a1 forgotten for it); a2 is still within its window: counted only.
    refusals.refused({ action: 'host_refused', channel: 'http', address: 'a0', note: 'x' });
    refusals.refused({ action: 'host_refused', channel: 'http', address: 'a2', note: 'x' });
    expect(entries).toHaveLength(REFUSAL_KEYS_MAX + 2);
    expect(entries.at(-1)!.address).toBe('a0');
  });
});
