import { describe, expect, it } from 'vitest';
import { DeviceRateLimiter } from './rate-limit.ts';

/** A limiter on a clock the test moves; `take` gives the verdict only. */
function limiter(settings: ConstructorParameters<typeof DeviceRateLimiter>[0]) {
  const clock = { now: 0 };
  const rate = new DeviceRateLimiter(settings, () => clock.now);
  return { clock, rate, take: (key: string) => rate.take(key).verdict };
}

describe('per-device rate limit', () => {
  it('lets a burst through at once, then the rate; each device has its own budget', () => {
    const { clock, take } = limiter({ ratePerSec: 10, burst: 5 });
    expect(Array.from({ length: 8 }, () => take('a'))).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'drop', 'drop', 'drop']);
    expect(take('b')).toBe('pass');
    clock.now = 300; // 3 messages' worth
    expect(Array.from({ length: 4 }, () => take('a'))).toEqual(['pass', 'pass', 'pass', 'drop']);
    clock.now = 60_000; // refills up to the burst, not beyond
    expect(Array.from({ length: 6 }, () => take('a')).filter((v) => v === 'pass')).toHaveLength(5);
  });

  it('pauses reading a flood once its drops have spent a second budget, by at most burst / rate', () => {
    const { clock, rate } = limiter({ ratePerSec: 10, burst: 5 });
    for (let i = 0; i < 5; i += 1) expect(rate.take('a')).toEqual({ verdict: 'pass' });
    // Five drops are read without a pause, the sixth on waits for its budget: 100 ms a message.
    expect(Array.from({ length: 8 }, () => rate.take('a'))).toEqual([
      ...Array.from({ length: 5 }, () => ({ verdict: 'drop', pauseMs: 0 })),
      { verdict: 'drop', pauseMs: 100 },
      { verdict: 'drop', pauseMs: 200 },
      { verdict: 'drop', pauseMs: 300 },
    ]);
    for (let i = 0; i < 100; i += 1) rate.take('a');
    expect(rate.take('a')).toEqual({ verdict: 'drop', pauseMs: 500 });
    // Paid back after the pause: messages pass again as the rate allows.
    clock.now = 1000;
    expect(rate.take('a').verdict).toBe('pass');
  });

  it('holds QoS 1 messages over the budget instead of dropping them, each one message later than the one before', () => {
    const { clock, rate, take } = limiter({ ratePerSec: 10, burst: 2 });
    expect([rate.reserve('a'), rate.reserve('a'), rate.reserve('a'), rate.reserve('a')]).toEqual([0, 0, 100, 200]);
    // The borrowed budget is spent: QoS 0 is dropped until it is paid back.
    expect(take('a')).toBe('drop');
    clock.now = 400;
    expect(take('a')).toBe('pass');
  });

  it('disconnects a device that keeps being over its rate for the flood time, not one that pauses', () => {
    const { clock, take } = limiter({ ratePerSec: 1, burst: 1, floodDisconnectMs: 5000 });
    expect(take('a')).toBe('pass');
    const seen: string[] = [];
    for (clock.now = 0; clock.now < 4900; clock.now += 100) seen.push(take('a'));
    expect(seen).not.toContain('disconnect');
    clock.now = 5000;
    expect(take('a')).toBe('disconnect');
    // A new run of drops after it starts a new grace period.
    clock.now = 5100;
    expect(take('a')).toBe('drop');

    // Another device that stops for more than a second between floods is never a persistent offender.
    const other: string[] = [];
    for (let t = 0; t < 60_000; t += 2500) {
      clock.now = t;
      for (let i = 0; i < 10; i += 1) other.push(take('b'));
    }
    expect(other).toContain('drop');
    expect(other).not.toContain('disconnect');
  });

  it('still counts a flood as persistent across the pauses it was given', () => {
    const { clock, rate } = limiter({ ratePerSec: 10, burst: 5, floodDisconnectMs: 3000 });
    const seen: string[] = [];
    // The device sends whenever the broker reads again: after each pause, at once.
    for (let i = 0; i < 200 && !seen.includes('disconnect'); i += 1) {
      const taken = rate.take('a');
      seen.push(taken.verdict);
      clock.now += taken.verdict === 'pass' ? 0 : (taken as { pauseMs: number }).pauseMs;
    }
    expect(seen).toContain('disconnect');
    expect(clock.now).toBeGreaterThanOrEqual(3000);
  });

  it('never disconnects without a flood time', () => {
    const { clock, take } = limiter({ ratePerSec: 1, burst: 1 });
    const seen = new Set<string>();
    for (clock.now = 0; clock.now < 100_000; clock.now += 10) seen.add(take('a'));
    expect([...seen].sort()).toEqual(['drop', 'pass']);
  });
});
