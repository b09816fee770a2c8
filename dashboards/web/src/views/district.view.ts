/**
 * Street / district overview: every compound in scope with devices online and open alerts by
 * severity (live), the closed-loop figures and alerts per day; a click opens the compound.
 */
import type { CompoundSummary } from '../../../../src/contracts/live-events.ts';
import { h, fill, svg } from '../dom.ts';
import { duration, t, tOf } from '../i18n.ts';
import { api } from '../api.client.ts';
import { LiveState } from '../live-state.ts';
import { follow, type Live } from '../live.client.ts';
import type { AppContext, View } from '../app.types.ts';

interface Figures {
  alerts: number;
  timeToAccept: { mean: number | null; p90: number | null };
  timeToResolve: { mean: number | null; p90: number | null };
  slaKept: number | null;
}
interface Stats {
  overall: Figures;
  byCompound: Record<string, Figures>;
  perDay: Record<string, number>;
}

const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;

function perDayChart(perDay: Record<string, number>): SVGElement {
  const days = Object.entries(perDay).sort(([a], [b]) => a.localeCompare(b)).slice(-14);
  const max = Math.max(1, ...days.map(([, n]) => n));
  const width = Math.max(1, days.length) * 30;
  const chart = svg('svg', { viewBox: `0 -14 ${width} 144`, class: 'bars', role: 'img', 'aria-label': t('stats.perDay') });
  days.forEach(([day, n], i) => {
    const height = (n / max) * 90;
    chart.append(
      svg('rect', { x: i * 30 + 5, y: 100 - height, width: 20, height, rx: 2 }),
      svg('text', { x: i * 30 + 15, y: 95 - height, 'text-anchor': 'middle', class: 'bar-value' }, String(n)),
      svg('text', { x: i * 30 + 15, y: 118, 'text-anchor': 'middle', class: 'bar-label' }, day.slice(5)),
    );
  });
  return chart;
}

const minutes = (ms: number | null) => (ms === null ? '–' : duration(ms));
const percent = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

function figureTiles(f: Figures): HTMLElement {
  const tile = (label: string, value: string) => h('div', { class: 'tile', 'data-testid': 'stats-figure' }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
  return h('div', { class: 'tiles' },
    tile(t('stats.alerts'), String(f.alerts)),
    tile(t('stats.mtta'), `${minutes(f.timeToAccept.mean)} (${t('stats.p90')} ${minutes(f.timeToAccept.p90)})`),
    tile(t('stats.mttr'), `${minutes(f.timeToResolve.mean)} (${t('stats.p90')} ${minutes(f.timeToResolve.p90)})`),
    tile(t('stats.sla'), percent(f.slaKept)),
  );
}

function compoundCard(c: CompoundSummary, figures: Figures | undefined): HTMLElement {
  const online = c.deviceCount ? c.online / c.deviceCount : 0;
  const open = SEVERITIES.reduce((n, s) => n + c.openAlerts[s], 0);
  return h('a', { class: `card compound${c.openAlerts.critical ? ' has-critical' : ''}`, href: `#/compound/${c.id}`, 'data-testid': 'compound-card', 'data-compound': c.id },
    h('header', {}, h('strong', {}, c.name), h('span', { class: 'muted' }, c.community.name)),
    h('div', { class: 'meter', title: t('district.online') }, h('div', { class: 'meter-fill', style: `width:${Math.round(online * 100)}%` })),
    h('div', { class: 'row' }, h('span', {}, `${t('district.online')} ${Math.round(online * 100)}% (${c.online}/${c.deviceCount})`), h('span', {}, `${t('district.open')} ${open}`)),
    h('div', { class: 'row sev-counts' }, ...SEVERITIES.filter((s) => c.openAlerts[s]).map((s) => h('span', { class: `badge sev-${s}` }, `${tOf('sev', s)} ${c.openAlerts[s]}`))),
    figures ? h('div', { class: 'row muted' }, `${t('stats.mtta')} ${minutes(figures.timeToAccept.mean)} · ${t('stats.sla')} ${percent(figures.slaKept)}`) : null,
  );
}

export function districtView(root: HTMLElement, app: AppContext): View {
  const state = new LiveState();
  let stats: Stats | undefined;
  const figuresEl = h('div');
  const chartEl = h('section', { class: 'panel' });
  const cardsEl = h('div', { class: 'cards grid' });
  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('district.title'))), figuresEl, h('div', { class: 'columns' }, h('section', { class: 'panel col-main' }, h('h2', {}, t('district.compounds')), cardsEl), chartEl));

  const render = () => {
    const compounds = [...state.compounds.values()].sort((a, b) => b.openAlerts.critical - a.openAlerts.critical || a.name.localeCompare(b.name));
    fill(cardsEl, compounds.map((c) => compoundCard(c, stats?.byCompound[c.id])));
    if (stats) {
      fill(figuresEl, figureTiles(stats.overall));
      fill(chartEl, h('h2', {}, t('stats.perDay')), perDayChart(stats.perDay));
    }
  };
  const loadStats = () =>
    api<Stats>('GET', '/api/alerts/stats')
      .then((s) => ((stats = s), render()))
      .catch((error: Error) => app.report(error.message));

  let live: Live | undefined;
  void api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds')
    .then(({ compounds }) => {
      live = follow({ compounds: compounds.map((c) => c.id), detail: 'summary' }, state, app, { changed: render });
    })
    .catch((error: Error) => app.report(error.message));
  void loadStats();
  const refresh = setInterval(loadStats, 60_000);
  return {
    dispose() {
      clearInterval(refresh);
      live?.close();
    },
  };
}
