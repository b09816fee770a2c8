/**
 * Street / district overview, built for hundreds of compounds: a period picker (today, 7 or 30
 * days, custom days) over the closed-loop figures of GET /api/alerts/stats (overall, per
 * compound, street, grid worker and rule) and alerts per day; the alerts overdue or escalated
 * right now (live); a map of the compounds from their registered coordinates, each marked by
 * its worst state in colour and shape; a sortable, filterable, paged table of the compounds
 * (live totals beside the period's figures); a wall mode (#/district?kiosk=1) that goes
 * through the compounds with critical alerts or incidents. Live state comes from a `summary`
 * subscription (no devices); the page is drawn at most once per animation frame and only what
 * changed is redrawn. A click (or Enter) on a compound opens it.
 */
import type { StatsAnswer, Figures } from '../../../../src/contracts/api.ts';
import type { CompoundSummary } from '../../../../src/contracts/live-events.ts';
import { h, fill } from '../dom.ts';
import { t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { LiveState } from '../live-state.ts';
import { follow, type Live } from '../live.client.ts';
import { errorText } from '../error-text.ts';
import { figureTiles, percent, seconds } from '../figure-tiles.ts';
import { dataTable } from '../data-table.ts';
import { overdueAlerts, renderOverdue } from '../overdue-list.ts';
import { tickCountdowns } from '../countdowns.ts';
import { loadPeople } from '../people.ts';
import { deviceNames } from '../device-names.ts';
import { learnRuleNames, loadRuleNames } from '../rule-names.ts';
import { compoundRows } from '../district-rows.ts';
import { districtTable } from '../district-table.ts';
import { districtMap } from '../district-map.ts';
import { periodPicker } from '../district-period-picker.ts';
import { trendChart } from '../district-trend.ts';
import { partyTable, ruleTable, workerTable } from '../district-breakdown.ts';
import { districtKiosk, KIOSK_EVERY_SEC } from '../district-kiosk.ts';
import type { AppContext, View } from '../app.types.ts';
import '../district.css';

/** Per street (街道): alerts, time to accept, time to arrive (mean, p90), 30分钟到达率 and SLA kept. */
function streetTable(byStreet: Record<string, Figures>, compounds: Iterable<CompoundSummary>): HTMLElement {
  const names = new Map([...compounds].map((c) => [c.street.id, c.street.name]));
  return dataTable({
    caption: t('district.streets'),
    columns: [t('street.name'), t('street.alerts'), t('street.mtta'), t('street.arrival'), t('street.arrivalP90'), t('street.arrivalRate'), t('street.sla')],
    rows: Object.entries(byStreet)
      .map(([id, f]) => ({ id, name: names.get(id) ?? id, f }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
      .map(({ id, name, f }) => ({
        attrs: { 'data-street': id },
        cells: [name, String(f.alerts), seconds(f.timeToAccept.mean), seconds(f.timeToArrive.mean), seconds(f.timeToArrive.p90), percent(f.arrivalRate), percent(f.slaKept)],
      })),
    empty: t('alerts.none'),
    testid: 'street-figures',
    rowHeader: true,
  });
}

/** `?kiosk=1&every=15` of the view's address. */
function hashQuery(): URLSearchParams {
  const at = location.hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : location.hash.slice(at + 1));
}

export function districtView(root: HTMLElement, app: AppContext): View {
  const state = new LiveState();
  let stats: StatsAnswer | undefined;
  const open = (id: string) => (location.hash = `#/compound/${encodeURIComponent(id)}`);

  const picker = periodPicker(() => void loadStats());
  const figuresEl = h('div', { 'data-testid': 'district-figures' });
  const overdueEl = h('section', { class: 'panel overdue', 'data-testid': 'overdue-panel' });
  const trendEl = h('section', { class: 'panel district-trend-panel', 'data-testid': 'trend-panel' });
  const streetsEl = h('section', { class: 'panel streets', 'data-testid': 'streets-panel' });
  const workersEl = h('section', { class: 'panel', 'data-testid': 'workers-panel' });
  const rulesEl = h('section', { class: 'panel', 'data-testid': 'rules-panel' });
  const partiesEl = h('section', { class: 'panel', 'data-testid': 'parties-panel', hidden: true });
  const table = districtTable(open, (s) => map.showPicked(s));
  const map = districtMap(open, (s) => table.showState(s));
  const query = hashQuery();
  const every = Number(query.get('every'));
  const kiosk = districtKiosk(() => history.replaceState(null, '', '#/district'), Number.isInteger(every) && every >= 3 && every <= 600 ? every : KIOSK_EVERY_SEC);
  const kioskButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'kiosk-enter', onclick: () => {
    history.replaceState(null, '', `#/district?kiosk=1${query.get('every') ? `&every=${query.get('every')}` : ''}`);
    kiosk.enter();
    render();
  } }, t('dist.kiosk'));

  fill(root,
    h('div', { class: 'view-head district-head' }, h('h1', {}, t('district.title')), picker.el, kioskButton),
    figuresEl,
    overdueEl,
    h('div', { class: 'columns district-columns' }, map.el, trendEl),
    table.el,
    streetsEl,
    h('div', { class: 'columns district-columns' }, workersEl, rulesEl),
    partiesEl,
    kiosk.el,
  );
  const people = loadPeople(app.me, () => drawStats());
  const devices = deviceNames(() => render());
  loadRuleNames(() => drawStats());

  let pending = false;
  let lateSig = '';
  let lateCount = -1;
  let first = true;
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const started = performance.now();
      learnRuleNames(state.alerts.values());
      const late = overdueAlerts(state.alerts.values());
      const overdueBy = new Map<string, number>();
      for (const a of late) overdueBy.set(a.compound, (overdueBy.get(a.compound) ?? 0) + 1);
      const rows = compoundRows(state.compounds.values(), stats?.byCompound, overdueBy);
      table.update(rows);
      map.update(rows);
      kiosk.update(rows, state.alerts.values(), { compounds: state.compounds, devices });
      const sig = late.map((a) => `${a.id}:${a.escalationLevel}:${a.assignee ?? ''}:${a.workflow}`).join(',') + `|${people.version}|${devices.version}`;
      if (sig !== lateSig) {
        lateSig = sig;
        renderOverdue(overdueEl, late, { compounds: state.compounds, people, devices });
      }
      if (late.length !== lateCount) drawTiles(late.length);
      // Streets are named by the compounds the snapshot brings: drawn again once they are known.
      if (stats && state.compounds.size !== streetsFor) drawStreets();
      // For the browser benchmark (bench/browser-dashboards.ts): how long each redraw takes, and when the first came.
      performance.measure('district-render', { start: started });
      if (first && state.compounds.size) (first = false), performance.mark('district-first-table');
    });
  };
  function drawTiles(late: number): void {
    if (!stats) return;
    lateCount = late;
    fill(figuresEl, figureTiles(stats.overall, late, t('dist.alertsIn', { period: picker.label() })));
  }
  let streetsFor = -1;
  function drawStreets(): void {
    if (!stats) return;
    streetsFor = state.compounds.size;
    fill(streetsEl, h('h2', {}, t('district.streets')), streetTable(stats.byStreet ?? {}, state.compounds.values()));
  }
  function drawStats(): void {
    if (!stats) return;
    const label = picker.label();
    drawTiles(overdueAlerts(state.alerts.values()).length);
    fill(trendEl, h('h2', {}, t('dist.trend', { period: label })), trendChart(stats, stats.perDay, label));
    drawStreets();
    fill(workersEl, h('h2', {}, t('dist.workers', { period: label })), workerTable(stats.byWorker, people, label));
    fill(rulesEl, h('h2', {}, t('dist.rules', { period: label })), ruleTable(stats.byRule, label));
    // Only where alerts were handed over to a department in the period.
    const byParty = stats.byParty ?? {};
    partiesEl.hidden = !Object.keys(byParty).length;
    fill(partiesEl, h('h2', {}, t('dist.parties', { period: label })), partyTable(byParty, people, label));
    render();
  }
  let asked = 0;
  const loadStats = () => {
    const period = picker.current();
    const mine = ++asked;
    return api<StatsAnswer>('GET', `/api/alerts/stats?from=${period.from}&to=${period.to}`)
      .then((s) => {
        // An older period's answer that came late is not shown.
        if (mine !== asked) return;
        stats = s;
        figuresEl.dataset.from = String(s.from);
        figuresEl.dataset.to = String(s.to);
        drawStats();
      })
      // An unreachable hub is what the connection light says already; the next round retries.
      .catch((error: unknown) => error instanceof TypeError || app.report(errorText(error)));
  };

  let live: Live | undefined;
  let closed = false;
  void api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds')
    .then(({ compounds }) => {
      if (closed) return;
      live = follow({ compounds: compounds.map((c) => c.id), detail: 'summary' }, state, app, {
        // New critical alerts are announced by the shell (follow()'s CriticalAnnouncer), not here.
        changed: () => render(),
      });
    })
    .catch((error: unknown) => app.report(errorText(error)));
  void loadStats();
  if (query.get('kiosk') === '1') kiosk.enter();
  const refresh = setInterval(loadStats, 60_000);
  // Clocks tick each second; an alert that just became late joins the list (and its count).
  let lateNow = 0;
  const ticker = setInterval(() => {
    tickCountdowns(state.alerts);
    const n = overdueAlerts(state.alerts.values()).length;
    if (n !== lateNow) (lateNow = n), render();
  }, 1000);
  return {
    dispose() {
      closed = true;
      clearInterval(refresh);
      clearInterval(ticker);
      kiosk.dispose();
      live?.close();
    },
  };
}
