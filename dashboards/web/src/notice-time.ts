/**
 * Times on the public notice, in the phone's own zone: `14:05` today, `6月3日 14:05` (`3 Jun 14:05`)
 * on another day of the year, with the year on another year. A 24-hour clock in both languages.
 */
import type { NoticeLang } from './i18n-notice.ts';

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

export function noticeTime(ts: number, now: number, lang: NoticeLang): string {
  const at = new Date(ts);
  const today = new Date(now);
  const hm = `${two(at.getHours())}:${two(at.getMinutes())}`;
  if (at.toDateString() === today.toDateString()) return hm;
  const sameYear = at.getFullYear() === today.getFullYear();
  if (lang === 'zh') return `${sameYear ? '' : `${at.getFullYear()}年`}${at.getMonth() + 1}月${at.getDate()}日 ${hm}`;
  return `${at.getDate()} ${MONTHS_EN[at.getMonth()]}${sameYear ? '' : ` ${at.getFullYear()}`} ${hm}`;
}

/** The same moment for machines (a <time datetime>). */
export const isoTime = (ts: number): string => new Date(ts).toISOString();
