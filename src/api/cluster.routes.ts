/** GET /api/cluster (admins): a scaled-out hub's partitions, their leases and the instances alive (docs/scale-out.md). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HubError } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { requireRole } from './access.guard.ts';

const lease = z.object({ partition: z.number(), owner: z.string(), expiresAt: z.number(), epoch: z.number() });
const clusterView = z.object({
  instance: z.string(),
  partitions: z.number(),
  leaseMs: z.number(),
  owned: z.array(z.number()),
  members: z.array(z.object({ instance: z.string(), startedAt: z.number(), heartbeatAt: z.number(), owned: z.array(z.number()) })),
  leases: z.array(lease),
});

export const clusterRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/api/cluster', { schema: { tags: ['health'], response: { 200: clusterView } } }, async (request) => {
      requireRole(request, 'admin');
      if (!deps.cluster) throw new HubError('NOT_FOUND', 'this hub runs alone (CLUSTER=off): it has no partitions');
      return deps.cluster();
    });
  };
