/** The worker view's mark while the hub cannot be reached: 离线 · 最后更新 14:30 over the list kept from before. */
import { h } from './dom.ts';
import { t, until } from './i18n.ts';

export interface OfflineMark {
  el: HTMLElement;
  /** Offline, the list known as of `at` (none known yet: undefined). */
  show(at: number | undefined): void;
  hide(): void;
}

export function offlineMark(): OfflineMark {
  const el = h('p', { class: 'offline-mark', role: 'status', 'data-testid': 'offline-mark', hidden: true });
  return {
    el,
    show(at) {
      el.textContent = at === undefined ? t('offline.never') : t('offline.since', { time: until(at) });
      if (at !== undefined) el.dataset.at = String(at);
      el.hidden = false;
    },
    hide() {
      el.hidden = true;
    },
  };
}
