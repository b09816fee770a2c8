/**
 * The district's periods (pure: no DOM): today, the last 7 or 30 days, or custom days from/to,
 * as the `from`/`to` (ms) of GET /api/alerts/stats; and the calendar days of a period as the
 * API counts alerts per day (China's day, UTC+8, whatever the browser's zone).
 */
export const PERIOD_KINDS = ['today', '7d', '30d', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  kind: PeriodKind;
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
/** UTC+8 all year (no summer time since 1991): the zone of CHINA_OFFSET_MS for Intl. */
const CHINA_ZONE = 'Asia/Shanghai';
/** The longest custom period. */
export const MAX_PERIOD_DAYS = 366;

/** `YYYY-MM-DD` of the China day `ts` falls in. */
export const chinaDay = (ts: number): string => new Date(ts + CHINA_OFFSET_MS).toISOString().slice(0, 10);
/** The China day `ts` falls in, written as a date of `locale` (2026/11/01, 01/11/2026): the day the period was computed in, not the browser's. */
export function chinaDayText(ts: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: CHINA_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ts);
}
/** Midnight (UTC+8) that starts the day `YYYY-MM-DD`; undefined for anything else. */
export function dayStart(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00+08:00`);
  return Number.isNaN(ms) || chinaDay(ms) !== day ? undefined : ms;
}

/** The period of `kind` at `now`; for `custom`, the days `from` … `to` (both included, up to now). Undefined when the days make no period. */
export function periodRange(kind: PeriodKind, now: number, custom?: { from: string; to: string }): Period | undefined {
  switch (kind) {
    case 'today':
      return { kind, from: dayStart(chinaDay(now))!, to: now };
    case '7d':
      return { kind, from: now - 7 * DAY_MS, to: now };
    case '30d':
      return { kind, from: now - 30 * DAY_MS, to: now };
    case 'custom': {
      const from = custom ? dayStart(custom.from) : undefined;
      const toStart = custom ? dayStart(custom.to) : undefined;
      if (from === undefined || toStart === undefined || toStart < from || from > now) return undefined;
      if ((toStart - from) / DAY_MS + 1 > MAX_PERIOD_DAYS) return undefined;
      return { kind, from, to: Math.min(now, toStart + DAY_MS - 1) };
    }
  }
}

/** Every China day the period touches, oldest first. */
export function periodDays(period: Pick<Period, 'from' | 'to'>): string[] {
  const days: string[] = [];
  for (let at = dayStart(chinaDay(period.from))!; at <= period.to && days.length <= MAX_PERIOD_DAYS; at += DAY_MS) days.push(chinaDay(at));
  return days;
}

/** Alerts per day over the whole period, 0 for a day without any. */
export function perDaySeries(period: Pick<Period, 'from' | 'to'>, perDay: Readonly<Record<string, number>>): Array<[string, number]> {
  return periodDays(period).map((day) => [day, perDay[day] ?? 0]);
}
