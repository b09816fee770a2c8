/**
 * A click on an alert's system notification brings the app to the front and the service worker
 * says which alert (sw/notification-click.ts): the worker view on screen shows it; on any other
 * page the app goes to the worker view at that alert.
 */
import { alertHash, isOpenAlert } from '../sw/messages.ts';
import { serviceWorkers } from './sw-register.ts';

let shown: ((alertId: string) => void) | undefined;

/** The mounted worker view shows opened alerts itself; the returned function ends that. */
export function whenAlertOpened(show: (alertId: string) => void): () => void {
  shown = show;
  return () => {
    if (shown === show) shown = undefined;
  };
}

export function listenForOpenedAlerts(): void {
  serviceWorkers()?.addEventListener('message', (event: MessageEvent) => {
    if (!isOpenAlert(event.data)) return;
    if (shown) shown(event.data.alertId);
    else location.hash = alertHash(event.data.alertId);
  });
}
