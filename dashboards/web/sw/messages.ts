/** What the service worker and the pages tell each other (postMessage), shared by both sides. */

/** A notification was clicked: the page shows that alert. */
export interface OpenAlertMessage {
  kind: 'open-alert';
  alertId: string;
}

export const isOpenAlert = (data: unknown): data is OpenAlertMessage =>
  typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'open-alert' && typeof (data as { alertId?: unknown }).alertId === 'string';

/** The worker view's route at one alert (`#/worker/{id}`). */
export const alertHash = (alertId: string): string => `#/worker/${encodeURIComponent(alertId)}`;
/** The page a notification's click opens when no window of the app is open. */
export const alertUrl = (alertId: string): string => `/${alertHash(alertId)}`;

/** What a notification carries (`data`), so its click knows the alert. */
export interface AlertNotificationData {
  alertId: string;
}
