/** Times on the public notice: HH:MM today, with the date on another day, the year on another year, in the phone's zone. */
import { describe, expect, it } from 'vitest';
import { noticeTime } from './notice-time.ts';

// Local times: built in the zone the test runs in, so the test holds in any zone.
const at = (y: number, m: number, d: number, h: number, min: number) => new Date(y, m - 1, d, h, min).getTime();

describe('noticeTime', () => {
  const now = at(2026, 6, 3, 15, 30);

  it('is HH:MM today, 24-hour, in both languages', () => {
    expect(noticeTime(at(2026, 6, 3, 14, 5), now, 'zh')).toBe('14:05');
    expect(noticeTime(at(2026, 6, 3, 0, 7), now, 'en')).toBe('00:07');
  });

  it('has the date on another day, the year on another year', () => {
    expect(noticeTime(at(2026, 6, 2, 23, 59), now, 'zh')).toBe('6月2日 23:59');
    expect(noticeTime(at(2026, 6, 2, 23, 59), now, 'en')).toBe('2 Jun 23:59');
    expect(noticeTime(at(2025, 12, 31, 8, 0), now, 'zh')).toBe('2025年12月31日 08:00');
    expect(noticeTime(at(2025, 12, 31, 8, 0), now, 'en')).toBe('31 Dec 2025 08:00');
  });
});
