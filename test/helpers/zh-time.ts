/**
 * The dashboards' `until` (dashboards/web/src/i18n.ts) as the test browser shows it: zh-CN in
 * Asia/Shanghai, 14:30 on the same day and 12月3日 00:00 on another, since a deadline 30 minutes
 * away falls on the next day when the suite runs just before midnight there.
 */
const ZONE = 'Asia/Shanghai';
const dayOf = (ts: number): string => new Intl.DateTimeFormat('zh-CN', { dateStyle: 'short', timeZone: ZONE }).format(ts);

export function zhUntil(ts: number, now = Date.now()): string {
  const options: Intl.DateTimeFormatOptions = dayOf(ts) === dayOf(now)
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat('zh-CN', { hourCycle: 'h23', timeZone: ZONE, ...options }).format(ts);
}

/** A regular-expression source for any `until` text: 14:30 or 12月3日 00:35. */
export const ZH_UNTIL = String.raw`(\d{1,2}月\d{1,2}日 )?\d{2}:\d{2}`;
