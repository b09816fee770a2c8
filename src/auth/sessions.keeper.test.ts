/** Sessions kept in the operational database: what is kept (never a token), when it is written, and what comes back. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, tempStates } from '../testing/temp-state.fixture.ts';
import type { StateStore } from '../state/state.types.ts';
import { keepSessions } from './sessions.keeper.ts';
import { Sessions } from './sessions.ts';

const options = { idleMs: 60_000, absoluteMs: 3_600_000, maxPerUser: 5 };
const silent = silentLogger;
const states = tempStates('sessions-keeper');
afterEach(() => states.closeAll());
const state = (): Promise<StateStore> => states.open();

describe('sessions kept in the database', () => {
  it('keeps digests, never tokens; a logout is written at once, logins and touches shortly after', async () => {
    const db = await state();
    const sessions = new Sessions(options);
    const kept = await keepSessions(sessions, db.sessions, { now: 1000, isUser: () => true, logger: silent, delayMs: 50 });
    const a = sessions.create('li', 1000);
    const b = sessions.create('wang', 1000);
    expect(await db.sessions.list()).toEqual([]); // not yet: coalesced
    await kept.flush();
    const stored = await db.sessions.list();
    expect(stored.map((s) => s.userId).sort()).toEqual(['li', 'wang']);
    expect(JSON.stringify(stored)).not.toContain(a.token);
    expect(stored.find((s) => s.userId === 'li')?.id).toBe(a.session.id);
    sessions.end(b.token);
    await new Promise((resolve) => setTimeout(resolve, 10)); // ended: written at once, not after the delay
    expect((await db.sessions.list()).map((s) => s.userId)).toEqual(['li']);
    sessions.touch(a.token, 30_000);
    await kept.flush();
    expect((await db.sessions.list())[0]?.expiresAt).toBe(30_000 + options.idleMs);
  });

  it('gives back what was kept, without sessions that are over or whose login is gone, and removes those', async () => {
    const db = await state();
    const first = new Sessions(options);
    const kept = await keepSessions(first, db.sessions, { now: 1000, isUser: () => true, logger: silent, delayMs: 10 });
    const li = first.create('li', 1000);
    first.create('gone', 1000);
    first.create('old', 1000);
    await kept.flush();
    // 'old' is over by now (idle 60 s), 'gone' is no longer a login.
    const old = (await db.sessions.list()).find((s) => s.userId === 'old')!;
    await db.sessions.save([{ ...old, expiresAt: 5000 }]);
    const second = new Sessions(options);
    const again = await keepSessions(second, db.sessions, { now: 10_000, isUser: (id) => id !== 'gone', logger: silent, delayMs: 10 });
    expect(second.list().map((s) => s.userId)).toEqual(['li']);
    expect(second.touch(li.token, 10_000)?.userId).toBe('li');
    await again.flush();
    expect((await db.sessions.list()).map((s) => s.userId)).toEqual(['li']);
  });
});
