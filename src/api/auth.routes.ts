/** Log in, log out, who am I, change my password. Failed logins are rate limited. A login with a second factor is completed by mfa.routes.ts. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MFA_POLICIES, ROLES, type Me } from '../contracts/access.ts';
import { MFA_PENDING_COOKIE, MFA_PENDING_MS } from '../auth/mfa-pending.ts';
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
  /** The parties (routing groups) the login is a member of: alerts handed over to them are in scope. */
  parties: z.array(z.string()),
  mustChangePassword: z.boolean(),
  /** The login's second factor (two-factor login). */
  mfa: z.object({ enabled: z.boolean(), required: z.boolean(), recoveryCodesLeft: z.number(), policy: z.enum(MFA_POLICIES) }).optional(),
});

/** The user as the login itself sees it: with its two-factor state. */
export function withMfa(deps: ApiDeps, user: Me): Me {
  const mfa = deps.access.mfa?.status(user);
  return mfa ? { ...user, mfa } : user;
}

/** The 429 of a refused login (the password or the code step): the same shape. */
export const loginRefusedSchema = z.object({
  error: z.literal('RATE_LIMITED'),
  message: z.string(),
  retryAfterSec: z.number(),
  /** `account`: this login is locked (failures in a row, from anywhere); `address`: too many failures from this address. */
  scope: z.enum(['account', 'address']),
  /** When a login may be tried again (epoch ms). */
  lockedUntil: z.number(),
  params: z.object({ scope: z.enum(['account', 'address']), until: z.number(), s: z.number() }),
});

export function loginRefusedAnswer(refusal: { scope: 'account' | 'address'; until: number; retryAfterSec: number }) {
  const { scope, until, retryAfterSec } = refusal;
  return {
    error: 'RATE_LIMITED' as const,
    message: scope === 'account' ? `too many failed logins for this account: locked until ${new Date(until).toISOString()}` : `too many failed logins from this address: try again in ${retryAfterSec} s`,
    retryAfterSec,
    scope,
    lockedUntil: until,
    params: { scope, until, s: retryAfterSec },
  };
}

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
            /** `mfaRequired`: the password was right; the login is completed with a code (POST /api/auth/login/mfa) within `expiresAt`. */
            200: z.union([z.object({ user: meSchema }), z.object({ mfaRequired: z.literal(true), expiresAt: z.number() })]),
            429: loginRefusedSchema,
          },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        // The attempt takes its slot before the password is checked: guesses sent at once are counted as they arrive.
        const slot = await limiter.enter(username, request.ip, now());
        if (!slot.ok) {
          const { scope, until, retryAfterSec } = slot.refusal;
          deps.audit?.record({ actor: username, address: request.ip, action: 'login_refused', after: { scope, until: new Date(until).toISOString() } });
          reply.header('retry-after', String(retryAfterSec));
          return reply.code(429).send(loginRefusedAnswer(slot.refusal));
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
        let secondFactor = false;
        try {
          secondFactor = (await deps.access.mfa?.enabledNow(user.id)) ?? false;
        } catch (error) {
          slot.attempt.passed();
          throw error;
        }
        if (deps.access.mfa && secondFactor) {
          // The password was right; no session until the second factor: the slot is freed, the streak stays.
          slot.attempt.passed();
          const pending = await deps.access.mfa.pending.create(user.id, now()).catch((error: unknown) => {
            slot.attempt.passed();
            throw error;
          });
          reply.setCookie(MFA_PENDING_COOKIE, pending.token, { ...cookieOptions, path: '/api/auth/login', maxAge: Math.floor(MFA_PENDING_MS / 1000) });
          deps.audit?.record({ actor: user.id, actorName: user.name ?? user.id, address: request.ip, action: 'login_mfa_pending' });
          return { mfaRequired: true as const, expiresAt: pending.expiresAt };
        }
        slot.attempt.succeeded();
        const { token } = await sessions.start(user.id, now());
        reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: Math.floor(deps.access.sessionIdleMs / 1000) });
        request.log.info({ user: user.id, role: user.role }, 'login');
        const described = describeUser(user, deps.alertsConfig);
        deps.audit?.record({ actor: user.id, actorName: described.name, address: request.ip, action: 'login' });
        return { user: withMfa(deps, described) };
      },
    );

    app.post('/api/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
      sessions.end(request.cookies[SESSION_COOKIE]);
      deps.audit?.record({ ...actorOf(request), action: 'logout' });
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send();
    });

    app.get('/api/auth/me', { schema: { tags: ['auth'], response: { 200: z.object({ user: meSchema }) } } }, async (request) => ({
      user: withMfa(deps, me(request)),
    }));

    // Whether this browser is logged in, without a 401 when it is not: what the dashboard asks first.
    app.get(
      '/api/auth/session',
      { config: { public: true }, schema: { tags: ['auth'], response: { 200: z.object({ user: meSchema.nullable() }) } } },
      async (request) => {
        const session = await sessions.resolve(request.cookies[SESSION_COOKIE], now());
        const user = session && users.get(session.userId);
        return { user: user ? withMfa(deps, describeUser(user, deps.alertsConfig)) : null };
      },
    );

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
        const slot = await limiter.enter(user.id, request.ip, now());
        if (!slot.ok) {
          deps.audit?.record({ ...actorOf(request), action: 'password_change_refused', target: `user:${user.id}`, after: { scope: slot.refusal.scope, until: new Date(slot.refusal.until).toISOString() } });
          throw new HubError('RATE_LIMITED', `too many failed attempts: try again in ${slot.refusal.retryAfterSec} s`, { params: { scope: slot.refusal.scope, until: slot.refusal.until, s: slot.refusal.retryAfterSec } });
        }
        try {
          await users.changePassword(user.id, request.body.current, request.body.next);
        } catch (error) {
          if (error instanceof HubError && error.code === 'FORBIDDEN') {
            const { lockedUntil } = slot.attempt.failed(now());
            deps.audit?.record({ ...actorOf(request), action: 'password_change_refused', target: `user:${user.id}`, note: 'current password wrong' });
            if (lockedUntil) deps.audit?.record({ ...actorOf(request), action: 'account_locked', target: `user:${user.id}`, after: { lockedUntil: new Date(lockedUntil).toISOString() } });
          } else {
            slot.attempt.succeeded();
            // A new password the policy refuses: which rule, never the password.
            if (error instanceof HubError && error.code === 'PASSWORD_WEAK') deps.audit?.record({ ...actorOf(request), action: 'password_change_refused', target: `user:${user.id}`, note: `PASSWORD_WEAK: ${String(error.params?.reason)}` });
          }
          throw error;
        }
        slot.attempt.succeeded();
        // Other sessions of this user end; this one goes on.
        await sessions.endUser(user.id, request.session?.id);
        await deps.access.mfa?.pending.endUser(user.id);
        deps.audit?.record({ ...actorOf(request), action: 'password_changed', target: `user:${user.id}`, before: { passwordHash: '(changed)' }, after: { passwordHash: '(changed)' } });
        return reply.code(204).send();
      },
    );
  };
