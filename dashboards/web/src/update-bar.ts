/** A new build of the app is ready: a bar at the foot of the page with the button that takes it (the page reloads once). */
import { h } from './dom.ts';
import { t } from './i18n.ts';

export function showUpdateBar(apply: () => void): void {
  if (document.querySelector('[data-testid="update-bar"]')) return;
  document.body.append(
    h('div', { class: 'update-bar', role: 'status', 'data-testid': 'update-bar' },
      h('span', {}, t('update.ready')),
      h('button', { type: 'button', class: 'primary', 'data-testid': 'update-apply', onclick: apply }, t('update.apply')),
    ),
  );
}
