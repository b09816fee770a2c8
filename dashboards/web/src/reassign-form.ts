/**
 * Reassign an alert: pick one of the people who may act on it (`GET /api/alerts/{id}/assignees`),
 * by name and role, in the card. Labelled, keyboard-usable; Escape cancels.
 */
import type { PeopleAnswer } from '../../../src/contracts/api.ts';
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { api } from './api.client.ts';
import { errorText } from './error-text.ts';
import { formError } from './note-form.ts';

export function openReassignForm(forms: HTMLElement, alert: Alert, report: (message: string) => void): void {
  const selectId = `reassign-${alert.id}`;
  const select = h('select', { id: selectId, required: true, disabled: true, 'data-testid': 'reassign-select' }, h('option', { value: '' }, t('reassign.loading')));
  const error = formError('reassign');
  const submit = h('button', { type: 'submit', class: 'primary', disabled: true, 'data-testid': 'reassign-submit' }, t('act.reassign'));
  const cancel = () => fill(forms);
  const form = h(
    'form',
    {
      class: 'note-form',
      'data-testid': 'reassign-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!select.value) return;
        const who = select.selectedOptions[0]?.dataset.name ?? select.value;
        submit.disabled = true;
        try {
          await api('POST', `/api/alerts/${alert.id}/reassign`, { assignee: select.value });
          fill(forms);
          report(t('reassign.done', { who }));
        } catch (err) {
          error.textContent = errorText(err);
          submit.disabled = false;
          // Pick again (the disabled button lost the focus).
          select.focus();
        }
      },
      onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
    },
    h('label', { for: selectId }, t('reassign.label')),
    select,
    error,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', 'data-testid': 'reassign-cancel', onclick: cancel }, t('act.cancel'))),
  );
  fill(forms, form);
  void api<PeopleAnswer>('GET', `/api/alerts/${alert.id}/assignees`).then(
    ({ people }) => {
      const others = people.filter((p) => p.id !== alert.assignee);
      if (!others.length) return fill(select, h('option', { value: '' }, t('reassign.none')));
      fill(select, h('option', { value: '' }, '—'), ...others.map((p) => h('option', { value: p.id, 'data-name': p.name }, `${p.name} · ${tOf('role', p.role)}`)));
      select.disabled = false;
      submit.disabled = false;
      select.focus();
    },
    (err: unknown) => (error.textContent = errorText(err)),
  );
}
