/** Silences (maintenance windows): create, list, remove. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { ApiDeps } from './api.types.ts';
import { silenceSchema } from '../alerts/silences.file.ts';
import { HubError } from '../errors.ts';
import { inScope } from '../contracts/access.ts';
import { me, requireAction, requireCompound } from './access.guard.ts';

const id = z.string().regex(ID_PATTERN);
/** The compound a silence covers: its own, or its device's; none for a district-wide silence. */
const compoundOf = (s: { compound?: string | undefined; deviceKey?: string | undefined }) => s.compound ?? s.deviceKey?.split('/')[0];

export const silenceRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    app.get('/api/silences', { schema: { tags: ['alerts'], response: { 200: z.object({ silences: z.array(silenceSchema) }) } } }, async (request) => {
      const user = me(request);
      return { silences: deps.silences.list(now()).filter((s) => inScope(user, compoundOf(s) ?? '')) };
    });
    app.post(
      '/api/silences',
      {
        schema: {
          tags: ['alerts'],
          body: z.object({
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
        const { reason, compound, device, type, ruleId, durationMin } = request.body;
        const user = requireAction(request, 'silence');
        const covers = compoundOf({ compound, deviceKey: device });
        if (device && compound && covers !== device.split('/')[0]) throw new HubError('BAD_REQUEST', 'device: not in the given compound');
        if (covers) requireCompound(request, covers);
        else if (user.compounds !== 'all') throw new HubError('FORBIDDEN', 'a silence outside one compound needs a district-wide scope; name a compound or device');
        const actor = user.id;
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
      const user = requireAction(request, 'silence');
      const silence = deps.silences.list(now()).find((s) => s.id === request.params.id);
      if (silence && !inScope(user, compoundOf(silence) ?? '')) {
        throw new HubError('FORBIDDEN', `silence ${silence.id} is outside your scope`);
      }
      deps.silences.remove(request.params.id);
      reply.code(204);
    });
  };
