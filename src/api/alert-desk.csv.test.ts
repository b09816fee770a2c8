/** The desk's CSV file (alert-desk.csv.ts): the file's day in the reader's zone, and a list cut at the limit says so. */
import { describe, expect, it } from 'vitest';
import { dayIn, deskCsv } from './alert-desk.csv.ts';
import type { DeskRow } from '../contracts/alert-desk.ts';

const T0 = Date.parse('2026-12-01T20:30:00Z'); // 04:30 on 2 December in Beijing
const row = (id: string): DeskRow => ({
  alert: {
    id, ruleId: 'elevator-trapped', name: { zh: '电梯困人', en: 'Trapped' }, severity: 'critical', deviceKey: 'h1/elevator/e1', compound: 'h1', type: 'elevator',
    device: 'e1', workflow: 'dispatched', condition: 'active', raisedAt: T0, lastSeenAt: T0, count: 1, escalationLevel: 0, history: [],
  },
  compoundName: '翠苑一区',
});
const options = { lang: 'zh' as const, zone: 'Asia/Shanghai', personName: (id: string) => id };
const lines = (csv: string) => csv.slice(1).split('\r\n').slice(0, -1);

describe('the desk CSV', () => {
  it('takes the day in the zone given', () => {
    expect(dayIn('Asia/Shanghai', T0)).toBe('2026-12-02');
    expect(dayIn('UTC', T0)).toBe('2026-12-01');
    expect(dayIn('Pacific/Pago_Pago', T0)).toBe('2026-12-01');
  });

  it('ends a list cut at the limit with a line saying how many of how many', () => {
    const rows = [row('a1'), row('a2')];
    const cut = lines(deskCsv(rows, { ...options, total: 50_123 }));
    expect(cut).toHaveLength(4);
    expect(cut.at(-1)).toBe('（仅导出前 2 条，共 50123 条：请缩小筛选范围）');
    expect(lines(deskCsv(rows, { ...options, lang: 'en', total: 3 })).at(-1)).toBe('(Only the first 2 of 3 alerts are exported: narrow the filters)');
    // Whole: no such line.
    expect(lines(deskCsv(rows, { ...options, total: 2 }))).toHaveLength(3);
    expect(lines(deskCsv(rows, options))).toHaveLength(3);
  });
});
