/** Stored history from InfluxDB: latest state per device, and a field's time series. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { HistoryReader } from '../store/store.types.ts';
import { HubError } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { inMyScope, requireCompound } from './access.guard.ts';

const id = z.string().regex(ID_PATTERN);
/** ms epoch or an ISO 8601 date. */
const time = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);
const fieldValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);

export const historyRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const reader = (): HistoryReader => {
      if (!deps.history) throw new HubError('STORE_UNAVAILABLE', 'the hub runs live-only: set INFLUX_URL to keep history');
      return deps.history;
    };

    app.get(
      '/api/history/latest',
      {
        schema: {
          tags: ['history'],
          querystring: z.object({ type: z.enum(DEVICE_TYPES), compound: id.optional(), device: id.optional() }),
          response: {
            200: z.object({
              devices: z.array(z.object({ compound: z.string(), device: z.string(), ts: z.number(), fields: z.record(z.string(), fieldValue) })),
            }),
          },
        },
      },
      async (request) => {
        if (request.query.compound) requireCompound(request, request.query.compound);
        return { devices: inMyScope(request, await reader().latest(request.query)) };
      },
    );

    app.get(
      '/api/history/series',
      {
        schema: {
          tags: ['history'],
          querystring: z.object({
            type: z.enum(DEVICE_TYPES),
            compound: id,
            device: id,
            field: z.string().min(1).max(64),
            from: time,
            to: time.optional(),
            limit: z.coerce.number().int().min(1).max(10_000).default(1000),
          }),
          response: { 200: z.object({ points: z.array(z.object({ ts: z.number(), value: fieldValue })) }) },
        },
      },
      async (request) => {
        requireCompound(request, request.query.compound);
        return { points: await reader().series(request.query) };
      },
    );
  };
