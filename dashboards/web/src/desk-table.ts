/**
 * The alert desk's table: one row per alert with names (severity, alert, compound, building and
 * device, state, who holds it, when raised), sortable column headers (buttons, with aria-sort on
 * the header sorted by), a checkbox per row and one for the whole page, and the result of the last
 * bulk step per row. In a box that scrolls sideways on a phone (like data-table.ts).
 */
import type { BulkResult, DeskRow, DeskSort } from '../../../src/contracts/alert-desk.ts';
import { h } from './dom.ts';
import { stamp, t, tOf } from './i18n.ts';
import { alertName } from './rule-names.ts';
import { deviceLabel } from './device-format.ts';
import { codeText } from './error-text.ts';
import type { People } from './people.ts';

export interface DeskTableSpec {
  rows: DeskRow[];
  sort: DeskSort;
  dir: 'asc' | 'desc';
  selected: ReadonlySet<string>;
  /** The last bulk step's outcome by alert id. */
  results: ReadonlyMap<string, BulkResult>;
  people: People;
  /** Whether rows can be selected (the user may take a bulk step). */
  selectable: boolean;
  /** The alert whose details are open. */
  openId?: string | undefined;
  onSort(sort: DeskSort): void;
  onSelect(ids: string[], on: boolean): void;
  onOpen(row: DeskRow): void;
}

/** 1号楼 1号电梯, 3号楼 · 电梯 elev-09: where the alert is, by names (a building the device's name says is not said twice). */
export function whereText(row: DeskRow): string {
  const a = row.alert;
  const device = a.incident ? '' : deviceLabel(a.type, a.device, row.deviceName ? { name: row.deviceName } : undefined);
  const building = row.buildingName ?? row.building;
  return [building && !device.includes(building) ? building : '', device].filter(Boolean).join(' · ') || '—';
}

function sortHeader(column: DeskSort, label: string, spec: DeskTableSpec): HTMLElement {
  const on = spec.sort === column;
  return h('th', { scope: 'col', 'aria-sort': on ? (spec.dir === 'asc' ? 'ascending' : 'descending') : 'none', 'data-sort': column },
    h('button', { type: 'button', class: 'sort', 'data-testid': `desk-sort-${column}`, 'aria-label': t('desk.sortBy', { column: label }), onclick: () => spec.onSort(column) },
      label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, on ? (spec.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕')),
  );
}

function resultCell(result: BulkResult | undefined): HTMLElement | string {
  if (!result) return '';
  return result.ok
    ? h('span', { class: 'desk-result ok', 'data-testid': 'desk-result', 'data-ok': 'true' }, `✓ ${t('desk.result.ok')}`)
    : h('span', { class: 'desk-result failed', 'data-testid': 'desk-result', 'data-ok': 'false', 'data-error': result.error }, `✗ ${codeText(result.error ?? 'unknown')}`);
}

export function deskTable(spec: DeskTableSpec): HTMLElement {
  const { rows, people } = spec;
  const pageIds = rows.map((r) => r.alert.id);
  const allOn = pageIds.length > 0 && pageIds.every((id) => spec.selected.has(id));
  const someOn = pageIds.some((id) => spec.selected.has(id));
  const showResults = rows.some((r) => spec.results.has(r.alert.id));
  const selectAll = h('input', { type: 'checkbox', 'data-testid': 'desk-select-page', 'aria-label': t('desk.selectPage'), checked: allOn, disabled: !pageIds.length });
  selectAll.indeterminate = someOn && !allOn;
  selectAll.addEventListener('change', () => spec.onSelect(pageIds, selectAll.checked));
  const columns = [
    spec.selectable ? h('th', { scope: 'col', class: 'pick' }, h('label', { class: 'pick-label' }, selectAll)) : null,
    sortHeader('severity', t('desk.col.severity'), spec),
    h('th', { scope: 'col' }, t('desk.col.alert')),
    sortHeader('compound', t('desk.col.compound'), spec),
    h('th', { scope: 'col' }, t('desk.col.where')),
    sortHeader('workflow', t('desk.col.workflow'), spec),
    h('th', { scope: 'col' }, t('desk.col.assignee')),
    sortHeader('raisedAt', t('desk.col.raisedAt'), spec),
    showResults ? h('th', { scope: 'col' }, t('desk.col.result')) : null,
  ];
  const body = rows.length
    ? rows.map((row) => {
        const a = row.alert;
        const name = alertName(a);
        const where = whereText(row);
        const box = h('input', { type: 'checkbox', 'data-testid': 'desk-select', 'aria-label': t('desk.selectOne', { alert: name, where }), checked: spec.selected.has(a.id) });
        box.addEventListener('change', () => spec.onSelect([a.id], box.checked));
        return h('tr', { 'data-testid': 'desk-row', 'data-alert-id': a.id, 'data-severity': a.severity, 'data-workflow': a.workflow, 'data-compound': a.compound, class: spec.openId === a.id ? 'open' : undefined },
          spec.selectable ? h('td', { class: 'pick' }, h('label', { class: 'pick-label' }, box)) : null,
          h('td', {}, h('span', { class: `badge sev-${a.severity}` }, tOf('sev', a.severity))),
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link desk-open', 'data-testid': 'desk-open', 'aria-label': t('desk.open', { alert: `${name} · ${where}` }), 'aria-expanded': spec.openId === a.id ? 'true' : 'false', onclick: () => spec.onOpen(row) }, name)),
          h('td', { 'data-testid': 'desk-compound' }, row.compoundName),
          h('td', { 'data-testid': 'desk-where' }, where),
          h('td', {}, h('span', { class: `badge wf wf-${a.workflow}`, 'data-testid': 'desk-workflow' }, tOf('wf', a.workflow))),
          h('td', { 'data-testid': 'desk-assignee' }, a.assignee ? people.name(a.assignee) : '—'),
          h('td', {}, h('time', { datetime: new Date(a.raisedAt).toISOString() }, stamp(a.raisedAt))),
          showResults ? h('td', {}, resultCell(spec.results.get(a.id))) : null,
        );
      })
    : [h('tr', { 'data-testid': 'desk-empty' }, h('td', { colspan: columns.filter(Boolean).length, class: 'muted' }, t('desk.none')))];
  return h('div', { class: 'table-wrap desk-table', role: 'region', tabindex: 0, 'aria-label': t('adm.tableScroll', { caption: t('desk.caption') }) },
    h('table', { class: 'data', 'data-testid': 'desk-table' },
      h('caption', {}, t('desk.caption')),
      h('thead', {}, h('tr', {}, ...columns)),
      h('tbody', {}, ...body),
    ),
  );
}

/** Where the focus was in the table (a row's control, or a header), to put it back after the table is drawn again. */
export function focusPlace(host: HTMLElement): (() => void) | undefined {
  const el = document.activeElement as HTMLElement | null;
  if (!el || !host.contains(el)) return undefined;
  const testid = el.dataset.testid;
  const row = el.closest<HTMLElement>('tr[data-alert-id]')?.dataset.alertId;
  return () => {
    const scope = row ? host.querySelector<HTMLElement>(`tr[data-alert-id="${CSS.escape(row)}"]`) : host;
    const target = (testid && scope?.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testid)}"]`)) || host.querySelector<HTMLElement>('.table-wrap');
    target?.focus();
  };
}
