/** The per-account lockout over two instances (account-locks.shared.ts through LoginLimiter.enter): one streak, wherever the guesses land. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, tempStates } from '../testing/temp-state.fixture.ts';
import type { StateStore } from '../state/state.types.ts';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginSlot } from './login-limiter.ts';

const silent = silentLogger;
const limits = { ...DEFAULT_LOGIN_LIMITS, accountFailures: 5, lockBaseMs: 60_000 };
const states = tempStates('account-locks');
afterEach(() => states.closeAll());
const state = (): Promise<StateStore> => states.open();

async function instances(n: number) {
  const db = await state();
  const errors: Error[] = [];
  return {
    db,
    errors,
    limiters: Array.from({ length: n }, () => {
      const limiter = new LoginLimiter(limits);
      limiter.share(db.sessions, (e) => errors.push(e));
      return limiter;
    }),
  };
}

const attempt = (slot: LoginSlot) => {
  if (!slot.ok) throw new Error(`refused: ${JSON.stringify(slot.refusal)}`);
  return slot.attempt;
};

describe('per-account lockout on several instances', () => {
  it('guesses spread over three instances lock the account after five, on every instance', async () => {
    const { limiters, db } = await instances(3);
    const now = 1_000_000;
    let lockedUntil: number | undefined;
    for (let i = 0; i < 5; i++) lockedUntil = attempt(await limiters[i % 3]!.enter('Root', `10.0.0.${i}`, now + i)).failed(now + i).lockedUntil;
    expect(lockedUntil).toBe(now + 4 + 60_000);
    for (const [i, limiter] of limiters.entries()) {
      const slot = await limiter.enter('root', `10.0.1.${i}`, now + 10);
      expect(slot).toMatchObject({ ok: false, refusal: { scope: 'account', until: now + 4 + 60_000 } });
    }
    expect(await db.sessions.loginFailures('root')).toEqual({ failures: 5, lockedUntil: now + 4 + 60_000, lastFailure: now + 4 });
  });

  it('at the limit one attempt at a time over all instances; a success clears the streak everywhere', async () => {
    const { limiters, db, errors } = await instances(2);
    const [a, b] = limiters as [LoginLimiter, LoginLimiter];
    const now = 2_000_000;
    for (let i = 0; i < 4; i++) attempt(await a.enter('wang', '10.0.0.1', now)).failed(now);
    const fifth = attempt(await a.enter('wang', '10.0.0.1', now + 1));
    // While the fifth is checked, B refuses the account.
    expect((await b.enter('wang', '10.0.0.2', now + 2)).ok).toBe(false);
    fifth.succeeded();
    attempt(await a.enter('wang', '10.0.0.1', now + 3)).passed(); // on A after the clear is written
    attempt(await a.enter('wang', '10.0.0.1', now + 3)).passed();
    expect(await db.sessions.loginFailures('wang')).toBeUndefined();
    expect((await b.enter('wang', '10.0.0.2', now + 4)).ok).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a right password with a code to come gives its charge back; an admin unlock on one instance clears the shared lock', async () => {
    const { limiters, db } = await instances(2);
    const [a, b] = limiters as [LoginLimiter, LoginLimiter];
    const now = 3_000_000;
    attempt(await a.enter('zhao', '10.0.0.1', now)).failed(now);
    attempt(await a.enter('zhao', '10.0.0.1', now + 1)).passed();
    await a.enter('zhao', '10.0.0.1', now + 2).then((slot) => attempt(slot).failed(now + 2)); // waits for the return above
    expect((await db.sessions.loginFailures('zhao'))?.failures).toBe(2);
    for (let i = 0; i < 3; i++) attempt(await b.enter('zhao', '10.0.0.2', now + 3)).failed(now + 3);
    expect((await a.enter('zhao', '10.0.0.1', now + 4)).ok).toBe(false);
    b.unlock('zhao', now + 5);
    await b.enter('zhao', '10.0.0.2', now + 6).then((slot) => attempt(slot).succeeded()); // after the unlock is written
    const again = await a.enter('zhao', '10.0.0.3', now + 7);
    expect(again.ok).toBe(true);
  });
});
