import { describe, expect, it } from 'vitest';
import { LoginLimiter, type LoginAttempt } from './login-limiter.ts';

describe('login limiter', () => {
  const limits = { accountFailures: 3, lockBaseMs: 60_000, lockMaxMs: 240_000, streakResetMs: 3_600_000, windowMs: 600_000, perAddress: 5, maxKeys: 100 };

  const take = (limiter: LoginLimiter, user: string, address: string, now: number): LoginAttempt => {
    const slot = limiter.begin(user, address, now);
    if (!slot.ok) throw new Error(`refused: ${JSON.stringify(slot.refusal)}`);
    return slot.attempt;
  };

  it('counts an attempt when it begins: attempts in flight use up the account, before any password is checked', () => {
    const limiter = new LoginLimiter(limits);
    const inFlight = [0, 1, 2].map(() => take(limiter, 'zhao', '10.0.0.1', 0));
    const fourth = limiter.begin('zhao', '10.0.0.1', 0);
    expect(fourth).toMatchObject({ ok: false, refusal: { scope: 'account', until: 1000, retryAfterSec: 1 } });
    // From another address too: the account is what is throttled.
    expect(limiter.begin('zhao', '10.0.0.2', 0).ok).toBe(false);
    expect(inFlight[0]!.failed(10)).toEqual({});
    expect(inFlight[1]!.failed(20)).toEqual({});
    expect(inFlight[2]!.failed(30)).toEqual({ lockedUntil: 60_030 });
    expect(limiter.lockedUntil('ZHAO', 31)).toBe(60_030);
    // Locked: the right password would be refused as well (it is not even checked).
    expect(limiter.begin('zhao', '10.0.0.9', 60_029)).toMatchObject({ ok: false, refusal: { scope: 'account', until: 60_030 } });
  });

  it('backs off: each failure after a lock doubles it, up to the maximum; one attempt at a time after a lock', () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 3; i++) take(limiter, 'wang', '10.0.0.1', 0).failed(0);
    expect(limiter.lockedUntil('wang', 0)).toBe(60_000);
    const next = take(limiter, 'wang', '10.0.0.2', 60_000);
    expect(limiter.begin('wang', '10.0.0.3', 60_000)).toMatchObject({ ok: false, refusal: { scope: 'account' } });
    expect(next.failed(60_000)).toEqual({ lockedUntil: 180_000 });
    expect(take(limiter, 'wang', '10.0.0.2', 180_000).failed(180_000)).toEqual({ lockedUntil: 420_000 });
    expect(take(limiter, 'wang', '10.0.0.2', 420_000).failed(420_000)).toEqual({ lockedUntil: 660_000 });
    expect(limiter.locks(420_001)).toEqual([{ user: 'wang', failures: 6, lockedUntil: 660_000 }]);
    // A success ends the streak.
    take(limiter, 'wang', '10.0.0.4', 660_000).succeeded();
    expect(limiter.lockedUntil('wang', 660_000)).toBeUndefined();
    take(limiter, 'wang', '10.0.0.4', 660_001).failed(660_001);
    expect(limiter.lockedUntil('wang', 660_002)).toBeUndefined();
  });

  it('an unlock ends the lock and the streak', () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 3; i++) take(limiter, 'li', '10.0.0.1', 0).failed(0);
    expect(limiter.unlock('li', 1)).toBe(true);
    expect(limiter.unlock('li', 1)).toBe(false);
    expect(limiter.lockedUntil('li', 1)).toBeUndefined();
    take(limiter, 'li', '10.0.0.1', 2).failed(2);
    expect(limiter.lockedUntil('li', 3)).toBeUndefined();
  });

  it('throttles an address that tries many accounts; successes are not charged to it', () => {
    const limiter = new LoginLimiter(limits);
    take(limiter, 'root', '10.9.9.9', 0).succeeded();
    for (let i = 0; i < 5; i++) take(limiter, `user${i}`, '10.9.9.9', i).failed(i);
    expect(limiter.begin('someone-new', '10.9.9.9', 10)).toMatchObject({ ok: false, refusal: { scope: 'address', until: 600_000 } });
    expect(limiter.begin('someone-new', '10.9.9.8', 10).ok).toBe(true);
    expect(limiter.begin('someone-new', '10.9.9.9', 600_000).ok).toBe(true);
  });

  it('forgets a streak after a quiet period', () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 2; i++) take(limiter, 'sun', '10.0.0.1', 0).failed(0);
    take(limiter, 'sun', '10.0.0.1', 3_600_000).failed(3_600_000);
    expect(limiter.lockedUntil('sun', 3_600_001)).toBeUndefined();
  });

  it('keeps a bounded number of keys, locked accounts last', () => {
    const limiter = new LoginLimiter({ ...limits, maxKeys: 10 });
    for (let i = 0; i < 3; i++) take(limiter, 'target', `b${i}`, 0).failed(0);
    for (let i = 0; i < 1000; i++) take(limiter, `u${i}`, `a${i}`, 0).failed(0);
    expect(limiter.begin('u0', 'a0', 1).ok).toBe(true);
    expect(limiter.lockedUntil('target', 1)).toBe(60_000);
  });

  it('a right password with a second factor to come frees its slot but keeps the streak: only a complete login ends it', () => {
    const limiter = new LoginLimiter(limits);
    take(limiter, 'qian', '10.0.0.1', 0).failed(0);
    take(limiter, 'qian', '10.0.0.1', 0).failed(0);
    // The password was right: the code step follows; the two wrong codes before still count.
    take(limiter, 'qian', '10.0.0.1', 0).passed();
    expect(take(limiter, 'qian', '10.0.0.1', 0).failed(1)).toEqual({ lockedUntil: 60_001 });
    expect(limiter.begin('qian', '10.0.0.2', 2).ok).toBe(false);
    // After the lock, a right password then a right code end the streak.
    take(limiter, 'qian', '10.0.0.1', 60_001).passed();
    take(limiter, 'qian', '10.0.0.1', 60_002).succeeded();
    take(limiter, 'qian', '10.0.0.1', 60_003).failed(60_003);
    expect(limiter.lockedUntil('qian', 60_004)).toBeUndefined();
  });
});
