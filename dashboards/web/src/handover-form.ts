/**
 * Hand over (流转) an alert by hand: pick one of the parties that cover its compound (a street
 * department: fire safety desk, elevator safety desk) and say why, in the card. Labelled,
 * keyboard-usable; Escape cancels.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { api } from './api.client.ts';
import { errorText } from './error-text.ts';
import { formError } from './note-form.ts';
import type { People } from './people.ts';

export function openHandoverForm(forms: HTMLElement, alert: Alert, people: People, report: (message: string) => void): void {
  const selectId = `handover-${alert.id}`;
  const noteId = `handover-note-${alert.id}`;
  const targets = people.partiesOf(alert.compound).filter((p) => p.id !== alert.parties?.at(-1));
  const select = h(
    'select',
    { id: selectId, required: true, 'data-testid': 'handover-select' },
    ...(targets.length ? [h('option', { value: '' }, '—'), ...targets.map((p) => h('option', { value: p.id }, `${people.party(p.id)} · ${tOf('party.kind', p.kind)}`))] : [h('option', { value: '' }, t('handover.none'))]),
  );
  const note = h('textarea', { id: noteId, rows: 2, maxlength: 2000, 'data-testid': 'handover-note' });
  const error = formError('handover');
  const submit = h('button', { type: 'submit', class: 'primary', disabled: !targets.length, 'data-testid': 'handover-submit' }, t('act.handover'));
  const cancel = () => fill(forms);
  const form = h(
    'form',
    {
      class: 'note-form',
      'data-testid': 'handover-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!select.value) return;
        submit.disabled = true;
        try {
          await api('POST', `/api/alerts/${alert.id}/handover`, { party: select.value, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
          fill(forms);
          report(t('handover.with', { party: people.party(select.value) }));
        } catch (err) {
          error.textContent = errorText(err);
          submit.disabled = false;
          select.focus();
        }
      },
      onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
    },
    h('label', { for: selectId }, t('handover.label')),
    select,
    h('label', { for: noteId }, t('handover.note')),
    note,
    error,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: cancel }, t('act.cancel'))),
  );
  fill(forms, form);
  select.focus();
}
