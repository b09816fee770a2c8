/** Silences (maintenance windows): create, list, remove. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { ApiDeps } from './api.types.ts';

const id = z.string().regex(ID_PATTERN);
const silenceSchema = z.object({
  id: z.string(),
  compound: z.string().optional(),
  deviceKey: z.string().optional(),
  type: z.enum(DEVICE_TYPES).optional(),
  ruleId: z.string().optional(),
  from: z.number(),
  until: z.number(),
  reason: z.string(),
  actor: z.string(),
});

export const silenceRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    app.get('/api/silences', { schema: { tags: ['alerts'], response: { 200: z.object({ silences: z.array(silenceSchema) }) } } }, async () => ({
      silences: deps.silences.list(now()),
    }));
    app.post(
      '/api/silences',
      {
        schema: {
          tags: ['alerts'],
          body: z.object({
            actor: id,
            reason: z.string().min(1).max(500),
            compound: id.optional(),
            device: z.string().max(200).optional(),
            type: z.enum(DEVICE_TYPES).optional(),
            ruleId: id.optional(),
            from: z.number().int().nonnegative().optional(),
            durationMin: z.number().positive().max(30 * 24 * 60),
          }),
          response: { 201: silenceSchema },
        },
      },
      async (request, reply) => {
        const { actor, reason, compound, device, type, ruleId, durationMin } = request.body;
        const from = request.body.from ?? now();
        const silence = deps.silences.add({
          actor, reason, from, until: from + durationMin * 60_000,
          ...(compound ? { compound } : {}), ...(device ? { deviceKey: device } : {}), ...(type ? { type } : {}), ...(ruleId ? { ruleId } : {}),
        });
        reply.code(201);
        return silence;
      },
    );
    app.delete('/api/silences/:id', { schema: { tags: ['alerts'], params: z.object({ id: z.string().max(64) }) } }, async (request, reply) => {
      deps.silences.remove(request.params.id);
      reply.code(204);
    });
  };
