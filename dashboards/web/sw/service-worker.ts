/**
 * The app's service worker (built by vite-plugin-pwa's injectManifest into /service-worker.js,
 * scope `/`). It precaches the app shell this build lists (page, scripts, styles, icons), so
 * the app opens without the hub; page navigations get that shell. It never answers from a
 * cache for the hub's API, socket or own pages: what a worker sees offline is the list the page
 * itself kept (worker-copy.ts). A new build installs beside the old one and waits until the
 * page says to take over (its "update" button), then the old build's caches are dropped.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { openNotifiedAlert } from './notification-click.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first install takes the open pages at once (they work offline without a reload).
clientsClaim();

/** Paths of the hub itself, never the app shell (the residents' building notice, report form and receipt are pages of their own, fetched fresh). */
const HUB_PATHS = [/^\/api\//, /^\/socket\.io\//, /^\/docs\b/, /^\/metrics\b/, /^\/healthz\b/, /^\/readyz\b/, /^\/notice\//, /^\/report-form\//, /^\/report\//];
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: HUB_PATHS }));

self.addEventListener('message', (event) => {
  // workbox-window's messageSkipWaiting(), sent when the user chose to update.
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('notificationclick', (event) => event.waitUntil(openNotifiedAlert(self, event.notification)));
