import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stubBrowser } from './incident.fixture.ts';

// Before the modules that load i18n.ts.
stubBrowser();
const { midnight, msUntilMidnight } = await import('./worker-done.ts');

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const zoneBefore = env.TZ;
const HOUR = 3_600_000;
afterAll(() => (zoneBefore === undefined ? delete env.TZ : (env.TZ = zoneBefore)));

describe('the next local midnight (今日已处置 starts a new day)', () => {
  describe('in Beijing', () => {
    beforeAll(() => void (env.TZ = 'Asia/Shanghai'));

    it('counts to the browser zone’s midnight, not UTC’s', () => {
      // 23:30 in Beijing is 15:30 UTC: half an hour to go, not 8.5 hours.
      expect(msUntilMidnight(Date.parse('2026-12-01T23:30:00+08:00'))).toBe(HOUR / 2);
      expect(msUntilMidnight(Date.parse('2026-12-02T07:59:59.250+08:00'))).toBe(16 * HOUR + 750);
    });

    it('at midnight itself is a whole day away, and lands on the next day’s midnight', () => {
      const at = Date.parse('2026-12-02T00:00:00+08:00');
      expect(msUntilMidnight(at)).toBe(24 * HOUR);
      const before = Date.parse('2026-12-01T21:00:00+08:00');
      expect(midnight(before + msUntilMidnight(before))).toBe(at);
      expect(midnight(before + msUntilMidnight(before) - 1)).toBe(Date.parse('2026-12-01T00:00:00+08:00'));
    });
  });

  describe('where the clocks change', () => {
    beforeAll(() => void (env.TZ = 'Europe/Berlin'));

    it('counts 23 hours on the spring day and 25 on the autumn one', () => {
      expect(msUntilMidnight(Date.parse('2026-03-29T00:00:00+01:00'))).toBe(23 * HOUR);
      expect(msUntilMidnight(Date.parse('2026-10-25T00:00:00+02:00'))).toBe(25 * HOUR);
    });
  });
});
