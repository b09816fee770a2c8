/**
 * Street / district overview: every compound in scope with devices online and open alerts by
 * severity (live), the alerts overdue or escalated right now (live), the closed-loop figures
 * (with arrival on site and the 30分钟到达率 overall, per compound and per street) and alerts per
 * day; a click opens the compound.
 */
import type { StatsAnswer, Figures } from '../../../../src/contracts/api.ts';
import type { CompoundSummary } from '../../../../src/contracts/live-events.ts';
import { h, fill, svg } from '../dom.ts';
import { t, tOf } from '../i18n.ts';
import { api } from '../api.client.ts';
import { LiveState } from '../live-state.ts';
import { follow, type Live } from '../live.client.ts';
import { errorText } from '../error-text.ts';
import { arrivalLine, figureTiles, percent, seconds } from '../figure-tiles.ts';
import { dataTable } from '../data-table.ts';
import { overdueAlerts, renderOverdue } from '../overdue-list.ts';
import { tickCountdowns } from '../countdowns.ts';
import { loadPeople } from '../people.ts';
import { deviceNames } from '../device-names.ts';
import { learnRuleNames } from '../rule-names.ts';
import type { AppContext, View } from '../app.types.ts';

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

function compoundCard(c: CompoundSummary, figures: Figures | undefined): HTMLElement {
  const online = c.deviceCount ? c.online / c.deviceCount : 0;
  const open = SEVERITIES.reduce((n, s) => n + c.openAlerts[s], 0);
  return h('a', { class: `card compound${c.openAlerts.critical ? ' has-critical' : ''}`, href: `#/compound/${c.id}`, 'data-testid': 'compound-card', 'data-compound': c.id },
    h('header', {}, h('strong', {}, c.name), h('span', { class: 'muted' }, c.community.name)),
    h('div', { class: 'meter', role: 'img', 'aria-label': `${t('district.online')} ${percent(online)}` }, h('div', { class: 'meter-fill', style: `width:${Math.round(online * 100)}%` })),
    h('div', { class: 'row' },
      h('span', { 'data-testid': 'compound-online', 'data-online': c.online, 'data-count': c.deviceCount }, t('district.devices', { online: c.online, count: c.deviceCount })),
      h('span', { 'data-testid': 'compound-open', 'data-open': open }, `${t('district.open')} ${open}`),
    ),
    h('div', { class: 'row sev-counts' }, ...SEVERITIES.filter((s) => c.openAlerts[s]).map((s) => h('span', { class: `badge sev-${s}` }, `${tOf('sev', s)} ${c.openAlerts[s]}`))),
    figures ? h('div', { class: 'row muted', 'data-testid': 'compound-figures' }, `${t('stats.mtta')} ${seconds(figures.timeToAccept.mean)} · ${t('stats.sla')} ${percent(figures.slaKept)}`) : null,
    figures?.rescues ? h('div', { class: 'row muted', 'data-testid': 'compound-arrival', 'data-rate': figures.arrivalRate ?? '' }, arrivalLine(figures)) : null,
  );
}

/** Per street (街道): alerts, time to accept, time to arrive (mean, p90), 30分钟到达率 and SLA kept. */
function streetTable(byStreet: Record<string, Figures>, compounds: Iterable<CompoundSummary>): HTMLElement {
  const names = new Map([...compounds].map((c) => [c.street.id, c.street.name]));
  return dataTable({
    caption: t('district.streets'),
    columns: [t('street.name'), t('street.alerts'), t('street.mtta'), t('street.arrival'), t('street.arrivalP90'), t('street.arrivalRate'), t('street.sla')],
    rows: Object.entries(byStreet)
      .map(([id, f]) => ({ id, name: names.get(id) ?? id, f }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ id, name, f }) => ({
        attrs: { 'data-street': id },
        cells: [name, String(f.alerts), seconds(f.timeToAccept.mean), seconds(f.timeToArrive.mean), seconds(f.timeToArrive.p90), percent(f.arrivalRate), percent(f.slaKept)],
      })),
    empty: t('alerts.none'),
    testid: 'street-figures',
    rowHeader: true,
  });
}

export function districtView(root: HTMLElement, app: AppContext): View {
  const state = new LiveState();
  let stats: StatsAnswer | undefined;
  const figuresEl = h('div', { 'data-testid': 'district-figures' });
  const overdueEl = h('section', { class: 'panel overdue', 'data-testid': 'overdue-panel' });
  const chartEl = h('section', { class: 'panel' });
  const streetsEl = h('section', { class: 'panel streets', 'data-testid': 'streets-panel' });
  const cardsEl = h('div', { class: 'cards grid' });
  fill(root,
    h('div', { class: 'view-head' }, h('h1', {}, t('district.title'))),
    figuresEl,
    overdueEl,
    h('div', { class: 'columns' }, h('section', { class: 'panel col-main' }, h('h2', {}, t('district.compounds')), cardsEl), chartEl),
    streetsEl,
  );
  const people = loadPeople(app.me, () => render());
  const devices = deviceNames(() => render());

  let pending = false;
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const compounds = [...state.compounds.values()].sort((a, b) => b.openAlerts.critical - a.openAlerts.critical || a.name.localeCompare(b.name));
      fill(cardsEl, compounds.map((c) => compoundCard(c, stats?.byCompound[c.id])));
      learnRuleNames(state.alerts.values());
      const late = overdueAlerts(state.alerts.values());
      renderOverdue(overdueEl, late, { compounds: state.compounds, people, devices });
      if (stats) {
        fill(figuresEl, figureTiles(stats.overall, late.length));
        fill(chartEl, h('h2', {}, t('stats.perDay')), perDayChart(stats.perDay));
        fill(streetsEl, h('h2', {}, t('district.streets')), streetTable(stats.byStreet ?? {}, state.compounds.values()));
      }
    });
  };
  const loadStats = () =>
    api<StatsAnswer>('GET', '/api/alerts/stats')
      .then((s) => ((stats = s), render()))
      // An unreachable hub is what the connection light says already; the next round retries.
      .catch((error: unknown) => error instanceof TypeError || app.report(errorText(error)));

  let live: Live | undefined;
  let closed = false;
  void api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds')
    .then(({ compounds }) => {
      if (!closed) live = follow({ compounds: compounds.map((c) => c.id), detail: 'summary' }, state, app, { changed: render });
    })
    .catch((error: unknown) => app.report(errorText(error)));
  void loadStats();
  const refresh = setInterval(loadStats, 60_000);
  // Clocks tick each second; an alert that just became late joins the list (and its count).
  let lateCount = 0;
  const ticker = setInterval(() => {
    tickCountdowns(state.alerts);
    const n = overdueAlerts(state.alerts.values()).length;
    if (n !== lateCount) (lateCount = n), render();
  }, 1000);
  return {
    dispose() {
      closed = true;
      clearInterval(refresh);
      clearInterval(ticker);
      live?.close();
    },
  };
}
