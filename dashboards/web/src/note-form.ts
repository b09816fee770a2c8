/** A short in-card form with one note, required (resolve, reopen, comment, a forced close) or not (spam): Escape cancels. */
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';

export interface NoteFormOptions {
  placeholder: string;
  testid: string;
  /** Said above the note (why it is needed). */
  explain?: string;
  /** The note may be left empty (marking a report as spam). */
  optional?: boolean;
  submit(note: string): void;
}

export function openNoteForm(forms: HTMLElement, o: NoteFormOptions): void {
  const explainId = `${o.testid}-explain-${Math.random().toString(36).slice(2, 8)}`;
  const note = h('textarea', { rows: 3, placeholder: o.placeholder, 'aria-label': o.placeholder, 'aria-describedby': o.explain ? explainId : undefined, 'data-testid': `${o.testid}-note`, required: !o.optional });
  const cancel = () => fill(forms);
  fill(
    forms,
    h(
      'form',
      {
        class: 'note-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          if (note.value.trim() || o.optional) o.submit(note.value.trim());
        },
        onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
      },
      o.explain ? h('p', { class: 'form-explain', id: explainId, 'data-testid': `${o.testid}-explain` }, o.explain) : null,
      note,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': `${o.testid}-submit` }, t('act.send')),
        h('button', { type: 'button', onclick: cancel }, t('act.cancel')),
      ),
    ),
  );
  note.focus();
}

/** The error line of a form: announced as it appears. */
export const formError = (testid: string) => h('p', { class: 'error', role: 'alert', 'data-testid': `${testid}-error` });
