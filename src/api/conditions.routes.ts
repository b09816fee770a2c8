/** Rule conditions active now, and what holds one back from raising an alert of its own. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { HOLD_REASONS } from '../incidents/correlator.ts';
import type { ApiDeps } from './api.types.ts';
import { inMyScope, requireCompound } from './access.guard.ts';

const conditionSchema = z.object({
  ruleId: z.string(),
  severity: z.enum(SEVERITIES),
  deviceKey: z.string(),
  compound: z.string(),
  type: z.enum(DEVICE_TYPES),
  device: z.string(),
  since: z.number(),
  lastAt: z.number(),
  count: z.number(),
  value: z.union([z.number(), z.boolean(), z.string()]).optional(),
  /** Set while it raises no alert of its own: waiting for its group to form, grouped in an incident, or inhibited by a source. */
  held: z
    .object({
      reason: z.enum(HOLD_REASONS),
      until: z.number().optional(),
      incident: z.string().optional(),
      inhibit: z.string().optional(),
      source: z.object({ id: z.string(), deviceKey: z.string().optional(), incident: z.string().optional() }).optional(),
    })
    .optional(),
});

const ORDER = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));

export const conditionRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/conditions',
      {
        schema: {
          tags: ['rules'],
          querystring: z.object({ compound: z.string().regex(ID_PATTERN).optional(), severity: z.enum(SEVERITIES).optional() }),
          response: { 200: z.object({ conditions: z.array(conditionSchema) }) },
        },
      },
      async (request) => {
        const { compound, severity } = request.query;
        if (compound) requireCompound(request, compound);
        const conditions = inMyScope(request, deps.conditions.list())
          .filter((c) => (!compound || c.compound === compound) && (!severity || c.severity === severity))
          .sort((a, b) => ORDER[a.severity]! - ORDER[b.severity]! || b.since - a.since);
        return { conditions };
      },
    );
  };
