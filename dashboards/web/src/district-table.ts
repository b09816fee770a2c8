/**
 * The district's compounds as a table for hundreds of rows: a text filter, a street and a
 * state filter, sort by clicking a column header (aria-sort says how), 50 rows a page. Rows
 * are kept by compound and redrawn only when their values change, so a live update touches a
 * few cells and the keyboard focus stays where it was. A click on a row (or Enter on it, or
 * its link) opens the compound.
 */
import { h, fill } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { percent, seconds } from './figure-tiles.ts';
import {
  COMPOUND_STATES,
  FIRST_DIR,
  SEVERITIES,
  filterRows,
  pageRows,
  sortRows,
  streetsOf,
  type CompoundRow,
  type CompoundState,
  type SortKey,
  type SortOrder,
} from './district-rows.ts';
import { markIcon, stateText } from './district-marks.ts';

export const PAGE_SIZE = 50;

interface Column {
  key: SortKey;
  label: () => string;
  cell(row: CompoundRow): HTMLElement;
}

const num = (n: number, testid?: string, alarm = false) => h('td', { class: `num${alarm && n > 0 ? ' alarm' : ''}`, ...(testid ? { 'data-testid': testid } : {}) }, String(n));

const COLUMNS: Column[] = [
  { key: 'state', label: () => t('dist.col.state'), cell: (r) => h('td', { class: 'state', 'data-testid': 'compound-state' }, markIcon(r.state), h('span', {}, stateText(r.state))) },
  {
    key: 'name',
    label: () => t('dist.col.name'),
    cell: (r) =>
      h('th', { scope: 'row' },
        h('a', { href: `#/compound/${encodeURIComponent(r.id)}`, 'data-testid': 'compound-link' }, r.name),
        h('span', { class: 'muted small' }, r.community.name),
      ),
  },
  { key: 'street', label: () => t('dist.col.street'), cell: (r) => h('td', { 'data-testid': 'compound-street' }, r.street.name) },
  {
    key: 'online',
    label: () => t('dist.col.online'),
    cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-online', 'data-online': r.online, 'data-count': r.deviceCount }, t('dist.onlineCell', { share: percent(r.onlineShare), online: r.online, count: r.deviceCount })),
  },
  ...SEVERITIES.map((s): Column => ({ key: s, label: () => tOf('sev', s), cell: (r) => num(r.open[s], `compound-open-${s}`, s === 'critical' || s === 'major') })),
  { key: 'overdue', label: () => t('dist.col.overdue'), cell: (r) => num(r.overdue, 'compound-overdue', true) },
  { key: 'mtta', label: () => t('dist.col.mtta'), cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-mtta' }, seconds(r.mtta)) },
  { key: 'mttr', label: () => t('dist.col.mttr'), cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-mttr' }, seconds(r.mttr)) },
  { key: 'sla', label: () => t('dist.col.sla'), cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-sla' }, percent(r.slaKept)) },
  { key: 'arrival', label: () => t('dist.col.arrival'), cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-arrival', 'data-rate': r.arrivalRate ?? '' }, percent(r.arrivalRate)) },
  { key: 'satisfaction', label: () => t('dist.col.satisfaction'), cell: (r) => h('td', { class: 'num', 'data-testid': 'compound-satisfaction' }, r.satisfaction === null ? '–' : t('stats.satisfactionValue', { mean: r.satisfaction.toFixed(1) })) },
];

/** What a row shows: it is redrawn only when this changes. */
const signature = (r: CompoundRow) =>
  [r.name, r.street.name, r.community.name, r.state, r.online, r.deviceCount, ...SEVERITIES.map((s) => r.open[s]), r.overdue, r.mtta, r.mttr, r.slaKept, r.arrivalRate, r.satisfaction].join('|');

export interface DistrictTable {
  readonly el: HTMLElement;
  /** All the district's rows: the table filters, sorts and pages them. */
  update(rows: readonly CompoundRow[]): void;
  /** Shows only compounds in this state (the map's legend), or all. */
  showState(state: CompoundState | undefined): void;
}

/** `stateChosen`: the state filter was changed here (the map's legend shows it). */
export function districtTable(open: (id: string) => void, stateChosen: (state: CompoundState | undefined) => void = () => undefined): DistrictTable {
  let order: SortOrder = { key: 'state', dir: 'asc' };
  let page = 0;
  let all: readonly CompoundRow[] = [];
  const kept = new Map<string, { tr: HTMLTableRowElement; sig: string }>();

  const search = h('input', { type: 'search', id: 'district-q', 'data-testid': 'district-search', placeholder: t('dist.filter.qHint'), autocomplete: 'off' });
  const street = h('select', { id: 'district-street', 'data-testid': 'district-street' });
  const state = h('select', { id: 'district-state', 'data-testid': 'district-state' },
    h('option', { value: '' }, t('dist.filter.allStates')),
    ...COMPOUND_STATES.map((s) => h('option', { value: s }, stateText(s))),
  );
  const headCells = new Map<SortKey, HTMLTableCellElement>();
  const head = h('tr', {}, ...COLUMNS.map((c) => {
    const th = h('th', { scope: 'col', 'aria-sort': 'none', 'data-sort': c.key },
      h('button', { type: 'button', class: 'sort', 'data-testid': `sort-${c.key}`, title: t('dist.sortBy', { column: c.label() }), onclick: () => sortBy(c.key) }, c.label(), h('span', { class: 'sort-mark', 'aria-hidden': 'true' })),
    );
    headCells.set(c.key, th);
    return th;
  }));
  const body = h('tbody', {});
  const table = h('table', { class: 'data district-table', 'data-testid': 'district-table' }, h('caption', { class: 'visually-hidden' }, t('dist.table')), h('thead', {}, head), body);
  const status = h('span', { class: 'pager-status', role: 'status', 'data-testid': 'district-page' });
  const prev = h('button', { type: 'button', class: 'secondary', 'data-testid': 'district-prev', onclick: () => turn(-1) }, t('dist.prev'));
  const next = h('button', { type: 'button', class: 'secondary', 'data-testid': 'district-next', onclick: () => turn(1) }, t('dist.next'));
  const el = h('section', { class: 'panel district-compounds', 'data-testid': 'district-compounds', 'aria-labelledby': 'district-table-title' },
    h('h2', { id: 'district-table-title' }, t('dist.table')),
    h('div', { class: 'filters' },
      h('label', { for: 'district-q' }, t('dist.filter.q'), search),
      h('label', { for: 'district-street' }, t('dist.filter.street'), street),
      h('label', { for: 'district-state' }, t('dist.filter.state'), state),
    ),
    h('div', { class: 'table-wrap', role: 'region', tabindex: 0, 'aria-label': t('adm.tableScroll', { caption: t('dist.table') }) }, table),
    h('div', { class: 'pager' }, prev, status, next),
  );

  search.addEventListener('input', () => ((page = 0), draw()));
  street.addEventListener('change', () => ((page = 0), draw()));
  state.addEventListener('change', () => {
    page = 0;
    stateChosen((state.value || undefined) as CompoundState | undefined);
    draw();
  });

  function sortBy(key: SortKey): void {
    order = order.key === key ? { key, dir: order.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: FIRST_DIR[key] };
    page = 0;
    draw();
  }
  function turn(by: number): void {
    page += by;
    draw();
  }

  function rowFor(r: CompoundRow): HTMLTableRowElement {
    const sig = signature(r);
    let entry = kept.get(r.id);
    if (!entry) {
      const tr = h('tr', { 'data-testid': 'compound-row', 'data-compound': r.id, tabindex: 0 });
      tr.addEventListener('click', (event) => {
        if ((event.target as Element).closest('a')) return;
        open(r.id);
      });
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && event.target === tr) open(r.id);
      });
      kept.set(r.id, (entry = { tr, sig: '' }));
    }
    if (entry.sig !== sig) {
      const tr = entry.tr;
      const focused = tr.contains(document.activeElement) && document.activeElement !== tr ? (document.activeElement as HTMLElement).dataset.testid : undefined;
      tr.dataset.state = r.state;
      tr.setAttribute('aria-label', `${r.name} · ${stateText(r.state)}`);
      fill(tr, COLUMNS.map((c) => c.cell(r)));
      if (focused) tr.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
      entry.sig = sig;
    }
    return entry.tr;
  }

  function fillStreets(): void {
    const streets = streetsOf(all);
    if (street.options.length === streets.length + 1) return;
    const chosen = street.value;
    fill(street, h('option', { value: '' }, t('dist.filter.allStreets')), ...streets.map((s) => h('option', { value: s.id }, s.name)));
    street.value = chosen;
  }

  function draw(): void {
    fillStreets();
    for (const [key, th] of headCells) th.setAttribute('aria-sort', key === order.key ? (order.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    const shown = filterRows(all, { q: search.value, street: street.value, ...(state.value ? { state: state.value as CompoundState } : {}) });
    const p = pageRows(sortRows(shown, order), page, PAGE_SIZE);
    page = p.page;
    const rows = p.rows.map(rowFor);
    const current = [...body.children];
    if (rows.length !== current.length || rows.some((tr, i) => current[i] !== tr)) {
      const focused = document.activeElement instanceof HTMLElement && body.contains(document.activeElement) ? document.activeElement : undefined;
      if (rows.length) body.replaceChildren(...rows);
      else body.replaceChildren(h('tr', { 'data-testid': 'district-table-empty' }, h('td', { colspan: COLUMNS.length, class: 'muted' }, t('dist.none'))));
      if (focused?.isConnected && document.activeElement !== focused) focused.focus();
    }
    // Rows not shown now are dropped; they are made again when they come back.
    if (kept.size > PAGE_SIZE * 2) for (const [id, entry] of kept) if (!entry.tr.isConnected) kept.delete(id);
    status.textContent = p.total ? t('dist.page', { first: p.first, last: p.last, total: p.total }) : t('dist.pageNone');
    prev.disabled = p.page === 0;
    next.disabled = p.page >= p.pages - 1;
  }

  return {
    el,
    update(rows) {
      all = rows;
      draw();
    },
    showState(s) {
      state.value = s ?? '';
      page = 0;
      draw();
    },
  };
}
