/** Builds the dashboards (dashboards/web) into dashboards/dist, which the hub serves at `/`. */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { VitePWA } from 'vite-plugin-pwa';
import { workerAppManifest } from './worker-app.manifest.ts';

const hub = process.env.HUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
    // Three pages: the dashboards (index.html), the residents' public building notice (notice.html,
    // served at /notice/{compound}/{building}) and their report form and receipt (report.html, served
    // at /report-form/{compound}/{building} and /report/{id}), which load none of the dashboards' code.
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./web/index.html', import.meta.url)),
        notice: fileURLToPath(new URL('./web/notice.html', import.meta.url)),
        report: fileURLToPath(new URL('./web/report.html', import.meta.url)),
      },
    },
  },
  plugins: [
    // The worker phone view as an installable app: the manifest (linked from index.html) and a
    // service worker of our own (web/sw/) that precaches the app shell this build lists.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'service-worker.ts',
      // Registered by the app itself (sw-register.ts), asking before an update reloads the page.
      injectRegister: false,
      manifest: workerAppManifest,
      // The icons are in the glob below already (and the plugin adds the manifest itself).
      includeManifestIcons: false,
      injectManifest: {
        // The shell only: scripts, styles, the page, icons. Never an API answer.
        globPatterns: ['**/*.{js,css,html,png,svg}'],
      },
    }),
  ],
  // `npm run dev:dashboards` with a hub running: live reload against its API and socket.
  server: { proxy: { '/api': hub, '/socket.io': { target: hub, ws: true } } },
});
