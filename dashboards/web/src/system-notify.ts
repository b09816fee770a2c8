/**
 * The system notification for an alert handed to the worker while the app is in the background,
 * shown through the service worker's registration (its click then reaches the app even when the
 * page is gone, sw/notification-click.ts): 紧急 · 电梯困人, then what happened to it for them
 * (新告警, 已升级，由你处理 …) and where. One per alert (`tag` = the alert id): a newer one replaces
 * it and rings again; it vibrates, is never silent, and a critical one stays until acted on.
 */
import type { AlertNotificationData } from '../sw/messages.ts';
import type { AlertNews } from './notify-events.ts';
import { currentLang, tOf } from './i18n.ts';
import { alertName } from './rule-names.ts';
import { VIBRATION } from './alert-sound.ts';

/** What Chromium on a phone also takes (not in TypeScript's DOM library). */
interface PhoneNotificationOptions extends NotificationOptions {
  renotify?: boolean;
  vibrate?: number[];
  timestamp?: number;
}

export function alertNotification({ alert, event }: AlertNews, where: string): { title: string; options: PhoneNotificationOptions } {
  const data: AlertNotificationData = { alertId: alert.id };
  return {
    title: `${tOf('sev', alert.severity)} · ${alertName(alert)}`,
    options: {
      body: `${tOf('notify', event.kind)} · ${where}`,
      tag: alert.id,
      renotify: true,
      silent: false,
      requireInteraction: alert.severity === 'critical',
      vibrate: VIBRATION,
      timestamp: event.at,
      lang: currentLang() === 'zh' ? 'zh-CN' : 'en',
      icon: '/icons/icon-192.png',
      data,
    },
  };
}

/** Whether the page may show system notifications now. */
export const notificationsAllowed = (): boolean => 'Notification' in window && Notification.permission === 'granted';

export async function showAlertNotification(registration: ServiceWorkerRegistration, news: AlertNews, where: string): Promise<void> {
  const { title, options } = alertNotification(news, where);
  await registration.showNotification(title, options);
}
