/**
 * Devices of a compound (admin, or a manager of the compound): list, add (the secret is in the
 * answer, once), import a CSV file (all rows or none), change, retire, rotate the secret.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { Admin } from '../admin/index.ts';
import { adminDeviceSchema, createdDevicesSchema, idSchema } from '../admin/admin.schemas.ts';
import { devicePatchSchema, IMPORT_MAX_BYTES, newDeviceBodySchema } from '../admin/devices.admin.ts';
import { HubError } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { actorOf, managerOf, requireManagerOf } from './access.guard.ts';

export const adminDeviceRoutes =
  (_deps: ApiDeps, admin: Admin): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['admin'];
    const compoundParams = z.object({ id: idSchema });
    const deviceParams = z.object({ compound: idSchema, type: z.enum(DEVICE_TYPES), device: idSchema });
    // A CSV file arrives as bytes: UTF-8 or GB18030 (Excel on a Chinese Windows), decoded by the service.
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_request, body, done) => done(null, body));

    app.get(
      '/api/admin/compounds/:id/devices',
      { onRequest: managerOf('id'), schema: { tags, params: compoundParams, response: { 200: z.object({ devices: z.array(adminDeviceSchema) }) } } },
      async (request) => {
        requireManagerOf(request, request.params.id);
        return { devices: await admin.devices.list(request.params.id) };
      },
    );
    app.post(
      '/api/admin/compounds/:id/devices',
      { onRequest: managerOf('id'), schema: { tags, params: compoundParams, body: newDeviceBodySchema, response: { 201: createdDevicesSchema } } },
      async (request, reply) => {
        requireManagerOf(request, request.params.id);
        return reply.code(201).send(await admin.devices.add(request.params.id, request.body, actorOf(request)));
      },
    );
    app.post(
      '/api/admin/compounds/:id/devices/import',
      {
        onRequest: managerOf('id'),
        bodyLimit: IMPORT_MAX_BYTES,
        schema: {
          tags,
          description: `A CSV file (Content-Type: text/csv), header \`type,id[,name,building,zone,reportIntervalSec,x,y]\`, at most 5000 rows and ${IMPORT_MAX_BYTES} bytes. All rows are added, or none (400 with the issues of each row).`,
          params: compoundParams,
          response: { 201: createdDevicesSchema },
        },
      },
      async (request, reply) => {
        requireManagerOf(request, request.params.id);
        const body = request.body;
        const file = Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : undefined;
        if (file === undefined) throw new HubError('BAD_REQUEST', 'send the file as Content-Type: text/csv');
        return reply.code(201).send(await admin.devices.importCsv(request.params.id, file, actorOf(request)));
      },
    );
    app.patch(
      '/api/admin/devices/:compound/:type/:device',
      { onRequest: managerOf('compound'), schema: { tags, params: deviceParams, body: devicePatchSchema, response: { 200: z.object({ device: adminDeviceSchema }) } } },
      async (request) => {
        const { compound, type, device } = request.params;
        requireManagerOf(request, compound);
        return { device: await admin.devices.update(compound, type, device, request.body, actorOf(request)) };
      },
    );
    app.post(
      '/api/admin/devices/:compound/:type/:device/retire',
      { onRequest: managerOf('compound'), schema: { tags, params: deviceParams, response: { 200: z.object({ device: adminDeviceSchema }) } } },
      async (request) => {
        const { compound, type, device } = request.params;
        requireManagerOf(request, compound);
        return { device: await admin.devices.retire(compound, type, device, actorOf(request)) };
      },
    );
    app.post(
      '/api/admin/devices/:compound/:type/:device/rotate-secret',
      { onRequest: managerOf('compound'), schema: { tags, params: deviceParams, response: { 200: createdDevicesSchema } } },
      async (request) => {
        const { compound, type, device } = request.params;
        requireManagerOf(request, compound);
        return admin.devices.rotateSecret(compound, type, device, actorOf(request));
      },
    );
  };
