/**
 * Silences (maintenance windows): create (from an alert: that rule on that device; wider only
 * on purpose), list for everyone they affect, end. Each has a maximum length (ALERTS_FILE
 * `silenceMaxMin`, default 24 h); one that can mute a critical rule needs an admin; a second
 * identical silence extends the first instead of adding another.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { ApiDeps } from './api.types.ts';
import { silenceSchema } from '../alerts/silence.schema.ts';
import type { Silence } from '../alerts/silences.ts';
import { HubError } from '../errors.ts';
import { inScope, type Me } from '../contracts/access.ts';
import { actorOf, me, requireAction, requireCompound } from './access.guard.ts';

const id = z.string().regex(ID_PATTERN);
/** The compound a silence covers: its own, or its device's; none for a district-wide silence. */
const compoundOf = (s: { compound?: string | undefined; deviceKey?: string | undefined }) => s.compound ?? s.deviceKey?.split('/')[0];
/** Whether a silence mutes anything the user sees: its compound is in scope, or it is district-wide. */
const affects = (user: Me, s: Silence, compound?: string) => {
  const covers = compoundOf(s);
  if (compound && covers && covers !== compound) return false;
  return covers ? inScope(user, covers) : true;
};

export const silenceRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    app.get(
      '/api/silences',
      { schema: { tags: ['alerts'], querystring: z.object({ compound: id.optional() }), response: { 200: z.object({ silences: z.array(silenceSchema) }) } } },
      async (request) => {
        const user = me(request);
        const { compound } = request.query;
        if (compound) requireCompound(request, compound);
        return { silences: deps.silences.list(now()).filter((s) => affects(user, s, compound)).sort((a, b) => a.until - b.until) };
      },
    );
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
            durationMin: z.number().positive(),
          }),
          response: { 200: silenceSchema.extend({ merged: z.literal(true) }), 201: silenceSchema },
        },
      },
      async (request, reply) => {
        const { reason, compound, device, type, ruleId, durationMin } = request.body;
        const user = requireAction(request, 'silence');
        const maxMin = deps.alertsConfig.silenceMaxMin;
        if (durationMin > maxMin) throw new HubError('SILENCE_TOO_LONG', `durationMin: at most ${maxMin} minutes`, { params: { maxMin } });
        const covers = compoundOf({ compound, deviceKey: device });
        if (device && compound && covers !== device.split('/')[0]) throw new HubError('BAD_REQUEST', 'device: not in the given compound');
        if (device && !deps.registry.getByKey(device)) throw new HubError('NOT_FOUND', `device ${device} is not registered`);
        if (covers) requireCompound(request, covers);
        else if (user.compounds !== 'all') throw new HubError('FORBIDDEN', 'a silence outside one compound needs a district-wide scope; name a compound or device');
        const rule = ruleId ? deps.rules().find((r) => r.id === ruleId) : undefined;
        if (ruleId && !rule) throw new HubError('NOT_FOUND', `rule ${ruleId} does not exist`);
        // Without a rule the silence mutes every rule, critical ones too.
        if (user.role !== 'admin' && (!rule || rule.severity === 'critical')) {
          throw new HubError('SILENCE_NEEDS_ADMIN', rule ? `rule ${rule.id} is critical: only an admin may silence it` : 'a silence of every rule mutes critical ones too: name a rule, or ask an admin', { params: { ruleId: ruleId ?? '' } });
        }
        const from = request.body.from ?? now();
        const was = new Map(deps.silences.list(now()).map((s) => [s.id, { ...s }]));
        const { silence, merged } = deps.silences.add({
          actor: user.id, reason, from, until: from + durationMin * 60_000,
          ...(compound ? { compound } : {}), ...(device ? { deviceKey: device } : {}), ...(type ? { type } : {}), ...(ruleId ? { ruleId } : {}),
        });
        request.log.info({ stage: 'api', user: user.id, silence: silence.id, merged }, 'silence set');
        deps.audit?.record({
          ...actorOf(request),
          action: 'silence_created',
          target: `silence:${silence.id}`,
          compound: compoundOf(silence),
          ...(merged ? { before: was.get(silence.id) } : {}),
          after: { ...silence },
          note: merged ? `merged into ${silence.id}: ${reason}` : reason,
        });
        if (merged) return { ...silence, merged: true as const };
        reply.code(201);
        return silence;
      },
    );
    app.delete('/api/silences/:id', { schema: { tags: ['alerts'], params: z.object({ id: z.string().max(64) }) } }, async (request, reply) => {
      const user = requireAction(request, 'silence');
      const silence = deps.silences.list(now()).find((s) => s.id === request.params.id);
      const covers = silence && compoundOf(silence);
      if (silence && (covers ? !inScope(user, covers) : user.compounds !== 'all')) {
        throw new HubError('FORBIDDEN', `silence ${silence.id} is outside your scope`);
      }
      deps.silences.remove(request.params.id);
      request.log.info({ stage: 'api', user: user.id, silence: request.params.id }, 'silence ended');
      if (silence) {
        deps.audit?.record({ ...actorOf(request), action: 'silence_ended', target: `silence:${silence.id}`, compound: covers, before: { ...silence }, after: { ...silence, until: Math.min(silence.until, now()) } });
      }
      reply.code(204);
    });
  };
