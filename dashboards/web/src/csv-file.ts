/** CSV written in the browser (device secrets, an import template) and offered as a file download. */
import { h } from './dom.ts';

const cell = (value: string | number | undefined): string => {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** A button that saves `csv()` as `filename` (made when clicked, so it is never kept in a link). */
export function downloadButton(label: string, filename: string, csv: () => string, testid: string): HTMLButtonElement {
  return h('button', {
    type: 'button',
    'data-testid': testid,
    onclick: () => {
      // A byte-order mark so that spreadsheet programs read the Chinese names as UTF-8.
      const url = URL.createObjectURL(new Blob(['\uFEFF', csv()], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { href: url, download: filename, class: 'offscreen' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  }, label);
}
