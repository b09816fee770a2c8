import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

describe('login limiter', () => {
  const limits = { windowMs: 60_000, perUser: 3, perAddress: 5, maxKeys: 100 };

  it('blocks a user from an address after N failures until the window passes; success clears it', () => {
    const limiter = new LoginLimiter(limits);
    for (const t of [0, 1000, 2000]) {
      expect(limiter.retryAfterSec('zhao', '10.0.0.1', t)).toBe(0);
      limiter.failed('zhao', '10.0.0.1', t);
    }
    expect(limiter.retryAfterSec('zhao', '10.0.0.1', 3000)).toBe(57);
    expect(limiter.retryAfterSec('zhao', '10.0.0.2', 3000)).toBe(0);
    expect(limiter.retryAfterSec('zhao', '10.0.0.1', 60_001)).toBe(0);
    limiter.failed('wang', '10.0.0.3', 0);
    limiter.succeeded('wang', '10.0.0.3');
    limiter.failed('wang', '10.0.0.3', 1);
    limiter.failed('wang', '10.0.0.3', 2);
    expect(limiter.retryAfterSec('wang', '10.0.0.3', 3)).toBe(0);
  });

  it('blocks an address that tries many users', () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 5; i++) limiter.failed(`user${i}`, '10.9.9.9', i);
    expect(limiter.retryAfterSec('someone-new', '10.9.9.9', 10)).toBeGreaterThan(0);
  });

  it('keeps a bounded number of keys', () => {
    const limiter = new LoginLimiter({ ...limits, maxKeys: 10 });
    for (let i = 0; i < 1000; i++) limiter.failed(`u${i}`, `a${i}`, 0);
    expect(limiter.retryAfterSec('u0', 'a0', 1)).toBe(0);
  });
});
