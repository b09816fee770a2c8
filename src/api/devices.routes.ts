/** Compounds and devices with their live state; the dead-letter log. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { REJECT_REASONS } from '../contracts/readings.ts';
import { HubError } from '../errors.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { compoundSummaries, deviceView } from '../live/device-view.ts';
import { inScope } from '../contracts/access.ts';
import { handedToMe, me, requireAction, requireCompound } from './access.guard.ts';
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
  buildingName: z.string().optional(),
  zoneName: z.string().optional(),
  reportIntervalSec: z.number(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  online: z.boolean(),
  lastSeen: z.number().optional(),
  lastTelemetryTs: z.number().optional(),
  fields: z.record(z.string(), fieldValue),
  fieldSince: z.record(z.string(), z.number()),
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
  area: z.enum(['city', 'county']).optional(),
  location: z.object({ lat: z.number(), lon: z.number() }).optional(),
  deskPhone: z.string().optional(),
  online: z.number(),
  openAlerts: z.record(z.enum(SEVERITIES), z.number()),
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
    app.get(
      '/api/compounds',
      { schema: { tags: ['devices'], response: { 200: z.object({ compounds: z.array(compoundSchema) }) } } },
      async (request) => {
        const { compounds } = me(request);
        // A department also reads where what was handed over to it is (its compounds by name).
        const handed = handedToMe(request, deps.alerts.list({ open: true }));
        return { compounds: compoundSummaries(deps.registry, deps.deviceStates, deps.alerts, compounds === 'all' ? undefined : new Set([...compounds, ...handed.map((a) => a.compound)])) };
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
        const user = compound ? requireCompound(request, compound) : me(request);
        // A department also reads the devices of what was handed over to it (their names and places).
        const handed = new Set(compound ? [] : handedToMe(request, deps.alerts.list({ open: true })).map((a) => a.deviceKey));
        const devices = [];
        for (const d of deps.registry.devices()) {
          if (compound && d.compound !== compound) continue;
          if (!inScope(user, d.compound) && !handed.has(d.key)) continue;
          if (type && d.type !== type) continue;
          const v = deviceView(d, deps.deviceStates);
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
        requireCompound(request, request.params.compound);
        const d = deps.registry.get(request.params);
        if (!d) throw new HubError('NOT_FOUND', `device ${request.params.compound}/${request.params.type}/${request.params.device} is not registered`);
        return deviceView(d, deps.deviceStates);
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
        requireAction(request, 'ops');
        const { limit, reason } = request.query;
        const all = deps.deadLetters.list();
        const items = (reason ? all.filter((r) => r.reason === reason) : all).slice(0, limit);
        return { total: deps.deadLetters.total, items };
      },
    );
  };
