/**
 * A click on an alert's system notification: the app comes to the front on that alert. An open
 * window of the app is focused and told which alert (it scrolls to the card); with none open, a
 * new one opens on the worker view at that alert.
 */
import { alertUrl, type AlertNotificationData, type OpenAlertMessage } from './messages.ts';

function alertIdOf(notification: Notification): string | undefined {
  const data = notification.data as Partial<AlertNotificationData> | null;
  return typeof data?.alertId === 'string' ? data.alertId : undefined;
}

export async function openNotifiedAlert(sw: ServiceWorkerGlobalScope, notification: Notification): Promise<void> {
  notification.close();
  const alertId = alertIdOf(notification);
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((c) => c.focused) ?? windows.find((c) => c.visibilityState === 'visible') ?? windows[0];
  if (!client) {
    await sw.clients.openWindow(alertId ? alertUrl(alertId) : '/#/worker');
    return;
  }
  const focused = await client.focus();
  if (alertId) focused.postMessage({ kind: 'open-alert', alertId } satisfies OpenAlertMessage);
}
