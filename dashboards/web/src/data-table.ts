/**
 * A table with a caption and column headers, in a box that scrolls sideways on a phone (a
 * focusable region, so it scrolls by keyboard too). Each row has a testid and its own data.
 */
import { h, type Child } from './dom.ts';
import { t } from './i18n.ts';

export interface TableRow {
  cells: Array<Child | Child[]>;
  attrs?: Record<string, string | undefined>;
}

export interface TableSpec {
  caption: string;
  columns: string[];
  rows: TableRow[];
  /** Said in a single row when there are none. */
  empty: string;
  /** `data-testid` of the table; its rows get `${testid}-row`. */
  testid: string;
  /** The first cell is the row's header (the thing each row is about). */
  rowHeader?: boolean;
}

export function dataTable(spec: TableSpec): HTMLElement {
  const body = spec.rows.length
    ? spec.rows.map((row) =>
        h('tr', { 'data-testid': `${spec.testid}-row`, ...row.attrs }, ...row.cells.map((cell, i) => (i === 0 && spec.rowHeader ? h('th', { scope: 'row' }, cell) : h('td', {}, cell)))),
      )
    : [h('tr', { 'data-testid': `${spec.testid}-empty` }, h('td', { colspan: spec.columns.length, class: 'muted' }, spec.empty))];
  return h('div', { class: 'table-wrap', role: 'region', tabindex: 0, 'aria-label': t('adm.tableScroll', { caption: spec.caption }) },
    h('table', { class: 'data', 'data-testid': spec.testid },
      h('caption', {}, spec.caption),
      h('thead', {}, h('tr', {}, ...spec.columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...body),
    ),
  );
}

/**
 * After a table was drawn again under a control that had the focus: the focus back in the same
 * row (the first of `testids` still there, else its first button, else the row itself). Leaves
 * the focus alone when it is somewhere else already (a one-time panel took it).
 */
export function refocusRow(host: HTMLElement, rowSelector: string, testids: string[] = []): void {
  if (document.activeElement && document.activeElement !== document.body) return;
  const row = host.querySelector<HTMLElement>(rowSelector);
  if (!row) return;
  const target = testids.map((id) => row.querySelector<HTMLElement>(`[data-testid="${id}"]`)).find(Boolean) ?? row.querySelector<HTMLElement>('button');
  if (target) return target.focus();
  const cell = row.firstElementChild as HTMLElement | null;
  if (cell) (cell.tabIndex = -1), cell.focus();
}
