/**
 * The worker view's 开启通知 control: the browser is asked for permission only when it is
 * tapped (a user gesture, which also unlocks the alert sound); then it says what holds:
 * notifications on, blocked in the browser's settings, or not possible in this browser.
 */
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { serviceWorkers } from './sw-register.ts';
import { unlockSound } from './alert-sound.ts';

type NotifyState = NotificationPermission | 'unsupported';

function notifyState(): NotifyState {
  return 'Notification' in window && serviceWorkers() ? Notification.permission : 'unsupported';
}

const STATE_TEXT = { granted: 'notify.on', denied: 'notify.blocked', unsupported: 'notify.unsupported' } as const;

export function notifyControl(): HTMLElement {
  const el = h('div', { class: 'notify-control', 'data-testid': 'notify-control' });
  const show = () => {
    const state = notifyState();
    el.dataset.state = state;
    if (state === 'default') fill(el, h('button', { type: 'button', class: 'primary', 'data-testid': 'notify-enable', onclick: ask }, t('notify.enable')));
    else fill(el, h('span', { class: 'muted', 'data-testid': 'notify-state' }, t(STATE_TEXT[state])));
  };
  const ask = () => {
    unlockSound();
    void Notification.requestPermission().then(show, show);
  };
  show();
  return el;
}
