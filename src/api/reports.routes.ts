/**
 * Resident reports (随手拍, issue 18; src/contracts/reports.ts), no login:
 * - POST /api/public/reports: a resident of a building (in the registry, as for the notice)
 *   reports a problem of a category with a text and maybe a photo (base64 in the JSON). Rate
 *   limited per client address and per building (src/reports/report-limits.ts: 429 RATE_LIMITED
 *   with Retry-After, counted in the metrics and the refusals audit). It becomes an alert of rule
 *   `resident-report` (AlertBook.report), dispatched like any; the answer is a receipt link with a
 *   random token, of which the alert keeps only the SHA-256.
 * - GET /api/public/reports/:id?t={token}: the report's progress (src/reports/report-progress.ts),
 *   from the book or, closed before a restart, the archive; an unknown id or a wrong token is the
 *   same 404 NOT_FOUND. The response schema lists every field, so nothing else is serialised.
 * Marking a report as spam is a workflow step for managers (POST /api/alerts/:id/spam, alerts.routes.ts).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idSchema } from '../admin/admin.schemas.ts';
import { ID_PATTERN } from '../contracts/ids.ts';
import { PHOTO_MAX_BYTES } from '../contracts/alert-photos.ts';
import { REPORT_CATEGORY_LIST, REPORT_STATES, REPORT_TEXT_MAX, REPORTS_API_PATH, reportReceiptPath, type ReportProgress, type ReportReceipt } from '../contracts/reports.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { HubError } from '../errors.ts';
import { buildingName } from '../notice/notice.builder.ts';
import { ReportLimiter } from '../reports/report-limits.ts';
import { reportProgress } from '../reports/report-progress.ts';
import type { ApiDeps } from './api.types.ts';
import { photoTypeOf } from './photo-sniff.ts';

/** A photo's base64 is 4/3 of its bytes: a little over the limit still arrives, so the answer can say PHOTO_TOO_LARGE. */
const PHOTO_BASE64_MAX = Math.ceil(PHOTO_MAX_BYTES * 1.5);
/** The whole JSON body: the photo and some room for the rest. */
export const REPORT_BODY_LIMIT = PHOTO_BASE64_MAX + 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:image\/[a-z]+;base64,/;
const ROUTE = `POST ${REPORTS_API_PATH}`;

const buildingSchema = z.string().min(1).max(64).regex(/^[^\\\u0000-\u001f]+$/);
const reportBody = z.object({
  compound: idSchema,
  building: buildingSchema,
  category: z.enum(REPORT_CATEGORY_LIST),
  text: z.string().trim().min(1).max(REPORT_TEXT_MAX),
  photo: z.string().max(PHOTO_BASE64_MAX).optional(),
});
const progressSchema = z.object({
  id: z.string(),
  category: z.enum(REPORT_CATEGORY_LIST),
  compound: z.object({ name: z.string() }),
  building: z.object({ name: z.string() }),
  createdAt: z.number(),
  state: z.enum(REPORT_STATES),
  steps: z.array(z.object({ state: z.enum(REPORT_STATES), at: z.number() })),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** The photo's bytes, or the coded refusal (not an image, too large). */
function decodePhoto(text: string): Buffer {
  const bare = text.replace(DATA_URL, '');
  if (!BASE64.test(bare)) throw new HubError('PHOTO_TYPE', 'photo: send the image as base64');
  const data = Buffer.from(bare, 'base64');
  if (data.length > PHOTO_MAX_BYTES) throw new HubError('PHOTO_TOO_LARGE', `a photo may have at most ${PHOTO_MAX_BYTES} bytes, this one has ${data.length}`, { params: { max: PHOTO_MAX_BYTES, bytes: data.length } });
  return data;
}

export const reportRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const now = deps.now ?? Date.now;
    const limiter = new ReportLimiter(undefined, now);
    const counted = (outcome: string) => deps.metrics.residentReports.inc({ outcome });

    app.post(
      REPORTS_API_PATH,
      {
        config: { public: true },
        bodyLimit: REPORT_BODY_LIMIT,
        schema: {
          tags: ['reports'],
          description: `Public, no login: a resident reports a problem in a building (rate limited per address and building). The answer is the receipt link; keep it.`,
          body: reportBody,
          response: { 200: z.object({ id: z.string(), receipt: z.string() }) },
        },
      },
      async (request, reply): Promise<ReportReceipt> => {
        const { compound, building, category, text } = request.body;
        if (!deps.registry.compound(compound)) throw new HubError('NOT_FOUND', `compound ${compound} does not exist`, { params: { compound } });
        const placeName = buildingName(deps.registry, compound, building);
        if (placeName === undefined) throw new HubError('NOT_FOUND', `compound ${compound} has no building ${building}`, { params: { compound, building } });
        let photo: { data: Buffer; type: NonNullable<ReturnType<typeof photoTypeOf>> } | undefined;
        if (request.body.photo) {
          if (!deps.photos) throw new HubError('BAD_REQUEST', 'photo: this hub keeps no photos');
          const data = decodePhoto(request.body.photo);
          const type = photoTypeOf(data);
          if (!type) throw new HubError('PHOTO_TYPE', 'the photo is not a JPEG, PNG or WebP image');
          photo = { data, type };
        }
        // Checked and taken in one synchronous call: nothing awaits between the check and the raise.
        const limit = limiter.take(request.ip, compound, building);
        if (!limit.ok) {
          counted(`refused_${limit.limit}`);
          deps.refusals?.refused({ action: 'report_refused', channel: 'http', address: request.ip, target: ROUTE, note: `RATE_LIMITED per ${limit.limit} (${compound}/${building})` });
          reply.header('retry-after', String(limit.retryAfterSec));
          throw new HubError('RATE_LIMITED', `too many reports from this ${limit.limit === 'address' ? 'address' : 'building'}: try again in ${limit.retryAfterSec} s`, { params: { retryAfterSec: limit.retryAfterSec } });
        }
        const token = randomBytes(18).toString('base64url');
        const photoId = photo ? randomUUID() : undefined;
        const at = now();
        const alert = deps.alerts.report({ compound, building, buildingName: placeName, category, text, tokenHash: sha256(token).toString('hex'), ...(photoId ? { photo: photoId } : {}), at });
        if (photo && photoId) {
          try {
            await deps.photos!.put({ id: photoId, alertId: alert.id, compound, type: photo.type, bytes: photo.data.length, at, by: 'resident' }, photo.data);
          } catch (error) {
            request.log.error({ err: (error as Error).message, alert: alert.id }, 'the photo of a resident report was not kept');
          }
        }
        counted('accepted');
        return { id: alert.id, receipt: reportReceiptPath(alert.id, token) };
      },
    );

    app.get(
      `${REPORTS_API_PATH}/:id`,
      {
        config: { public: true },
        schema: {
          tags: ['reports'],
          description: 'Public, no login, with the receipt’s token: the progress of a resident’s report. No personal data.',
          params: z.object({ id: z.string().regex(ID_PATTERN) }),
          querystring: z.object({ t: z.string().min(1).max(128) }),
          response: { 200: progressSchema },
        },
      },
      async (request): Promise<ReportProgress> => {
        const { id } = request.params;
        const notFound = new HubError('NOT_FOUND', `there is no report ${id} with this token`, { params: { id } });
        const alert: Alert | undefined = deps.alerts.hasAlert(id) ? deps.alerts.get(id) : await deps.alertArchive?.get(id);
        const hash = alert?.report?.tokenHash;
        const given = sha256(request.query.t);
        const kept = hash && /^[0-9a-f]{64}$/.test(hash) ? Buffer.from(hash, 'hex') : undefined;
        if (!alert?.report || !kept || !timingSafeEqual(kept, given)) throw notFound;
        const compound = deps.registry.compound(alert.compound);
        return reportProgress(alert, { compound: compound?.name ?? alert.compound, building: buildingName(deps.registry, alert.compound, alert.report.building) ?? alert.report.building });
      },
    );
  };
