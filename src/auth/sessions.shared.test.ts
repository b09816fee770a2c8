/** Sessions of two instances over one database (sessions.shared.ts): what one does, the other honours. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, tempStates } from '../testing/temp-state.fixture.ts';
import type { SessionsRepo, StateStore } from '../state/state.types.ts';
import { pairedBuses } from '../testing/paired-bus.fixture.ts';
import { keepSessions } from './sessions.keeper.ts';
import { LOOKUP_BURST, MISS_MS, shareSessions } from './sessions.shared.ts';
import { Sessions } from './sessions.ts';

const options = { idleMs: 60_000, absoluteMs: 3_600_000, maxPerUser: 5 };
const silent = silentLogger;
const states = tempStates('sessions-shared');
afterEach(() => states.closeAll());
const state = (): Promise<StateStore> => states.open();

/** The repository with its `find` calls counted. */
function counted(repo: SessionsRepo): SessionsRepo & { finds: number } {
  const out = { ...repo, finds: 0 };
  out.find = (ids) => {
    out.finds++;
    return repo.find(ids);
  };
  return out;
}

/** Two instances A and B: their sessions, each kept in the one database and told over a paired bus. */
async function twoInstances(isUser: (id: string) => boolean = () => true) {
  const db = await state();
  const repo = counted(db.sessions);
  const [busA, busB] = pairedBuses('a', 'b');
  const clock = { now: 1_000_000 };
  const make = async (bus: typeof busA) => {
    const sessions = new Sessions(options);
    const kept = await keepSessions(sessions, repo, { now: clock.now, isUser, logger: silent, delayMs: 20 });
    shareSessions(sessions, repo, bus!, { isUser, logger: silent, clock: () => clock.now });
    return { sessions, kept };
  };
  return { db, repo, clock, a: await make(busA), b: await make(busB), busA: busA!, busB: busB! };
}

describe('sessions on two instances', () => {
  it('a login on A is written before it is answered and taken at once on B; the hit is synchronous after that', async () => {
    const { a, b, db, clock } = await twoInstances();
    const { token, session } = await a.sessions.start('li', clock.now);
    expect((await db.sessions.find([session.id])).map((s) => s.userId)).toEqual(['li']);
    const first = b.sessions.resolve(token, clock.now);
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.userId).toBe('li');
    expect(b.sessions.resolve(token, clock.now + 1)).toMatchObject({ id: session.id, userId: 'li' });
  });

  it('a session of a login that may not log in is not taken', async () => {
    const { a, b, clock } = await twoInstances((id) => id !== 'gone');
    const { token } = await a.sessions.start('gone', clock.now);
    expect(await b.sessions.resolve(token, clock.now)).toBeUndefined();
  });

  it('a logout on B ends the session on A at once, and A does not take it back from the database', async () => {
    const { a, b, db, clock, busB } = await twoInstances();
    const { token, session } = await a.sessions.start('li', clock.now);
    await b.sessions.resolve(token, clock.now);
    const endedOnA: string[] = [];
    a.sessions.onEnded((s, how) => endedOnA.push(`${s.id}:${how}`));
    b.sessions.end(token);
    await Promise.resolve(); // told in a microtask (one message for sessions ended together)
    expect(busB.sent).toEqual([{ kind: 'sessions-ended', message: { ids: [session.id] } }]);
    expect(endedOnA).toEqual([`${session.id}:dropped`]);
    expect(a.sessions.isLive(session.id)).toBe(false);
    expect(await a.sessions.resolve(token, clock.now)).toBeUndefined();
    await b.kept.flush();
    expect(await db.sessions.find([session.id])).toEqual([]);
  });

  it('a session ended on B while A missed the message is dropped by A at its next write (a touch never inserts)', async () => {
    const { a, b, db, clock, busA } = await twoInstances();
    const { token, session } = await a.sessions.start('li', clock.now);
    await b.sessions.resolve(token, clock.now);
    busA.cut();
    b.sessions.end(token);
    await b.kept.flush();
    expect(a.sessions.resolve(token, clock.now + 5000)).toMatchObject({ id: session.id }); // A has not heard yet
    await a.kept.flush();
    expect(a.sessions.isLive(session.id)).toBe(false);
    expect(await db.sessions.find([session.id])).toEqual([]);
  });

  it('a session kept alive by requests on B is not ended by A as idle: A takes the later expiry from the database', async () => {
    const { a, b, db, clock } = await twoInstances();
    const { token, session } = await a.sessions.start('li', clock.now);
    await b.sessions.resolve(token, clock.now);
    clock.now += 50_000;
    expect(b.sessions.resolve(token, clock.now)).toMatchObject({ expiresAt: clock.now + options.idleMs });
    await b.kept.flush();
    clock.now += 20_000; // idle on A (70 s > 60 s), not on B
    a.sessions.sweep(clock.now);
    await a.sessions.resolve(token, clock.now); // waits for the check the sweep began
    expect(a.sessions.isLive(session.id)).toBe(true);
    expect(a.sessions.list()[0]?.expiresAt).toBeGreaterThan(clock.now);
    // Idle everywhere: within the write delay of a touch it is refused but kept; after it, A ends it.
    clock.now += options.idleMs;
    expect(await a.sessions.resolve(token, clock.now)).toBeUndefined();
    expect(a.sessions.isLive(session.id)).toBe(true);
    clock.now += 1000;
    expect(await a.sessions.resolve(token, clock.now)).toBeUndefined();
    expect(a.sessions.isLive(session.id)).toBe(false);
    await a.kept.flush();
    expect(await db.sessions.find([session.id])).toEqual([]);
    expect(b.sessions.isLive(session.id)).toBe(false);
  });

  it('made-up tokens cost at most the lookup budget, and a digest not found is not asked again for a while', async () => {
    const { b, repo, clock } = await twoInstances();
    const stale = 'x'.repeat(43);
    expect(await b.sessions.resolve(stale, clock.now)).toBeUndefined();
    expect(await b.sessions.resolve(stale, clock.now + 1)).toBeUndefined();
    expect(repo.finds).toBe(1);
    expect(b.sessions.resolve('not a token', clock.now)).toBeUndefined();
    expect(repo.finds).toBe(1);
    clock.now += MISS_MS;
    await b.sessions.resolve(stale, clock.now);
    expect(repo.finds).toBe(2);
    const flood = Array.from({ length: LOOKUP_BURST + 200 }, (_, i) => `${String(i).padStart(6, '0')}${'y'.repeat(37)}`);
    await Promise.all(flood.map((t) => b.sessions.resolve(t, clock.now)));
    expect(repo.finds).toBeLessThanOrEqual(2 + LOOKUP_BURST);
    expect(repo.finds).toBeGreaterThan(2 + LOOKUP_BURST - 5);
  });
});
