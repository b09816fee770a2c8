/**
 * Serves the built dashboards (dashboards/dist, made by `npm run build`; `npm install`
 * builds them too) at `/`, the residents' building notice page at /notice/{compound}/{building}, and
 * their report form (/report-form/{compound}/{building}) and receipt (/report/{id}?t=…).
 * Without a build, `/` says how to make one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

export const DASHBOARDS_DIST = fileURLToPath(new URL('../../dashboards/dist', import.meta.url));

export const dashboardRoutes =
  (dist: string = DASHBOARDS_DIST): FastifyPluginAsync =>
  async (app) => {
    if (existsSync(`${dist}/index.html`)) {
      await app.register(fastifyStatic, { root: dist, index: 'index.html', wildcard: true, cacheControl: false });
      // The residents' public building notice (its QR code points here): a page of its own, no login.
      if (existsSync(`${dist}/notice.html`)) {
        app.get('/notice/:compound/:building', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('notice.html'));
      }
      // The residents' report form (linked from the notice) and the receipt a report answers: one page of their own, no login.
      if (existsSync(`${dist}/report.html`)) {
        app.get('/report-form/:compound/:building', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('report.html'));
        app.get('/report/:id', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('report.html'));
      }
      // Hashed assets never change; index.html must be fetched fresh.
      app.addHook('onSend', async (request, reply) => {
        if (request.url.startsWith('/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
        else if (!request.url.startsWith('/api/')) reply.header('cache-control', 'no-cache');
      });
      return;
    }
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      reply.code(503).type('text/plain; charset=utf-8');
      return 'The dashboards are not built. Run `npm run build` (npm install does it too), then reload.\n仪表盘尚未构建：请运行 npm run build 后刷新。\n';
    });
  };
