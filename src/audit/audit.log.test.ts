import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openState } from '../state/index.ts';
import { createAuditLog } from './audit.log.ts';

describe('audit log', () => {
  it('appends in order without holding up the caller, drops undefined fields, and counts writes that fail', async () => {
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
    audit.record({ actor: 'root', action: 'login' });
    await audit.flush();
    expect(audit.failed).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });
});
