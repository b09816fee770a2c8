/**
 * Administration over HTTP (docs/administration.md, contracts/admin.ts): logins, places and
 * compounds (admin); devices and contacts (admin, or a manager of the compound); the routing
 * and rules documents (admin); the audit log (admin, read only). Registered only when the hub
 * runs with an operational state (`ApiDeps.admin`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PLACE_KINDS } from '../contracts/admin.ts';
import type { AdminDeps } from '../admin/admin.types.ts';
import { createAdmin } from '../admin/index.ts';
import {
  adminUserSchema,
  compoundBodySchema,
  compoundViewSchema,
  idSchema,
  newUserBodySchema,
  passwordAnswerSchema,
  placesAnswerSchema,
  placeViewSchema,
  userPatchSchema,
} from '../admin/admin.schemas.ts';
import { contactsBodySchema, placeBodySchema } from '../admin/places.admin.ts';
import type { ApiDeps } from './api.types.ts';
import type { AdminUser } from '../contracts/admin.ts';
import { HubError } from '../errors.ts';
import { actorOf, adminOnlyHook, managerOf, requireManagerOf, requireRole } from './access.guard.ts';
import { adminDeviceRoutes } from './admin-devices.routes.ts';
import { adminDocRoutes } from './admin-docs.routes.ts';
import { auditRoutes } from './audit.routes.ts';

export const adminRoutes =
  (deps: ApiDeps, adminDeps: AdminDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const admin = createAdmin(adminDeps);
    const tags = ['admin'];
    const adminOnly = adminOnlyHook;

    const now = deps.now ?? Date.now;
    /** The login with its lock after failed logins, if any (kept by the login limiter, in memory). */
    const withLock = (user: AdminUser): AdminUser => {
      const lock = deps.access.limiter.locks(now()).find((l) => l.user === user.id);
      const mfa = deps.access.mfa ? { mfaEnabled: deps.access.mfa.isEnabled(user.id) } : {};
      return lock ? { ...user, ...mfa, lockedUntil: lock.lockedUntil, failedLogins: lock.failures } : { ...user, ...mfa };
    };

    app.get('/api/admin/users', { onRequest: adminOnly, schema: { tags, response: { 200: z.object({ users: z.array(adminUserSchema) }) } } }, async (request) => {
      requireRole(request, 'admin');
      return { users: (await admin.users.list()).map(withLock) };
    });
    app.post(
      '/api/admin/users',
      { onRequest: adminOnly, schema: { tags, body: newUserBodySchema, response: { 201: z.object({ user: adminUserSchema, password: z.string() }) } } },
      async (request, reply) => {
        requireRole(request, 'admin');
        const created = await admin.users.create(request.body, actorOf(request));
        return reply.code(201).send(created);
      },
    );
    app.patch(
      '/api/admin/users/:id',
      { onRequest: adminOnly, schema: { tags, params: z.object({ id: idSchema }), body: userPatchSchema, response: { 200: z.object({ user: adminUserSchema }) } } },
      async (request) => {
        requireRole(request, 'admin');
        const user = await admin.users.update(request.params.id, request.body, actorOf(request));
        // A disabled login's sessions end at once (the hub's hook does too).
        if (user.disabled) deps.access.sessions.endUser(user.id);
        return { user };
      },
    );
    app.post(
      '/api/admin/users/:id/reset-password',
      { onRequest: adminOnly, schema: { tags, params: z.object({ id: idSchema }), response: { 200: passwordAnswerSchema } } },
      async (request) => {
        requireRole(request, 'admin');
        const answer = await admin.users.resetPassword(request.params.id, actorOf(request));
        deps.access.sessions.endUser(request.params.id);
        // A login waiting for its code, begun with the old password, ends too.
        deps.access.mfa?.pending.endUser(request.params.id);
        return answer;
      },
    );

    app.post(
      '/api/admin/users/:id/unlock',
      { onRequest: adminOnly, schema: { tags, params: z.object({ id: idSchema }), response: { 200: z.object({ user: adminUserSchema }) } } },
      async (request) => {
        requireRole(request, 'admin');
        const user = (await admin.users.list()).find((u) => u.id === request.params.id);
        if (!user) throw new HubError('NOT_FOUND', `user ${request.params.id} does not exist`, { params: { id: request.params.id } });
        const lockedUntil = deps.access.limiter.lockedUntil(user.id, now());
        deps.access.limiter.unlock(user.id, now());
        deps.audit?.record({
          ...actorOf(request),
          action: 'user_unlocked',
          target: `user:${user.id}`,
          before: { lockedUntil: lockedUntil ? new Date(lockedUntil).toISOString() : null },
          after: { lockedUntil: null },
        });
        return { user: withLock(user) };
      },
    );

    app.get('/api/admin/places', { schema: { tags, response: { 200: placesAnswerSchema } } }, async (request) => {
      const user = requireRole(request, 'admin', 'manager');
      return admin.places.overview(user);
    });
    app.put(
      '/api/admin/places/:kind/:id',
      { onRequest: adminOnly, schema: { tags, params: z.object({ kind: z.enum(PLACE_KINDS), id: idSchema }), body: placeBodySchema, response: { 200: z.object({ place: placeViewSchema }) } } },
      async (request) => {
        requireRole(request, 'admin');
        return { place: await admin.places.putPlace(request.params.kind, request.params.id, request.body, actorOf(request)) };
      },
    );
    app.put(
      '/api/admin/compounds/:id',
      { onRequest: adminOnly, schema: { tags, params: z.object({ id: idSchema }), body: compoundBodySchema, response: { 200: z.object({ compound: compoundViewSchema }) } } },
      async (request) => {
        requireRole(request, 'admin');
        return { compound: await admin.places.putCompound(request.params.id, request.body, actorOf(request)) };
      },
    );
    app.put(
      '/api/admin/compounds/:id/contacts',
      { onRequest: managerOf('id'), schema: { tags, params: z.object({ id: idSchema }), body: contactsBodySchema, response: { 200: z.object({ compound: compoundViewSchema }) } } },
      async (request) => {
        requireManagerOf(request, request.params.id);
        return { compound: await admin.places.putContacts(request.params.id, request.body, actorOf(request)) };
      },
    );

    await app.register(adminDeviceRoutes(deps, admin));
    await app.register(adminDocRoutes(deps, admin));
    await app.register(auditRoutes(adminDeps));
  };

