import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDayText, periodRange } from './district-period.ts';

// The browser's zone for these tests: west of UTC+8, where China's midnight is still the day before.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const zoneBefore = env.TZ;
beforeAll(() => void (env.TZ = 'America/Los_Angeles'));
afterAll(() => (zoneBefore === undefined ? delete env.TZ : (env.TZ = zoneBefore)));

const localDay = (ts: number, locale: string) => new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(ts);

describe('the words of a custom period', () => {
  const now = Date.parse('2026-11-20T12:00:00+08:00');
  const period = periodRange('custom', now, { from: '2026-11-01', to: '2026-11-03' })!;

  it('runs in a zone where the browser would write the day before', () => {
    expect(localDay(period.from, 'zh-CN')).toBe('2026/10/31');
  });

  it('writes the days picked, not the browser zone\'s days', () => {
    expect(chinaDayText(period.from, 'zh-CN')).toBe('2026/11/01');
    expect(chinaDayText(period.to, 'zh-CN')).toBe('2026/11/03');
    expect(chinaDayText(period.from, 'en-GB')).toBe('01/11/2026');
  });

  it('writes the China day of a time near midnight in any browser zone', () => {
    // 23:30 on 1 Nov in Los Angeles is 15:30 on 2 Nov in China.
    expect(chinaDayText(Date.parse('2026-11-01T23:30:00-08:00'), 'zh-CN')).toBe('2026/11/02');
  });
});
