/** Serves the interim status page at `/` until the full dashboards (issue #4) replace it. */
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';

const PAGE = new URL('../../dashboards/status/index.html', import.meta.url);

export const statusPageRoutes: FastifyPluginAsync = async (app) => {
  const html = await readFile(PAGE, 'utf8');
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    reply.header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline' 'self'");
    reply.header('x-content-type-options', 'nosniff');
    return html;
  });
};
