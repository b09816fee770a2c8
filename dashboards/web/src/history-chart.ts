/**
 * A device's fields over time from InfluxDB, drawn with uPlot: one main field and any others beside
 * it, by their names with units (fields of one unit share an axis), times in the user's language,
 * the device's alerts marked on the time axis (and listed by time), select-to-zoom with a reset,
 * and the absolute span shown.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { api, ApiError } from './api.client.ts';
import { h, fill } from './dom.ts';
import { dateFormat, stamp, t } from './i18n.ts';
import { chartableFields, deviceLabel } from './device-format.ts';
import { fieldWithUnit, unitOf } from './field-format.ts';
import { errorText } from './error-text.ts';
import { legendTime, timeTicks, valueLabel } from './chart-format.ts';
import { alertName } from './rule-names.ts';

const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
const COLOURS = ['#0f5b8c', '#b45309', '#7c3aed', '#047857', '#be123c'];
const ALERT_COLOUR = '#b91c1c';

type Point = { ts: number; value: number | boolean | string | null };

/** Whether an alert is about this device (its own, or an incident it is a member of). */
const aboutDevice = (a: Alert, key: string) => a.deviceKey === key || a.incident?.members.some((m) => m.deviceKey === key) === true;

export function historyPanel(device: DeviceView): HTMLElement {
  const key = `${device.compound}/${device.type}/${device.device}`;
  const fields = chartableFields(device);
  let field = fields[0] ?? '';
  const extra = new Set<string>();
  let range: Range = '6h';
  let chart: uPlot | undefined;
  let span = { from: 0, to: 0 };
  const area = h('div', { class: 'chart-area', 'data-testid': 'history-chart' });
  const spanText = h('p', { class: 'muted small', 'data-testid': 'history-span' });
  const alertList = h('ul', { class: 'history-alerts', 'data-testid': 'history-alerts', 'aria-label': t('history.alerts') });
  const fieldSelect = h('select', { 'aria-label': t('field'), 'data-testid': 'history-field', onchange: (e: Event) => ((field = (e.target as HTMLSelectElement).value), extra.delete(field), syncExtras(), void draw()) },
    ...fields.map((f) => h('option', { value: f }, fieldWithUnit(f))));
  const extras = h('fieldset', { class: 'history-extras' }, h('legend', {}, t('history.fields')));
  const syncExtras = () => {
    fill(extras, h('legend', {}, t('history.fields')), ...fields.filter((f) => f !== field).map((f) =>
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', 'data-testid': 'history-extra', 'data-field': f, checked: extra.has(f), onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? extra.add(f) : extra.delete(f), void draw()) }),
        h('span', {}, fieldWithUnit(f)))));
  };
  syncExtras();
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': t('history.range') }, ...(Object.keys(RANGES) as Range[]).map((r) =>
    h('button', { type: 'button', class: r === range ? 'on' : undefined, 'aria-pressed': String(r === range), onclick: (e: Event) => {
      range = r;
      for (const b of rangeButtons.children) (b.classList.toggle('on', b === e.currentTarget), b.setAttribute('aria-pressed', String(b === e.currentTarget)));
      void draw();
    } }, t(`range.${r}`)),
  ));
  const showSpan = (from: number, to: number) => (spanText.textContent = t('history.span', { from: stamp(from), to: stamp(to) }));
  const resetZoom = h('button', { type: 'button', class: 'plan-tool wide', 'data-testid': 'history-zoom-reset', onclick: () => {
    chart?.setScale('x', { min: span.from / 1000, max: span.to / 1000 });
  } }, t('history.zoomReset'));

  // A hub without InfluxDB keeps no history: asked once (GET /readyz says the storage mode), so the chart does not ask for series that cannot come.
  const liveOnly = api<{ storage?: { mode?: string } }>('GET', '/readyz').then((r) => r.storage?.mode === 'live-only', () => false);
  const draw = async () => {
    chart?.destroy();
    chart = undefined;
    if (!field) return fill(area, h('p', { class: 'muted' }, t('history.none')));
    if (await liveOnly) return fill(area, h('p', { class: 'muted' }, t('history.liveOnly')));
    const shown = [field, ...fields.filter((f) => extra.has(f))];
    const to = Date.now();
    const from = to - RANGES[range];
    span = { from, to };
    showSpan(from, to);
    const series = (f: string) => {
      const query = new URLSearchParams({ type: device.type, compound: device.compound, device: device.device, field: f, from: String(from), to: String(to), limit: '5000' });
      return api<{ points: Point[] }>('GET', `/api/history/series?${query}`).then((a) => a.points);
    };
    try {
      const [results, alertAnswer] = await Promise.all([
        Promise.all(shown.map(series)),
        api<{ alerts: Alert[] }>('GET', `/api/alerts?${new URLSearchParams({ compound: device.compound })}`).catch(() => ({ alerts: [] as Alert[] })),
      ]);
      const alerts = alertAnswer.alerts.filter((a) => aboutDevice(a, key) && a.raisedAt >= from && a.raisedAt <= to).sort((a, b) => a.raisedAt - b.raisedAt);
      fill(alertList, ...alerts.map((a) => h('li', { 'data-testid': 'history-alert', 'data-alert-id': a.id }, t('history.alertAt', { time: stamp(a.raisedAt), name: alertName(a) }))));
      // One time axis for all fields: every timestamp any of them has, gaps where one has none.
      if (!results.some((points) => points.length)) return fill(area, h('p', { class: 'muted' }, t('history.none')));
      // The alerts' times are on the axis too, so that each mark is inside the chart.
      const times = [...new Set([...results.flatMap((points) => points.map((p) => p.ts)), ...alerts.map((a) => a.raisedAt)])].sort((a, b) => a - b);
      const index = new Map(times.map((ts, i) => [ts, i]));
      const columns = results.map((points) => {
        const ys: Array<number | null> = times.map(() => null);
        for (const p of points) ys[index.get(p.ts)!] = typeof p.value === 'boolean' ? Number(p.value) : typeof p.value === 'number' ? p.value : null;
        return ys;
      });
      const booleans = results.map((points) => points.some((p) => typeof p.value === 'boolean'));
      const scaleOf = (i: number) => (booleans[i] ? 'yes-no' : `u:${unitOf(shown[i]!) || shown[i]}`);
      const scales = [...new Set(shown.map((_, i) => scaleOf(i)))];
      fill(area);
      const width = Math.max(280, area.clientWidth || 600);
      chart = new uPlot(
        {
          width,
          height: 240,
          // Any date uPlot writes itself, in the user's locale.
          fmtDate: () => (date: Date) => dateFormat({ month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date),
          // Drag across the plot to zoom into that span; the reset button (or a double click) goes back.
          cursor: { drag: { x: true, y: false, setScale: true } },
          scales: { x: { time: true }, ...Object.fromEntries(scales.filter((s) => s === 'yes-no').map((s) => [s, { range: [0, 1] as [number, number] }])) },
          series: [
            { label: t('chart.time'), value: (_u, sec) => legendTime(sec) },
            ...shown.map((f, i) => ({
              label: fieldWithUnit(f),
              scale: scaleOf(i),
              stroke: COLOURS[i % COLOURS.length]!,
              width: 2,
              spanGaps: true,
              ...(i === 0 ? { fill: 'rgba(15,91,140,0.08)' } : {}),
              value: (_u: uPlot, v: number | null) => valueLabel(f, v, booleans[i]!),
              ...(booleans[i] ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
            })),
          ],
          axes: [
            { values: (_u, splits, _i, _space, incr) => timeTicks(splits, incr) },
            ...scales.slice(0, 2).map((scale, n) => {
              const i = shown.findIndex((_, j) => scaleOf(j) === scale);
              const f = shown[i]!;
              return { scale, side: n === 0 ? 3 : 1, size: 64, grid: { show: n === 0 }, values: (_u: uPlot, splits: number[]) => splits.map((v) => valueLabel(f, v, booleans[i]!)), ...(booleans[i] ? { splits: () => [0, 1] } : {}) };
            }),
          ],
          legend: { show: true },
          hooks: {
            // Each alert as a red line at the time it was raised, with a flag at the top.
            draw: [
              (u) => {
                const { ctx, bbox } = u;
                ctx.save();
                ctx.strokeStyle = ALERT_COLOUR;
                ctx.fillStyle = ALERT_COLOUR;
                ctx.lineWidth = 2 * devicePixelRatio;
                ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
                for (const a of alerts) {
                  const x = Math.round(u.valToPos(a.raisedAt / 1000, 'x', true));
                  if (x < bbox.left || x > bbox.left + bbox.width) continue;
                  ctx.beginPath();
                  ctx.moveTo(x, bbox.top);
                  ctx.lineTo(x, bbox.top + bbox.height);
                  ctx.stroke();
                  ctx.beginPath();
                  ctx.moveTo(x, bbox.top);
                  ctx.lineTo(x + 10 * devicePixelRatio, bbox.top + 5 * devicePixelRatio);
                  ctx.lineTo(x, bbox.top + 10 * devicePixelRatio);
                  ctx.fill();
                }
                ctx.restore();
              },
            ],
            setScale: [
              (u, scale) => {
                if (scale !== 'x') return;
                const min = u.scales.x?.min;
                const max = u.scales.x?.max;
                if (typeof min === 'number' && typeof max === 'number') {
                  showSpan(min * 1000, max * 1000);
                  area.setAttribute('data-zoomed', String(min * 1000 > span.from + 500 || max * 1000 < span.to - 500));
                }
              },
            ],
          },
        },
        [times.map((ts) => ts / 1000), ...columns],
        area,
      );
      area.setAttribute('data-series', String(shown.length));
      area.setAttribute('data-alert-marks', String(alerts.length));
      // uPlot fits the x scale to the data: that is what the reset goes back to.
      span = { from: times[0]!, to: times[times.length - 1]! };
      showSpan(span.from, span.to);
      area.setAttribute('data-zoomed', 'false');
    } catch (error) {
      fill(area, h('p', { class: 'muted' }, error instanceof ApiError && (error.status === 503 || error.code === 'STORE_UNAVAILABLE') ? t('history.liveOnly') : errorText(error)));
    }
  };
  void draw();
  return h('section', { class: 'panel history' },
    h('h2', {}, `${t('history.title')} · ${deviceLabel(device.type, device.device, device)}`),
    h('div', { class: 'row' }, fieldSelect, rangeButtons, resetZoom),
    extras,
    h('p', { class: 'muted small' }, t('history.zoomHint')),
    spanText,
    area,
    alertList);
}
