/**
 * The web app manifest (manifest.webmanifest, linked from index.html): the app a grid worker
 * installs on a phone opens on their alerts (#/worker), standalone, in the brand colours. The
 * scope is the whole app, so the login page and the worker view stay inside it.
 */
import type { ManifestOptions } from 'vite-plugin-pwa';

const BRAND = '#0f5b8c';
const BACKGROUND = '#f3f6f9';

export const workerAppManifest: Partial<ManifestOptions> = {
  // Its identity: the origin's root (start_url without its fragment).
  id: '/',
  name: '网格员 · Compound Hub',
  short_name: '网格员',
  description: '智慧小区告警：接单、到场、处置 · Compound Hub alerts for grid workers',
  lang: 'zh-CN',
  dir: 'ltr',
  start_url: '/#/worker',
  scope: '/',
  display: 'standalone',
  orientation: 'portrait',
  theme_color: BRAND,
  background_color: BACKGROUND,
  categories: ['utilities', 'productivity'],
  icons: [
    { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
    { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
};
