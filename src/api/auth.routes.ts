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
            429: z.object({
              error: z.literal('RATE_LIMITED'),
              message: z.string(),
              retryAfterSec: z.number(),
              /** `account`: this login is locked (failures in a row, from anywhere); `address`: too many failures from this address. */
              scope: z.enum(['account', 'address']),
              /** When a login may be tried again (epoch ms). */
              lockedUntil: z.number(),
              params: z.object({ scope: z.enum(['account', 'address']), until: z.number(), s: z.number() }),
            }),
          },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        // The attempt takes its slot before the password is checked: guesses sent at once are counted as they arrive.
        const slot = limiter.begin(username, request.ip, now());
        if (!slot.ok) {
          const { scope, until, retryAfterSec } = slot.refusal;
          deps.audit?.record({ actor: username, address: request.ip, action: 'login_refused', after: { scope, until: new Date(until).toISOString() } });
          reply.header('retry-after', String(retryAfterSec));
          return reply.code(429).send({
            error: 'RATE_LIMITED' as const,
            message: scope === 'account' ? `too many failed logins for this account: locked until ${new Date(until).toISOString()}` : `too many failed logins from this address: try again in ${retryAfterSec} s`,
            retryAfterSec,
            scope,
            lockedUntil: until,
            params: { scope, until, s: retryAfterSec },
          });
        }
        const user = await users.verify(username, password);
        if (!user) {
          const { lockedUntil } = slot.attempt.failed(now());
          deps.metrics.loginFailures.inc();
          // The id tried, never the password.
          deps.audit?.record({ actor: username, address: request.ip, action: 'login_failed' });
          if (lockedUntil) deps.audit?.record({ actor: username, address: request.ip, action: 'account_locked', target: `user:${username}`, after: { lockedUntil: new Date(lockedUntil).toISOString() } });
          throw new HubError('UNAUTHORIZED', 'wrong user name or password');
        }
        slot.attempt.succeeded();
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
        const slot = limiter.begin(user.id, request.ip, now());
        if (!slot.ok) {
          deps.audit?.record({ ...actorOf(request), action: 'password_change_refused', target: `user:${user.id}`, after: { scope: slot.refusal.scope, until: new Date(slot.refusal.until).toISOString() } });
          throw new HubError('RATE_LIMITED', `too many failed attempts: try again in ${slot.refusal.retryAfterSec} s`, { params: { scope: slot.refusal.scope, until: slot.refusal.until, s: slot.refusal.retryAfterSec } });
        }
        try {
          await users.changePassword(user.id, request.body.current, request.body.next);
        } catch (error) {
          if (error instanceof HubError && error.code === 'FORBIDDEN') {
            const { lockedUntil } = slot.attempt.failed(now());
            if (lockedUntil) deps.audit?.record({ ...actorOf(request), action: 'account_locked', target: `user:${user.id}`, after: { lockedUntil: new Date(lockedUntil).toISOString() } });
          } else slot.attempt.succeeded();
          throw error;
        }
        slot.attempt.succeeded();
        // Other sessions of this user end; this one goes on.
        sessions.endUser(user.id, request.session?.id);
        deps.audit?.record({ ...actorOf(request), action: 'password_changed', target: `user:${user.id}`, before: { passwordHash: '(changed)' }, after: { passwordHash: '(changed)' } });
        return reply.code(204).send();
      },
    );
  };
