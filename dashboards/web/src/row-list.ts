/**
 * A list of rows edited in place (a compound's contacts, its buildings, its zones): each row is
 * a fieldset numbered in its legend, with a Remove button named for it; an Add button appends
 * one and puts the focus in it; removing one puts the focus back on Add.
 */
import { h, fill } from './dom.ts';

/** The controls of one row and what they hold (undefined: the row is left empty, skip it). */
export interface RowControls<T> {
  controls: HTMLElement[];
  /** The control that takes the focus when the row is added. */
  first: HTMLElement;
  read(): T | undefined;
}

export interface RowListSpec<T> {
  /** `contact` → `contact-row`, `contact-remove`, `contact-add`; the fieldsets get `choices ${testid}`. */
  testid: string;
  legend(n: number): string;
  removeLabel(n: number): string;
  remove: string;
  add: string;
  /** Said when there are no rows. */
  none: string;
  row(item: T | undefined): RowControls<T>;
}

export interface RowList<T> {
  /** The rows (or the "none" line). */
  list: HTMLElement;
  addButton: HTMLButtonElement;
  /** The rows' values, empty rows left out. */
  values(): T[];
}

export function rowList<T>(spec: RowListSpec<T>, items: readonly T[] = []): RowList<T> {
  const list = h('div', { class: 'edit-rows', 'data-testid': `${spec.testid}-rows` });
  let rows: Array<{ el: HTMLElement; remove: HTMLButtonElement; read(): T | undefined }> = [];
  const redraw = () => {
    rows.forEach((r, i) => {
      r.el.querySelector('legend')!.textContent = spec.legend(i + 1);
      r.remove.setAttribute('aria-label', spec.removeLabel(i + 1));
    });
    fill(list, rows.length ? rows.map((r) => r.el) : h('p', { class: 'muted' }, spec.none));
  };
  const addRow = (item?: T): HTMLElement => {
    const { controls, first, read } = spec.row(item);
    const remove = h('button', { type: 'button', 'data-testid': `${spec.testid}-remove`, onclick: () => ((rows = rows.filter((r) => r !== row)), redraw(), addButton.focus()) }, spec.remove);
    const row = { el: h('fieldset', { class: `choices edit-row ${spec.testid}`, 'data-testid': `${spec.testid}-row` }, h('legend', {}), ...controls, remove), remove, read };
    rows.push(row);
    return first;
  };
  const addButton = h('button', { type: 'button', 'data-testid': `${spec.testid}-add`, onclick: () => { const first = addRow(); redraw(); first.focus(); } }, spec.add);
  for (const item of items) addRow(item);
  redraw();
  return { list, addButton, values: () => rows.map((r) => r.read()).filter((v): v is T => v !== undefined) };
}
