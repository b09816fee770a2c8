/** Log in, log out, who am I, change my password. Failed logins are rate limited. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ROLES } from '../contracts/access.ts';
import { SESSION_COOKIE } from '../contracts/live-events.ts';
import { HubError } from '../errors.ts';
import { describeUser } from '../auth/user-scope.ts';
import { actorOf, me } from './access.guard.ts';
import type { ApiDeps } from './api.types.ts';

export const meSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  compounds: z.union([z.literal('all'), z.array(z.string())]),
  grids: z.array(z.string()),
  mustChangePassword: z.boolean(),
});

export const authRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { users, sessions, limiter } = deps.access;
    const now = deps.now ?? Date.now;
    const cookieOptions = {
      httpOnly: true,
      sameSite: 'strict' as const,
      path: '/',
      secure: deps.access.cookieSecure,
    };

    app.post(
      '/api/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
          response: {
            200: z.object({ user: meSchema }),
            429: z.object({ error: z.literal('RATE_LIMITED'), message: z.string(), retryAfterSec: z.number() }),
          },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        const wait = limiter.retryAfterSec(username, request.ip, now());
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return reply.code(429).send({ error: 'RATE_LIMITED' as const, message: `too many failed logins: try again in ${wait} s`, retryAfterSec: wait });
        }
        const user = await users.verify(username, password);
        if (!user) {
          limiter.failed(username, request.ip, now());
          deps.metrics.loginFailures.inc();
          // The id tried, never the password.
          deps.audit?.record({ actor: username, address: request.ip, action: 'login_failed' });
          throw new HubError('UNAUTHORIZED', 'wrong user name or password');
        }
        limiter.succeeded(username, request.ip);
        const { token } = sessions.create(user.id, now());
        reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: Math.floor(deps.access.sessionIdleMs / 1000) });
        request.log.info({ user: user.id, role: user.role }, 'login');
        const described = describeUser(user, deps.alertsConfig.grids);
        deps.audit?.record({ actor: user.id, actorName: described.name, address: request.ip, action: 'login' });
        return { user: described };
      },
    );

    app.post('/api/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
      sessions.end(request.cookies[SESSION_COOKIE]);
      deps.audit?.record({ ...actorOf(request), action: 'logout' });
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send();
    });

    app.get('/api/auth/me', { schema: { tags: ['auth'], response: { 200: z.object({ user: meSchema }) } } }, async (request) => ({
      user: me(request),
    }));

    app.post(
      '/api/auth/password',
      {
        schema: {
          tags: ['auth'],
          body: z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) }),
        },
      },
      async (request, reply) => {
        const user = me(request);
        const wait = limiter.retryAfterSec(user.id, request.ip, now());
        if (wait > 0) throw new HubError('RATE_LIMITED', `too many failed attempts: try again in ${wait} s`);
        try {
          await users.changePassword(user.id, request.body.current, request.body.next);
        } catch (error) {
          if (error instanceof HubError && error.code === 'FORBIDDEN') limiter.failed(user.id, request.ip, now());
          throw error;
        }
        // Other sessions of this user end; this one goes on.
        sessions.endUser(user.id, request.session?.id);
        deps.audit?.record({ ...actorOf(request), action: 'password_changed', target: `user:${user.id}`, before: { passwordHash: '(changed)' }, after: { passwordHash: '(changed)' } });
        return reply.code(204).send();
      },
    );
  };
