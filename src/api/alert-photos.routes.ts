/**
 * Photos attached to an alert on resolve (issue 16; src/contracts/alert-photos.ts). Uploading is
 * for whoever may take the alert's steps: a role that may resolve, in the alert's compound, and a
 * worker only on an alert they may act on (its assignee, or rung by its call tree). The type is
 * judged by the first bytes (JPEG, PNG, WebP), the size after the phone's downscale (2 MiB). The
 * photo is kept in the operational database and audited; the resolve step names it. Reading is
 * for anyone who may see the alert (its compound in their scope), never kept by a browser or proxy.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { PHOTO_MAX_BYTES, PHOTO_TYPES, PHOTOS_PER_ALERT, type PhotoInfo } from '../contracts/alert-photos.ts';
import { HubError } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { actorOf, requireAction, requireCompound, requireSees } from './access.guard.ts';
import { photoTypeOf } from './photo-sniff.ts';
import { requireWorkerMay } from './workflow-step.ts';

const photoInfo = z.object({ id: z.string(), alertId: z.string(), compound: z.string(), type: z.enum(PHOTO_TYPES), bytes: z.number(), at: z.number(), by: z.string() });
const PHOTO_ID = /^[0-9a-f-]{36}$/;

export const alertPhotoRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const photos = deps.photos;
    if (!photos) return;
    const now = deps.now ?? Date.now;
    const tags = ['alerts'];
    const params = z.object({ id: z.string().regex(ID_PATTERN) });
    const photoParams = params.extend({ photoId: z.string().regex(PHOTO_ID) });

    /** The user may see the alert: as the book has it (handed over to their party?), or, archived, by its compound. */
    const requireSeesAlert = (request: FastifyRequest, alertId: string, compound: string) => {
      if (deps.alerts.hasAlert(alertId)) requireSees(request, deps.alerts.get(alertId));
      else requireCompound(request, compound);
    };
    /** The photo, when it belongs to the alert and the user may see the alert. */
    const visiblePhoto = async (request: FastifyRequest, alertId: string, photoId: string) => {
      const info = await photos.info(photoId);
      if (!info || info.alertId !== alertId) throw new HubError('NOT_FOUND', `alert ${alertId} has no photo ${photoId}`, { params: { id: alertId } });
      requireSeesAlert(request, alertId, info.compound);
      return info;
    };

    /** Who may add a photo to the alert named by the path: a role that may resolve, in its compound, and a worker who may act on it. */
    const mayUpload = (request: FastifyRequest) => {
      const user = requireAction(request, 'resolve');
      const alert = deps.alerts.get(String((request.params as Record<string, unknown>).id ?? ''));
      requireSees(request, alert);
      requireWorkerMay(user, alert, 'photo');
      return { user, alert };
    };

    // Raw image bytes; a little over the limit still arrives, so the answer can say PHOTO_TOO_LARGE. Only on this route.
    const bodyLimit = PHOTO_MAX_BYTES * 2;
    app.addContentTypeParser([...PHOTO_TYPES, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

    app.post(
      '/api/alerts/:id/photos',
      {
        // Who may upload is checked before the body (up to 4 MiB) is read.
        onRequest: async (request) => void mayUpload(request),
        bodyLimit,
        schema: { tags, params, description: `A JPEG, PNG or WebP image (its Content-Type), at most ${PHOTO_MAX_BYTES} bytes; checked by its first bytes.`, response: { 200: z.object({ photo: photoInfo }) } },
      },
      async (request) => {
        const { user, alert } = mayUpload(request);
        if (alert.workflow === 'closed') throw new HubError('INVALID_TRANSITION', `alert ${alert.id} is closed`, { params: { id: alert.id, action: 'photo', state: alert.workflow } });
        const data = request.body;
        if (!Buffer.isBuffer(data) || !data.length) throw new HubError('PHOTO_TYPE', 'send the image as Content-Type image/jpeg, image/png or image/webp');
        if (data.length > PHOTO_MAX_BYTES) throw new HubError('PHOTO_TOO_LARGE', `a photo may have at most ${PHOTO_MAX_BYTES} bytes, this one has ${data.length}`, { params: { max: PHOTO_MAX_BYTES, bytes: data.length } });
        const type = photoTypeOf(data);
        if (!type) throw new HubError('PHOTO_TYPE', 'the file is not a JPEG, PNG or WebP image');
        if ((await photos.list(alert.id)).length >= PHOTOS_PER_ALERT) throw new HubError('PHOTO_TOO_MANY', `alert ${alert.id} has ${PHOTOS_PER_ALERT} photos already`, { params: { id: alert.id, max: PHOTOS_PER_ALERT } });
        const photo: PhotoInfo = { id: randomUUID(), alertId: alert.id, compound: alert.compound, type, bytes: data.length, at: now(), by: user.id };
        await photos.put(photo, data);
        deps.audit?.record({ ...actorOf(request), action: 'alert_photo_added', target: `alert:${alert.id}`, compound: alert.compound, after: { photo: photo.id, type, bytes: photo.bytes } });
        return { photo };
      },
    );

    app.get('/api/alerts/:id/photos', { schema: { tags, params, response: { 200: z.object({ photos: z.array(photoInfo) }) } } }, async (request) => {
      const list = await photos.list(request.params.id);
      // The alert may be closed and archived: its photos say its compound.
      const compound = list[0]?.compound ?? deps.alerts.get(request.params.id).compound;
      requireSeesAlert(request, request.params.id, compound);
      return { photos: list };
    });

    app.get('/api/alerts/:id/photos/:photoId', { schema: { tags, params: photoParams } }, async (request, reply) => {
      await visiblePhoto(request, request.params.id, request.params.photoId);
      const photo = (await photos.get(request.params.photoId))!;
      return reply
        .header('content-type', photo.info.type)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'inline')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(photo.data);
    });
  };

/** The photo named by a resolve step: one of this alert's (refused as BAD_REQUEST otherwise). */
export async function checkResolvePhoto(deps: ApiDeps, alertId: string, photoId: string): Promise<void> {
  const info = PHOTO_ID.test(photoId) ? await deps.photos?.info(photoId) : undefined;
  if (!info || info.alertId !== alertId) throw new HubError('BAD_REQUEST', `photo: alert ${alertId} has no photo ${photoId}`, { params: { id: alertId } });
}
