/** How a history chart writes time and values: in the user's language and locale (24-hour clock in zh-CN), values with units. */
import { dateFormat } from './i18n.ts';
import { valueText, withUnit } from './field-format.ts';

const DAY_SEC = 86_400;

/** Axis ticks (seconds since epoch): 14:30 within a day, with the date where the day changes; dates for longer steps. */
export function timeTicks(splits: number[], stepSec: number): string[] {
  const time = dateFormat({ hour: '2-digit', minute: '2-digit' });
  const day = dateFormat({ month: 'numeric', day: 'numeric' });
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const dayText = day.format(d);
    const newDay = dayText !== lastDay;
    lastDay = dayText;
    if (stepSec >= DAY_SEC) return dayText;
    return newDay ? `${time.format(d)}\n${dayText}` : time.format(d);
  });
}

/** The legend's time of the hovered point: full date and time. */
export const legendTime = (sec: number | null | undefined): string =>
  sec === null || sec === undefined ? '–' : dateFormat({ year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(sec * 1000);

/** A value axis or legend entry: with the field's unit; yes/no for yes/no fields. */
export function valueLabel(field: string, value: number | null | undefined, boolean: boolean): string {
  if (value === null || value === undefined) return '–';
  return boolean ? valueText(field, value >= 0.5) : withUnit(field, value, 2);
}
