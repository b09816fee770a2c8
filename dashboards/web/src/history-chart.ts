/** A device field over time from InfluxDB, drawn with uPlot. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceView } from '../../../src/contracts/live-events.ts';
import { api, ApiError } from './api.client.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { chartableFields } from './device-format.ts';

const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES;

export function historyPanel(device: DeviceView): HTMLElement {
  const fields = chartableFields(device);
  let field = fields[0] ?? '';
  let range: Range = '6h';
  const area = h('div', { class: 'chart-area', 'data-testid': 'history-chart' });
  const fieldSelect = h('select', { 'aria-label': t('field'), onchange: (e: Event) => ((field = (e.target as HTMLSelectElement).value), void draw()) }, ...fields.map((f) => h('option', { value: f }, f)));
  const rangeButtons = h('div', { class: 'segmented' }, ...(Object.keys(RANGES) as Range[]).map((r) =>
    h('button', { class: r === range ? 'on' : undefined, onclick: (e: Event) => {
      range = r;
      for (const b of rangeButtons.children) b.classList.toggle('on', b === e.currentTarget);
      void draw();
    } }, t(`range.${r}` as 'range.1h')),
  ));
  const draw = async () => {
    if (!field) return fill(area, h('p', { class: 'muted' }, t('history.none')));
    const to = Date.now();
    const query = new URLSearchParams({ type: device.type, compound: device.compound, device: device.device, field, from: String(to - RANGES[range]), to: String(to), limit: '5000' });
    try {
      const { points } = await api<{ points: Array<{ ts: number; value: number | boolean | string | null }> }>('GET', `/api/history/series?${query}`);
      const xs = points.map((p) => p.ts / 1000);
      const ys = points.map((p) => (typeof p.value === 'boolean' ? Number(p.value) : typeof p.value === 'number' ? p.value : null));
      if (!xs.length) return fill(area, h('p', { class: 'muted' }, t('history.none')));
      fill(area);
      const width = Math.max(280, area.clientWidth || 600);
      new uPlot(
        {
          width,
          height: 220,
          series: [{}, { label: field, stroke: '#0f5b8c', width: 2, fill: 'rgba(15,91,140,0.08)', ...(typeof points[0]?.value === 'boolean' ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}) }],
          axes: [{}, { size: 50 }],
          legend: { show: true },
        },
        [xs, ys],
        area,
      );
    } catch (error) {
      fill(area, h('p', { class: 'muted' }, error instanceof ApiError && error.status === 503 ? t('history.liveOnly') : t('error', { m: (error as Error).message })));
    }
  };
  void draw();
  return h('section', { class: 'panel history' }, h('h2', {}, `${t('history.title')} · ${device.name ?? device.device}`), h('div', { class: 'row' }, fieldSelect, rangeButtons), area);
}
