import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openState } from '../state/index.ts';
import { createAuditLog } from './audit.log.ts';

describe('audit log', () => {
  it('appends in order without holding up the caller, and drops undefined fields', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hub-audit-'));
    const state = await openState({ dataDir: dir }, pino({ level: 'silent' }));
    let now = 1000;
    const audit = createAuditLog(state.audit, pino({ level: 'silent' }), () => now++);
    for (let i = 0; i < 20; i++) audit.record({ actor: 'root', action: 'login', note: `n${i}`, target: undefined });
    audit.record({ actor: 'root', action: 'logout', at: 5 });
    await audit.flush();
    const entries = await state.audit.query({ limit: 100 });
    expect(entries.map((e) => e.note ?? e.action)).toEqual(['logout', ...Array.from({ length: 20 }, (_, i) => `n${19 - i}`)]);
    expect(entries[0]!.at).toBe(5);
    expect(entries[1]!.at).toBe(1019);
    expect('target' in entries[1]!).toBe(false);
    expect(audit.failed).toBe(0);
    await state.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps entries in order while the database is away, writes them when it is back, and drops the oldest beyond its bound', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hub-audit-'));
    const state = await openState({ dataDir: dir }, pino({ level: 'silent' }));
    let away = true;
    const flaky = { ...state.audit, append: (entry: Parameters<typeof state.audit.append>[0]) => (away ? Promise.reject(new Error('connection refused')) : state.audit.append(entry)) };
    const audit = createAuditLog(flaky, pino({ level: 'silent' }), () => 1000, { retryMs: 20, maxWaiting: 3 });
    for (const note of ['a', 'b', 'c', 'd']) audit.record({ actor: 'root', action: 'login', note });
    await audit.flush();
    expect(audit.waiting).toBe(3);
    expect(audit.failed).toBe(1); // 'a', the oldest, beyond the bound
    away = false;
    await expect.poll(() => audit.waiting).toBe(0);
    expect((await state.audit.query({})).map((e) => e.note).reverse()).toEqual(['b', 'c', 'd']);
    await state.close();
    await rm(dir, { recursive: true, force: true });
  });
});
