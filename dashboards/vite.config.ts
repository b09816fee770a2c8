/** Builds the dashboards (dashboards/web) into dashboards/dist, which the hub serves at `/`. */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const hub = process.env.HUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  // `npm run dev:dashboards` with a hub running: live reload against its API and socket.
  server: { proxy: { '/api': hub, '/socket.io': { target: hub, ws: true } } },
});
