/** A device field over time from InfluxDB, drawn with uPlot: field names, units and times in the user's language. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceView } from '../../../src/contracts/live-events.ts';
import { api, ApiError } from './api.client.ts';
import { h, fill } from './dom.ts';
import { dateFormat, t } from './i18n.ts';
import { chartableFields, deviceLabel } from './device-format.ts';
import { fieldWithUnit } from './field-format.ts';
import { errorText } from './error-text.ts';
import { legendTime, timeTicks, valueLabel } from './chart-format.ts';

const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES;

export function historyPanel(device: DeviceView): HTMLElement {
  const fields = chartableFields(device);
  let field = fields[0] ?? '';
  let range: Range = '6h';
  const area = h('div', { class: 'chart-area', 'data-testid': 'history-chart' });
  const fieldSelect = h('select', { 'aria-label': t('field'), 'data-testid': 'history-field', onchange: (e: Event) => ((field = (e.target as HTMLSelectElement).value), void draw()) },
    ...fields.map((f) => h('option', { value: f }, fieldWithUnit(f))));
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': t('history.range') }, ...(Object.keys(RANGES) as Range[]).map((r) =>
    h('button', { type: 'button', class: r === range ? 'on' : undefined, 'aria-pressed': String(r === range), onclick: (e: Event) => {
      range = r;
      for (const b of rangeButtons.children) (b.classList.toggle('on', b === e.currentTarget), b.setAttribute('aria-pressed', String(b === e.currentTarget)));
      void draw();
    } }, t(`range.${r}`)),
  ));
  const draw = async () => {
    if (!field) return fill(area, h('p', { class: 'muted' }, t('history.none')));
    const shown = field;
    const to = Date.now();
    const query = new URLSearchParams({ type: device.type, compound: device.compound, device: device.device, field: shown, from: String(to - RANGES[range]), to: String(to), limit: '5000' });
    try {
      const { points } = await api<{ points: Array<{ ts: number; value: number | boolean | string | null }> }>('GET', `/api/history/series?${query}`);
      const xs = points.map((p) => p.ts / 1000);
      const ys = points.map((p) => (typeof p.value === 'boolean' ? Number(p.value) : typeof p.value === 'number' ? p.value : null));
      if (!xs.length) return fill(area, h('p', { class: 'muted' }, t('history.none')));
      fill(area);
      const boolean = typeof points[0]?.value === 'boolean';
      const width = Math.max(280, area.clientWidth || 600);
      new uPlot(
        {
          width,
          height: 220,
          // Any date uPlot writes itself, in the user's locale.
          fmtDate: () => (date: Date) => dateFormat({ month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date),
          series: [
            { label: t('chart.time'), value: (_u, sec) => legendTime(sec) },
            {
              label: fieldWithUnit(shown),
              stroke: '#0f5b8c',
              width: 2,
              fill: 'rgba(15,91,140,0.08)',
              value: (_u, v) => valueLabel(shown, v, boolean),
              ...(boolean ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
            },
          ],
          axes: [
            { values: (_u, splits, _i, _space, incr) => timeTicks(splits, incr) },
            { size: 64, values: (_u, splits) => splits.map((v) => valueLabel(shown, v, boolean)), ...(boolean ? { splits: () => [0, 1] } : {}) },
          ],
          legend: { show: true },
        },
        [xs, ys],
        area,
      );
    } catch (error) {
      fill(area, h('p', { class: 'muted' }, error instanceof ApiError && (error.status === 503 || error.code === 'STORE_UNAVAILABLE') ? t('history.liveOnly') : errorText(error)));
    }
  };
  void draw();
  return h('section', { class: 'panel history' }, h('h2', {}, `${t('history.title')} · ${deviceLabel(device.type, device.device, device)}`), h('div', { class: 'row' }, fieldSelect, rangeButtons), area);
}
