/**
 * Alerts per day over the chosen period, every day of it (zeros included), as SVG bars with the
 * count on each bar and the date under it (every few days when the period is long).
 */
import { svg } from './dom.ts';
import { t } from './i18n.ts';
import { perDaySeries, type Period } from './district-period.ts';

const BAR = 30;

export function trendChart(period: Pick<Period, 'from' | 'to'>, perDay: Readonly<Record<string, number>>, label: string): SVGElement {
  const days = perDaySeries(period, perDay);
  const max = Math.max(1, ...days.map(([, n]) => n));
  const total = days.reduce((sum, [, n]) => sum + n, 0);
  const every = Math.ceil(days.length / 16);
  const width = Math.max(1, days.length) * BAR;
  const chart = svg('svg', {
    viewBox: `0 -14 ${width} 144`,
    class: 'bars',
    role: 'img',
    'data-testid': 'district-trend',
    'data-days': days.length,
    'data-total': total,
    'aria-label': t('dist.trendLabel', { period: label, total, max: Math.max(0, ...days.map(([, n]) => n)) }),
  });
  days.forEach(([day, n], i) => {
    const height = (n / max) * 90;
    chart.append(svg('rect', { x: i * BAR + 5, y: 100 - height, width: BAR - 10, height, rx: 2, 'data-day': day, 'data-count': n }));
    if (n) chart.append(svg('text', { x: i * BAR + BAR / 2, y: 95 - height, 'text-anchor': 'middle', class: 'bar-value' }, String(n)));
    if (i % every === 0) chart.append(svg('text', { x: i * BAR + BAR / 2, y: 118, 'text-anchor': 'middle', class: 'bar-label' }, day.slice(5)));
  });
  return chart;
}
