/** The rules in force, by name (`GET /api/rules`): what the dashboards call a rule a silence names. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import type { ApiDeps } from './api.types.ts';

const ruleView = z.object({
  id: z.string(),
  name: z.object({ zh: z.string(), en: z.string() }),
  severity: z.enum(SEVERITIES),
  kind: z.string(),
  types: z.array(z.enum(DEVICE_TYPES)),
});

export const ruleRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/api/rules', { schema: { tags: ['alerts'], response: { 200: z.object({ rules: z.array(ruleView) }) } } }, async () => ({
      rules: deps.rules().map((r) => ({ id: r.id, name: r.name, severity: r.severity, kind: r.condition.kind, types: [...r.match.types] })),
    }));
  };
