/**
 * The public building notice (issue 18, residents) and its QR codes:
 * - GET /api/public/notice/:compound/:building, no login: what is out of service or blocked in
 *   the building now and what was fixed in the last 24 h (src/notice/notice.builder.ts). The
 *   response schema lists every field, so nothing else is serialised; each answer is kept
 *   NOTICE_MAX_AGE_SEC in a small cache and may be kept as long by browsers and proxies.
 * - GET /api/compounds/:id/notice-qr, for admins and the compound's managers: a printable page
 *   with one QR code per building pointing at its public page (/notice/{compound}/{building}),
 *   under PUBLIC_URL when it is set, else under the address the sheet was opened by.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { NOTICE_MAX_AGE_SEC, NOTICE_STATES, type NoticeAnswer } from '../contracts/notice.ts';
import { idSchema } from '../admin/admin.schemas.ts';
import { HubError } from '../errors.ts';
import { buildNotice } from '../notice/notice.builder.ts';
import { NoticeCache } from '../notice/notice.cache.ts';
import { NOTICE_QR_STYLE, noticeQrPage } from '../notice/notice-qr.page.ts';
import type { ApiDeps } from './api.types.ts';
import { managerOf } from './access.guard.ts';

/** Buildings whose answers are kept at once (the oldest goes first). */
const NOTICE_CACHE_MAX = 500;

const name = z.object({ zh: z.string(), en: z.string() });
const itemSchema = z.object({
  what: name,
  device: z.string().optional(),
  type: z.enum(DEVICE_TYPES),
  since: z.number(),
  state: z.enum(NOTICE_STATES),
  fixedAt: z.number().optional(),
});
/** Exactly the fields of NoticeAnswer: the serialiser drops anything else. */
export const noticeAnswerSchema = z.object({
  compound: z.object({ id: z.string(), name: z.string() }),
  building: z.object({ id: z.string(), name: z.string() }),
  at: z.number(),
  open: z.array(itemSchema),
  fixed: z.array(itemSchema),
});

/** The QR sheet runs nothing and loads nothing: its one style block (by hash) and inline SVG. */
const QR_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(NOTICE_QR_STYLE).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** Where this request reached the hub (its protocol, by X-Forwarded-Proto behind a TRUST_PROXY, and its Host, which the origin guard has checked). */
const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

export const noticeRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    const cache = new NoticeCache<NoticeAnswer>({ ttlMs: NOTICE_MAX_AGE_SEC * 1000, max: NOTICE_CACHE_MAX, now });

    app.get(
      '/api/public/notice/:compound/:building',
      {
        config: { public: true },
        schema: {
          tags: ['notice'],
          description: 'Public, no login: what is out of service or blocked in a building now, and what was fixed in the last 24 h. No personal data.',
          params: z.object({ compound: idSchema, building: z.string().min(1).max(64).regex(/^[^\\\u0000-\u001f]+$/) }),
          response: { 200: noticeAnswerSchema },
        },
      },
      async (request, reply): Promise<NoticeAnswer> => {
        const { compound, building } = request.params;
        const answer = cache.get(`${compound}\u0000${building}`, () => buildNotice({ alerts: deps.alerts.list({ compound }), registry: deps.registry, compound, building, now: now() }));
        reply.header('cache-control', `public, max-age=${NOTICE_MAX_AGE_SEC}`);
        return answer;
      },
    );

    app.get(
      '/api/compounds/:id/notice-qr',
      { onRequest: managerOf('id'), schema: { tags: ['notice'], description: 'Admins and the compound’s managers: a printable page with one QR code per building, pointing at its public notice page.', params: z.object({ id: idSchema }) } },
      async (request, reply) => {
        const compound = deps.registry.compound(request.params.id);
        if (!compound) throw new HubError('NOT_FOUND', `compound ${request.params.id} does not exist`, { params: { compound: request.params.id } });
        const buildings = deps.registry.siteOf(compound.id)?.buildings ?? {};
        const page = noticeQrPage({ compound: { id: compound.id, name: compound.name }, buildings, baseUrl: deps.publicUrl ?? baseUrlOf(request) });
        return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', QR_CSP).send(page);
      },
    );
  };
