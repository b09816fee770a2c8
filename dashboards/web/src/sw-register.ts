/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Registers the app's service worker (sw/service-worker.ts, scope `/`) through vite-plugin-pwa's
 * register (workbox-window). A new build waits until the user chooses to update (`onUpdate`
 * gets the step that does it: the new worker takes over and the page reloads once), so a note
 * being typed is never lost to an update.
 */
import { registerSW } from 'virtual:pwa-register';

export const serviceWorkers = (): ServiceWorkerContainer | undefined => ('serviceWorker' in navigator ? navigator.serviceWorker : undefined);

export function registerAppWorker(onUpdate: (apply: () => void) => void): void {
  if (!serviceWorkers()) return;
  const update = registerSW({
    immediate: true,
    onNeedRefresh: () => onUpdate(() => void update(true)),
    // Without a worker the app still runs online (no offline shell, no notifications).
    onRegisterError: () => undefined,
  });
}

/** The registration that shows system notifications, once a worker is active (none where the browser has no service workers). */
export async function appRegistration(): Promise<ServiceWorkerRegistration | undefined> {
  const container = serviceWorkers();
  if (!container) return undefined;
  const registration = await container.getRegistration('/');
  return registration?.active ? registration : undefined;
}
