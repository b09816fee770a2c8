/** Compounds and devices with their live state; the dead-letter log. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { REJECT_REASONS } from '../contracts/readings.ts';
import { HubError } from '../errors.ts';
import type { RegisteredDevice } from '../registry/registry.ts';
import type { ApiDeps } from './api.types.ts';

const id = z.string().regex(ID_PATTERN);
const fieldValue = z.union([z.number(), z.boolean(), z.string()]);
const deviceSchema = z.object({
  compound: z.string(),
  type: z.enum(DEVICE_TYPES),
  device: z.string(),
  name: z.string().optional(),
  building: z.string().optional(),
  zone: z.string().optional(),
  reportIntervalSec: z.number(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  online: z.boolean(),
  lastSeen: z.number().optional(),
  lastTelemetryTs: z.number().optional(),
  fields: z.record(z.string(), fieldValue),
  lastEvent: z.object({ event: z.string(), code: z.string().optional(), ts: z.number() }).optional(),
});
const compoundSchema = z.object({
  id: z.string(),
  name: z.string(),
  grid: z.string().optional(),
  district: z.object({ id: z.string(), name: z.string() }),
  street: z.object({ id: z.string(), name: z.string() }),
  community: z.object({ id: z.string(), name: z.string() }),
  deviceCount: z.number(),
  online: z.number(),
});
const rejectionSchema = z.object({
  reason: z.enum(REJECT_REASONS),
  detail: z.string(),
  topic: z.string(),
  receivedAt: z.number(),
  sample: z.string(),
  size: z.number(),
});

export const deviceRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const view = (d: RegisteredDevice) => ({
      compound: d.compound,
      type: d.type,
      device: d.device,
      name: d.name,
      building: d.tags.building,
      zone: d.tags.zone,
      reportIntervalSec: d.reportIntervalSec,
      position: d.position,
      ...deps.deviceStates.get(d),
    });

    app.get(
      '/api/compounds',
      { schema: { tags: ['devices'], response: { 200: z.object({ compounds: z.array(compoundSchema) }) } } },
      async () => {
        const online = new Map<string, number>();
        for (const d of deps.registry.devices()) {
          if (deps.deviceStates.get(d).online) online.set(d.compound, (online.get(d.compound) ?? 0) + 1);
        }
        return { compounds: deps.registry.compounds().map((c) => ({ ...c, online: online.get(c.id) ?? 0 })) };
      },
    );

    app.get(
      '/api/devices',
      {
        schema: {
          tags: ['devices'],
          querystring: z.object({
            compound: id.optional(),
            type: z.enum(DEVICE_TYPES).optional(),
            online: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: z.object({ devices: z.array(deviceSchema) }) },
        },
      },
      async (request) => {
        const { compound, type, online } = request.query;
        const devices = [];
        for (const d of deps.registry.devices()) {
          if (compound && d.compound !== compound) continue;
          if (type && d.type !== type) continue;
          const v = view(d);
          if (online && String(v.online) !== online) continue;
          devices.push(v);
        }
        return { devices };
      },
    );

    app.get(
      '/api/devices/:compound/:type/:device',
      {
        schema: {
          tags: ['devices'],
          params: z.object({ compound: id, type: z.enum(DEVICE_TYPES), device: id }),
          response: { 200: deviceSchema },
        },
      },
      async (request) => {
        const d = deps.registry.get(request.params);
        if (!d) throw new HubError('NOT_FOUND', `device ${request.params.compound}/${request.params.type}/${request.params.device} is not registered`);
        return view(d);
      },
    );

    app.get(
      '/api/dead-letters',
      {
        schema: {
          tags: ['ingest'],
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            reason: z.enum(REJECT_REASONS).optional(),
          }),
          response: { 200: z.object({ total: z.number(), items: z.array(rejectionSchema) }) },
        },
      },
      async (request) => {
        const { limit, reason } = request.query;
        const all = deps.deadLetters.list();
        const items = (reason ? all.filter((r) => r.reason === reason) : all).slice(0, limit);
        return { total: deps.deadLetters.total, items };
      },
    );
  };
