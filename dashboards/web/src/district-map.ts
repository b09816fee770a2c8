/**
 * The district's compounds on a map drawn from their registered coordinates (SVG, no tiles
 * from the internet): each compound a link marked by its worst state in colour and shape, with
 * its name as tooltip and accessible name, street names where their compounds are, and a legend
 * that counts each state (a click on it filters the table). Markers are kept by compound and
 * redrawn only when their state changes.
 */
import { h, fill, svg } from './dom.ts';
import { t } from './i18n.ts';
import { COMPOUND_STATES, stateCounts, type CompoundRow, type CompoundState } from './district-rows.ts';
import { markIcon, markShape, stateText } from './district-marks.ts';

const WIDTH = 1000;
const PAD = 40;
const MAX_HEIGHT = 760;
const R = 11;

interface Projection {
  x(lon: number): number;
  y(lat: number): number;
  height: number;
}

/** Equirectangular around the compounds' middle latitude: fine for a district of tens of kilometres. */
function projection(points: ReadonlyArray<{ lat: number; lon: number }>): Projection {
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max(1e-4, (maxLon - minLon) * k);
  const spanY = Math.max(1e-4, maxLat - minLat);
  // Fits both ways into WIDTH × MAX_HEIGHT, centred across.
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (MAX_HEIGHT - 2 * PAD) / spanY);
  const left = PAD + (WIDTH - 2 * PAD - spanX * scale) / 2;
  return {
    x: (lon) => left + (lon - minLon) * k * scale,
    y: (lat) => PAD + (maxLat - lat) * scale,
    height: Math.round(spanY * scale + 2 * PAD),
  };
}

export interface DistrictMap {
  readonly el: HTMLElement;
  update(rows: readonly CompoundRow[]): void;
  /** The table's state filter changed: the legend says it. */
  showPicked(state: CompoundState | undefined): void;
}

/** `pick`: a legend entry chosen (undefined: all again). */
export function districtMap(open: (id: string) => void, pick: (state: CompoundState | undefined) => void): DistrictMap {
  const markers = new Map<string, { a: SVGElement; state: CompoundState }>();
  let layout = '';
  let picked: CompoundState | undefined;
  const plot = svg('svg', { class: 'district-map', 'data-testid': 'district-map', role: 'group', 'aria-label': t('dist.map'), viewBox: `0 0 ${WIDTH} ${WIDTH * 0.8}` });
  const legend = h('ul', { class: 'map-legend', 'data-testid': 'map-legend', 'aria-label': t('dist.legend') });
  const unplaced = h('p', { class: 'muted', 'data-testid': 'map-unplaced', hidden: true });
  const el = h('section', { class: 'panel district-map-panel', 'aria-labelledby': 'district-map-title' },
    h('h2', { id: 'district-map-title' }, t('dist.map')),
    h('p', { class: 'muted small' }, t('dist.mapHint')),
    h('div', { class: 'map-box' }, plot),
    legend,
    unplaced,
  );

  function marker(r: CompoundRow, p: Projection): SVGElement {
    const a = svg('a', { href: `#/compound/${encodeURIComponent(r.id)}`, class: 'map-marker', 'data-testid': 'map-marker', 'data-compound': r.id });
    // The link goes there by itself; open() keeps the view's own navigation (kiosk, tests) in one place.
    a.addEventListener('click', (event) => {
      event.preventDefault();
      open(r.id);
    });
    a.dataset.x = String(Math.round(p.x(r.location!.lon)));
    a.dataset.y = String(Math.round(p.y(r.location!.lat)));
    return a;
  }

  function paint(entry: { a: SVGElement; state: CompoundState }, r: CompoundRow): void {
    const x = Number(entry.a.dataset.x);
    const y = Number(entry.a.dataset.y);
    entry.a.dataset.state = r.state;
    const label = t('dist.marker', { name: r.name, street: r.street.name, state: stateText(r.state) });
    entry.a.setAttribute('aria-label', label);
    fill(entry.a, svg('title', {}, label), svg('circle', { class: 'hit', cx: x, cy: y, r: R * 1.6 }), markShape(r.state, x, y, R));
  }

  // The legend's buttons stay (a focused one keeps the focus); their counts change.
  const legendItems = new Map<CompoundState, { button: HTMLButtonElement; text: HTMLElement }>();
  for (const s of COMPOUND_STATES) {
    const text = h('span', {});
    const button = h('button', { type: 'button', class: 'legend-item', 'data-testid': 'legend-item', 'data-state': s, 'aria-pressed': 'false', onclick: () => {
      press(picked === s ? undefined : s);
      pick(picked);
    } }, markIcon(s, 18), text);
    legendItems.set(s, { button, text });
    legend.append(h('li', {}, button));
  }
  function press(state: CompoundState | undefined): void {
    picked = state;
    for (const [s, item] of legendItems) item.button.setAttribute('aria-pressed', String(picked === s));
  }
  function drawLegend(rows: readonly CompoundRow[]): void {
    const counts = stateCounts(rows);
    for (const [s, item] of legendItems) {
      const text = t('dist.legendCount', { state: stateText(s), n: counts[s] });
      if (item.text.textContent !== text) item.text.textContent = text;
      item.button.dataset.count = String(counts[s]);
    }
  }

  return {
    el,
    showPicked: press,
    update(rows) {
      const placed = rows.filter((r) => r.location);
      const shape = placed.map((r) => `${r.id}@${r.location!.lat},${r.location!.lon}`).join(';');
      if (shape !== layout) {
        layout = shape;
        markers.clear();
        if (!placed.length) fill(plot);
        else {
          const p = projection(placed.map((r) => r.location!));
          plot.setAttribute('viewBox', `0 0 ${WIDTH} ${p.height}`);
          // Street names at the middle of their compounds, under the markers.
          const streets = new Map<string, { name: string; x: number; y: number; n: number }>();
          for (const r of placed) {
            const s = streets.get(r.street.id) ?? { name: r.street.name, x: 0, y: 0, n: 0 };
            s.x += p.x(r.location!.lon);
            s.y += p.y(r.location!.lat);
            s.n += 1;
            streets.set(r.street.id, s);
          }
          const labels = [...streets.values()].map((s) => svg('text', { class: 'street-label', x: s.x / s.n, y: s.y / s.n, 'text-anchor': 'middle', 'aria-hidden': 'true' }, s.name));
          const marks = placed.map((r) => {
            const entry = { a: marker(r, p), state: r.state };
            markers.set(r.id, entry);
            paint(entry, r);
            return entry.a;
          });
          fill(plot, svg('rect', { class: 'map-ground', x: 0, y: 0, width: WIDTH, height: p.height, rx: 12 }), ...labels, ...marks);
        }
      } else {
        for (const r of placed) {
          const entry = markers.get(r.id)!;
          if (entry.state === r.state && entry.a.getAttribute('aria-label')?.startsWith(r.name)) continue;
          const focused = document.activeElement === entry.a;
          entry.state = r.state;
          paint(entry, r);
          if (focused) (entry.a as SVGElement & HTMLOrSVGElement).focus();
        }
      }
      drawLegend(rows);
      const missing = rows.length - placed.length;
      unplaced.hidden = missing === 0;
      unplaced.textContent = missing ? t('dist.mapUnplaced', { n: missing }) : '';
    },
  };
}
