/**
 * A secret shown once (a one-time password, device secrets): a warning that it is shown only
 * now, copy buttons, and a close button. The hub keeps no way to show it again.
 */
import { h, fill, type Child } from './dom.ts';
import { t } from './i18n.ts';

/** Copies `value`; the clipboard API needs a secure context, so a hidden selection is the fallback. */
async function copyText(value: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    const area = h('textarea', { readonly: true, 'aria-hidden': 'true', class: 'offscreen' });
    area.value = value;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/** A copy button for `value`, named for screen readers by `what`; the result is said in `status`. */
export function copyButton(value: string, what: string, status: HTMLElement, testid = 'copy'): HTMLButtonElement {
  return h('button', {
    type: 'button',
    class: 'copy',
    'aria-label': t('adm.copyLabel', { what }),
    'data-testid': testid,
    onclick: async () => (status.textContent = (await copyText(value)) ? t('adm.copied', { what }) : t('adm.copyFailed')),
  }, t('adm.copy'));
}

/** The value as selectable code, with its copy button. */
export function secretValue(value: string, what: string, status: HTMLElement, testid: string): HTMLElement {
  return h('span', { class: 'secret' }, h('code', { 'data-testid': testid }, value), copyButton(value, what, status, `${testid}-copy`));
}

/**
 * Fills `host` with the panel and moves the focus to its title; `body` gets the live status
 * element for its copy buttons. Closing empties `host`.
 */
export function showOnce(host: HTMLElement, title: string, body: (status: HTMLElement) => Child[], testid = 'once-panel'): void {
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const heading = h('h2', { tabindex: -1 }, title);
  fill(host, h('section', { class: 'panel once', 'data-testid': testid, 'aria-label': title },
    heading,
    h('p', { class: 'once-warning', 'data-testid': 'once-warning' }, t('adm.onceWarning')),
    ...body(status),
    status,
    h('button', { type: 'button', class: 'primary', 'data-testid': 'once-close', onclick: () => fill(host) }, t('adm.onceDone')),
  ));
  heading.focus();
}
