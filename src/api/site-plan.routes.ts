/**
 * A compound's site plan: its geometry and its uploaded image, for anyone who may see the
 * compound; changing them (geometry, image) for admins. Device positions are set through the
 * device administration (PATCH /api/admin/devices/:compound/:type/:device, `position`).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PLAN_IMAGE_MAX_BYTES, PLAN_IMAGE_TYPES, type SitePlanAnswer } from '../contracts/site-plan.ts';
import { sitePlanSchema } from '../config/site-plan.schema.ts';
import { idSchema } from '../admin/admin.schemas.ts';
import { SitePlanAdmin } from '../admin/site-plan.admin.ts';
import { HubError } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { actorOf, adminOnlyHook, requireCompound, requireRole } from './access.guard.ts';

/** An SVG opened on its own runs nothing and loads nothing (it is shown in an <img> anyway). */
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

const point = z.tuple([z.number(), z.number()]);
const area = z.object({ id: z.string(), name: z.string().optional(), outline: z.array(point) });
const planView = z.object({
  buildings: z.array(area),
  zones: z.array(area),
  roads: z.array(z.object({ name: z.string().optional(), line: z.array(point), width: z.number() })),
  gates: z.array(z.object({ name: z.string(), at: z.object({ x: z.number(), y: z.number() }) })),
});
const imageInfo = z.object({ type: z.enum(PLAN_IMAGE_TYPES), bytes: z.number(), updatedAt: z.number() });
const answerSchema = z.object({ compound: z.string(), plan: planView.optional(), buildings: z.record(z.string(), z.string()), zones: z.record(z.string(), z.string()), image: imageInfo.optional() });

export const sitePlanRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['site-plan'];
    const params = z.object({ id: idSchema });
    const admin = deps.admin && new SitePlanAdmin(deps.admin);

    const compoundOf = (id: string) => {
      const compound = deps.registry.compound(id);
      if (!compound) throw new HubError('NOT_FOUND', `compound ${id} does not exist`, { params: { compound: id } });
      return compound;
    };

    app.get('/api/compounds/:id/site-plan', { schema: { tags, params, response: { 200: answerSchema } } }, async (request): Promise<SitePlanAnswer> => {
      requireCompound(request, request.params.id);
      const compound = compoundOf(request.params.id);
      const site = deps.registry.siteOf(compound.id);
      const image = await deps.admin?.state.planImages.info(compound.id);
      return { compound: compound.id, ...(site?.sitePlan ? { plan: site.sitePlan } : {}), buildings: site?.buildings ?? {}, zones: site?.zones ?? {}, ...(image ? { image } : {}) };
    });

    app.get('/api/compounds/:id/plan-image', { schema: { tags, params } }, async (request, reply) => {
      requireCompound(request, request.params.id);
      compoundOf(request.params.id);
      const image = await deps.admin?.state.planImages.get(request.params.id);
      if (!image) throw new HubError('NOT_FOUND', `compound ${request.params.id} has no plan image`, { params: { compound: request.params.id } });
      return reply
        .header('content-type', image.type)
        .header('content-security-policy', IMAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'inline')
        .send(image.data);
    });

    if (!admin) return;

    // Raw image bytes; a little over the limit still arrives, so the answer can say PLAN_IMAGE_TOO_LARGE.
    const bodyLimit = PLAN_IMAGE_MAX_BYTES * 2;
    app.addContentTypeParser(['image/png', 'image/svg+xml', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

    app.put(
      '/api/admin/compounds/:id/site-plan',
      { onRequest: adminOnlyHook, schema: { tags, params, body: sitePlanSchema.nullable(), response: { 200: z.object({ plan: planView.optional() }) } } },
      async (request) => {
        requireRole(request, 'admin');
        const plan = await admin.putGeometry(request.params.id, request.body, actorOf(request));
        return plan ? { plan } : {};
      },
    );
    app.put(
      '/api/admin/compounds/:id/plan-image',
      {
        onRequest: adminOnlyHook,
        bodyLimit,
        schema: { tags, params, description: `A PNG or SVG file (Content-Type image/png or image/svg+xml), at most ${PLAN_IMAGE_MAX_BYTES} bytes; checked by its first bytes.`, response: { 200: z.object({ image: imageInfo }) } },
      },
      async (request) => {
        requireRole(request, 'admin');
        if (!Buffer.isBuffer(request.body)) throw new HubError('PLAN_IMAGE_TYPE', 'send the file as Content-Type image/png or image/svg+xml');
        const declared = request.headers['content-type']?.split(';')[0]?.trim();
        const image = await admin.putImage(request.params.id, request.body, declared === 'application/octet-stream' ? undefined : declared, actorOf(request));
        return { image };
      },
    );
    app.delete('/api/admin/compounds/:id/plan-image', { onRequest: adminOnlyHook, schema: { tags, params } }, async (request, reply) => {
      requireRole(request, 'admin');
      await admin.removeImage(request.params.id, actorOf(request));
      return reply.code(204).send();
    });
  };
