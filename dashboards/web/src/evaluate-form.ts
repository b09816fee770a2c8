/**
 * Evaluate (评价) a closed alert: a score 1–5 as a group of radio buttons named in words
 * (很不满意 … 很满意), and an optional comment, in the card. Keyboard-usable (arrow keys move
 * within the group); Escape cancels. The hub takes one rating per party.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { api } from './api.client.ts';
import { errorText } from './error-text.ts';
import { formError } from './note-form.ts';

export function openEvaluateForm(forms: HTMLElement, alert: Alert, report: (message: string) => void): void {
  const names = t('evaluate.scoreNames').split(',');
  const group = `evaluate-${alert.id}`;
  const commentId = `evaluate-comment-${alert.id}`;
  const radios = [1, 2, 3, 4, 5].map((n) => h('input', { type: 'radio', name: group, value: String(n), required: true, 'data-testid': `evaluate-score-${n}` }));
  const comment = h('textarea', { id: commentId, rows: 2, maxlength: 500, 'data-testid': 'evaluate-comment' });
  const error = formError('evaluate');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'evaluate-submit' }, t('act.send'));
  const cancel = () => fill(forms);
  const form = h(
    'form',
    {
      class: 'note-form evaluate-form',
      'data-testid': 'evaluate-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const picked = radios.find((r) => r.checked);
        if (!picked) {
          error.textContent = t('evaluate.pick');
          return;
        }
        submit.disabled = true;
        try {
          await api('POST', `/api/alerts/${alert.id}/evaluate`, { score: Number(picked.value), ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
          fill(forms);
          report(t('evaluate.sent'));
        } catch (err) {
          error.textContent = errorText(err);
          submit.disabled = false;
        }
      },
      onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
    },
    h('fieldset', { class: 'score-group' },
      h('legend', {}, t('evaluate.label')),
      ...radios.map((radio, i) => h('label', { class: 'score' }, radio, ` ${t('evaluate.score', { n: i + 1 })} ${names[i] ?? ''}`)),
    ),
    h('label', { for: commentId }, t('evaluate.comment')),
    comment,
    error,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: cancel }, t('act.cancel'))),
  );
  fill(forms, form);
  radios[0]!.focus();
}
