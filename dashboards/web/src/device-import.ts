/**
 * Bulk import of a compound's devices from a CSV file (header `DEVICE_CSV_COLUMNS`): all rows
 * or none. A refusal lists each wrong row's problems and says that nothing was added.
 */
import { DEVICE_CSV_COLUMNS, type CreatedDevicesAnswer, type ImportErrorsAnswer } from '../../../src/contracts/admin.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { apiCsv, ApiError } from './api.client.ts';
import { section, uid } from './form-kit.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { errorBox, issueList } from './error-box.ts';
import { dataTable } from './data-table.ts';
import { downloadButton, toCsv } from './csv-file.ts';

const TEMPLATE = () => toCsv([[...DEVICE_CSV_COLUMNS], ['elevator', 'elev-09', '9号楼 1号电梯', 'b9', 'north', 60, 40, 20]]);

function rowsTable(rows: ImportErrorsAnswer['rows']): HTMLElement {
  return dataTable({
    caption: t('imp.caption'),
    columns: [t('imp.row'), t('imp.problem')],
    empty: '—',
    testid: 'import-errors',
    rowHeader: true,
    rows: rows.map((r) => ({
      attrs: { 'data-row': String(r.row) },
      cells: [String(r.row), issueList(r.issues, 'import-issue')],
    })),
  });
}

export function importSection(compound: string, imported: (answer: CreatedDevicesAnswer) => void): HTMLElement {
  const hintId = uid('imp-hint');
  const fileId = uid('imp-file');
  const chosen = h('span', { class: 'muted', 'data-testid': 'import-file-name' }, t('imp.noFile'));
  // The browser's own file button speaks the browser's language: the input is kept (focusable, hidden from sight) behind a label of ours.
  const file = h('input', { id: fileId, type: 'file', class: 'file-input', accept: '.csv,text/csv', required: true, 'aria-describedby': hintId, 'data-testid': 'import-file', onchange: () => (chosen.textContent = file.files?.[0]?.name ?? t('imp.noFile')) });
  const errors = errorBox('import-error');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'import-submit' }, t('imp.submit'));
  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'import-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      void whileBusy(form, buttonsOf(form), async () => {
        const csv = (await file.files?.[0]?.text()) ?? '';
        if (!csv.trim()) return errors.say(t('imp.empty'));
        try {
          const answer = await apiCsv<CreatedDevicesAnswer>(`/api/admin/compounds/${encodeURIComponent(compound)}/devices/import`, csv);
          file.value = '';
          chosen.textContent = t('imp.noFile');
          imported(answer);
        } catch (error) {
          const rows = error instanceof ApiError ? (error.body as Partial<ImportErrorsAnswer>).rows : undefined;
          if (Array.isArray(rows) && rows.length) errors.say(t('imp.refused'), rowsTable(rows));
          else errors.show(error, error instanceof ApiError && error.status === 400 ? t('imp.refused') : undefined);
        }
      });
    },
  },
    h('div', { class: 'field' },
      h('span', { class: 'hint' }, t('imp.file')),
      h('div', { class: 'file-pick' }, file, h('label', { for: fileId, class: 'button' }, t('imp.choose')), chosen),
    ),
    h('p', { class: 'hint', id: hintId }, t('imp.header', { columns: DEVICE_CSV_COLUMNS.join(',') })),
    errors.el,
    h('div', { class: 'row' }, submit, downloadButton(t('imp.template'), 'devices-template.csv', TEMPLATE, 'import-template')),
  );
  return section(t('imp.title'), 'import-panel', form);
}
