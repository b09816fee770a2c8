/**
 * Asks before a step that cannot be taken back (disable, retire, reset, rotate): a modal
 * `<dialog>` (focus kept inside, Escape cancels), the focus back where it was afterwards.
 */
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { whileBusy } from './busy.ts';

export function confirmStep(question: string, confirmLabel: string): Promise<boolean> {
  const back = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', 'data-testid': 'confirm-cancel', onclick: () => dialog.close('no') }, t('act.cancel'));
    const ok = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'confirm-ok', onclick: () => dialog.close('yes') }, confirmLabel);
    const text = h('p', { id: 'confirm-text' }, question);
    const dialog = h('dialog', { class: 'confirm', 'data-testid': 'confirm-dialog', 'aria-labelledby': 'confirm-text' }, text, h('div', { class: 'row' }, ok, cancel));
    dialog.addEventListener('close', () => {
      dialog.remove();
      back?.focus();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: Enter on a reflex does not retire a device.
    cancel.focus();
  });
}

/** Asks, then runs `work` with `button` disabled (no double submit); a refusal goes to `failed`. */
export async function confirmedStep(button: HTMLButtonElement, question: string, confirmLabel: string, work: () => Promise<void>, failed: (error: unknown) => void): Promise<void> {
  if (!(await confirmStep(question, confirmLabel))) return;
  await whileBusy(button, [button], () => work().catch(failed));
}
