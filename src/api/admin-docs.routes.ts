/**
 * The routing and rules documents (admin): read with their version, save whole naming the
 * version read (409 CONFLICT when someone saved in between), and try rules on stored history.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Admin } from '../admin/index.ts';
import { docAnswerSchema, rulesTryAnswerSchema, rulesTryBodySchema } from '../admin/admin.schemas.ts';
import { docBodySchema } from '../admin/routing.admin.ts';
import type { ApiDeps } from './api.types.ts';
import { actorOf, adminOnlyHook } from './access.guard.ts';

export const adminDocRoutes =
  (deps: ApiDeps, admin: Admin): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['admin'];
    const onRequest = adminOnlyHook;
    app.get('/api/admin/routing', { onRequest, schema: { tags, response: { 200: docAnswerSchema } } }, async () => admin.routing.get());
    app.put('/api/admin/routing', { onRequest, schema: { tags, body: docBodySchema, response: { 200: docAnswerSchema } } }, async (request) =>
      admin.routing.put(request.body, actorOf(request)),
    );
    app.get('/api/admin/rules', { onRequest, schema: { tags, response: { 200: docAnswerSchema } } }, async () => admin.rules.get());
    app.put('/api/admin/rules', { onRequest, schema: { tags, body: docBodySchema, response: { 200: docAnswerSchema } } }, async (request) =>
      admin.rules.put(request.body, actorOf(request)),
    );
    app.post(
      '/api/admin/rules/try',
      { onRequest, schema: { tags, body: rulesTryBodySchema, response: { 200: rulesTryAnswerSchema } } },
      async (request) => admin.rules.try(request.body, deps.registry),
    );
  };

