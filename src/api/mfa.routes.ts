/**
 * Two-factor login (docs/access.md "Two-factor login"): the code step of a login, enrolment
 * (start → QR code and key, confirm with a code → ten recovery codes, shown once), regenerating
 * recovery codes, disabling, and an admin's reset. Wrong codes count in the login limiter like
 * wrong passwords (a slot taken before the check; per account lockout); every step is audited
 * with the actor and the client address.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../contracts/live-events.ts';
import { ID_PATTERN } from '../contracts/ids.ts';
import { HubError } from '../errors.ts';
import { describeUser } from '../auth/user-scope.ts';
import { MFA_PENDING_COOKIE } from '../auth/mfa-pending.ts';
import type { MfaCheck, MfaService } from '../auth/mfa.service.ts';
import type { LoginRefusal } from '../auth/login-limiter.ts';
import { actorOf, adminOnlyHook, me, requireRole } from './access.guard.ts';
import { loginRefusedAnswer, loginRefusedSchema, meSchema, withMfa } from './auth.routes.ts';
import type { ApiDeps } from './api.types.ts';

const code = z.string().trim().min(1).max(20);
const recoveryCode = z.string().trim().min(1).max(40);
/** A TOTP code, or one of the recovery codes: exactly one. */
const secondFactor = z
  .object({ code: code.optional(), recoveryCode: recoveryCode.optional() })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { message: 'give either code or recoveryCode', path: ['code'] });
const mfaStatusSchema = meSchema.shape.mfa.unwrap();
const enrolmentSchema = z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() });
const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()), mfa: mfaStatusSchema });
const tags = ['auth'];

export const mfaRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const mfa: MfaService | undefined = deps.access.mfa;
    if (!mfa) return;
    const { users, sessions, limiter } = deps.access;
    const now = deps.now ?? Date.now;
    const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: deps.access.cookieSecure };

    /** Why a code was not taken, for the audit log. */
    const failed = (request: FastifyRequest, actor: { actor: string; actorName?: string }, step: string, check: MfaCheck & { ok: false }, lockedUntil?: number) => {
      deps.metrics.loginFailures.inc();
      deps.audit?.record({ ...actor, address: request.ip, action: 'mfa_failed', target: `user:${actor.actor}`, note: `${step}: ${check.reason}` });
      if (lockedUntil) deps.audit?.record({ ...actor, address: request.ip, action: 'account_locked', target: `user:${actor.actor}`, after: { lockedUntil: new Date(lockedUntil).toISOString() } });
    };
    const refused = (reply: FastifyReply, refusal: LoginRefusal) => {
      reply.header('retry-after', String(refusal.retryAfterSec));
      return reply.code(429).send(loginRefusedAnswer(refusal));
    };

    /** The logged-in user's attempt under the login limiter (slot taken before anything is checked); RATE_LIMITED, audited, when none is left. */
    const ownAttempt = async (request: FastifyRequest, step: string) => {
      const user = me(request);
      const slot = await limiter.enter(user.id, request.ip, now());
      if (slot.ok) return slot.attempt;
      const { scope, until, retryAfterSec } = slot.refusal;
      deps.audit?.record({ ...actorOf(request), action: 'mfa_refused', target: `user:${user.id}`, note: step, after: { scope, until: new Date(until).toISOString() } });
      throw new HubError('RATE_LIMITED', `too many failed attempts: try again in ${retryAfterSec} s`, { params: { scope, until, s: retryAfterSec } });
    };

    /**
     * A second factor of the logged-in user, checked under the login limiter (disable, regenerate):
     * a stolen session cannot guess its way to the factor either.
     */
    const checkOwn = async (request: FastifyRequest, step: string, answer: { code?: string | undefined; recoveryCode?: string | undefined }, password?: string): Promise<MfaCheck> => {
      const user = me(request);
      const attempt = await ownAttempt(request, step);
      try {
        if (password !== undefined && !(await users.verify(user.id, password))) {
          const { lockedUntil } = attempt.failed(now());
          failed(request, { actor: user.id, actorName: user.name }, step, { ok: false, reason: 'wrong' }, lockedUntil);
          throw new HubError('FORBIDDEN', 'password: the password is wrong');
        }
        const check = await mfa.check(user.id, answer, now());
        if (!check.ok) {
          const { lockedUntil } = check.reason === 'not_enrolled' ? (attempt.passed(), {}) : attempt.failed(now());
          if (check.reason === 'not_enrolled') throw new HubError('BAD_REQUEST', 'two-factor login is not on');
          failed(request, { actor: user.id, actorName: user.name }, step, check, lockedUntil);
          throw new HubError('MFA_CODE_INVALID', 'the code is wrong or was used already');
        }
        attempt.succeeded();
        if (check.method === 'recovery') deps.audit?.record({ ...actorOf(request), action: 'mfa_recovery_code_used', target: `user:${user.id}`, note: step, after: { recoveryCodesLeft: check.recoveryCodesLeft } });
        return check;
      } catch (error) {
        attempt.passed(); // no-op when the attempt was settled above
        throw error;
      }
    };

    app.post(
      '/api/auth/login/mfa',
      {
        config: { public: true },
        schema: {
          tags,
          body: secondFactor,
          response: { 200: z.object({ user: meSchema, recoveryCodesLeft: z.number().optional() }), 429: loginRefusedSchema },
        },
      },
      async (request, reply) => {
        const token = request.cookies[MFA_PENDING_COOKIE];
        const userId = await mfa.pending.userOf(token, now());
        if (!userId) throw new HubError('MFA_LOGIN_EXPIRED', 'log in with the password again (the code step lasts 5 minutes)');
        // Counted like a password: the slot is taken before the code is checked.
        const slot = await limiter.enter(userId, request.ip, now());
        if (!slot.ok) {
          deps.audit?.record({ actor: userId, address: request.ip, action: 'login_refused', note: 'mfa', after: { scope: slot.refusal.scope, until: new Date(slot.refusal.until).toISOString() } });
          return refused(reply, slot.refusal);
        }
        let check: MfaCheck;
        try {
          check = await mfa.check(userId, request.body, now());
        } catch (error) {
          slot.attempt.passed();
          throw error;
        }
        const user = users.get(userId);
        if (!check.ok || !user) {
          const { lockedUntil } = slot.attempt.failed(now());
          failed(request, { actor: userId, ...(user?.name ? { actorName: user.name } : {}) }, 'login', check.ok ? { ok: false, reason: 'not_enrolled' } : check, lockedUntil);
          throw new HubError('MFA_CODE_INVALID', 'the code is wrong or was used already');
        }
        slot.attempt.succeeded();
        // Single use: of two code steps at once (on two instances), one completes the login.
        if (!(await mfa.pending.take(token, now()))) throw new HubError('MFA_LOGIN_EXPIRED', 'log in with the password again (the code step lasts 5 minutes)');
        reply.clearCookie(MFA_PENDING_COOKIE, { ...cookieOptions, path: '/api/auth/login' });
        const session = await sessions.start(user.id, now());
        reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, maxAge: Math.floor(deps.access.sessionIdleMs / 1000) });
        const described = describeUser(user, deps.alertsConfig);
        request.log.info({ user: user.id, role: user.role, mfa: check.method }, 'login');
        deps.audit?.record({ actor: user.id, actorName: described.name, address: request.ip, action: 'login', note: `mfa: ${check.method}` });
        if (check.method === 'recovery') {
          deps.audit?.record({ actor: user.id, actorName: described.name, address: request.ip, action: 'mfa_recovery_code_used', target: `user:${user.id}`, note: 'login', after: { recoveryCodesLeft: check.recoveryCodesLeft } });
          return { user: withMfa(deps, described), recoveryCodesLeft: check.recoveryCodesLeft };
        }
        return { user: withMfa(deps, described) };
      },
    );

    app.get('/api/auth/mfa', { schema: { tags, response: { 200: z.object({ mfa: mfaStatusSchema }) } } }, async (request) => ({ mfa: mfa.status(me(request)) }));

    app.post('/api/auth/mfa/start', { schema: { tags, response: { 200: enrolmentSchema } } }, async (request) => {
      const user = me(request);
      const enrolment = await mfa.start(user.id, now());
      // The secret is not written to the log; the entry says that an enrolment began.
      deps.audit?.record({ ...actorOf(request), action: 'mfa_enrolment_started', target: `user:${user.id}` });
      return enrolment;
    });

    app.post('/api/auth/mfa/confirm', { schema: { tags, body: z.object({ password: z.string().min(1).max(200), code }), response: { 200: recoveryCodesSchema } } }, async (request) => {
      const user = me(request);
      // The password again: a session taken from someone (a shared PC left logged in) cannot bind its own phone.
      const attempt = await ownAttempt(request, 'confirm');
      if (!(await users.verify(user.id, request.body.password))) {
        const { lockedUntil } = attempt.failed(now());
        deps.metrics.loginFailures.inc();
        deps.audit?.record({ ...actorOf(request), action: 'mfa_failed', target: `user:${user.id}`, note: 'confirm: password wrong' });
        if (lockedUntil) deps.audit?.record({ ...actorOf(request), action: 'account_locked', target: `user:${user.id}`, after: { lockedUntil: new Date(lockedUntil).toISOString() } });
        throw new HubError('FORBIDDEN', 'password: the password is wrong');
      }
      attempt.passed();
      const result = await mfa.confirm(user.id, request.body.code, now());
      if (!result.ok) {
        if (result.reason === 'not_started') throw new HubError('BAD_REQUEST', 'start the enrolment first (POST /api/auth/mfa/start)');
        deps.audit?.record({ ...actorOf(request), action: 'mfa_failed', target: `user:${user.id}`, note: 'confirm: wrong' });
        throw new HubError('MFA_CODE_INVALID', 'the code is wrong: check the time on the phone, and type the code the app shows now');
      }
      // Sessions opened with the password alone end; this one goes on.
      await sessions.endUser(user.id, request.session?.id);
      deps.audit?.record({ ...actorOf(request), action: 'mfa_enabled', target: `user:${user.id}`, before: { mfa: false }, after: { mfa: true, recoveryCodes: '(changed)' } });
      return { recoveryCodes: result.recoveryCodes, mfa: mfa.status(user) };
    });

    app.post(
      '/api/auth/mfa/recovery-codes',
      { schema: { tags, body: z.object({ code }), response: { 200: recoveryCodesSchema } } },
      async (request) => {
        const user = me(request);
        await checkOwn(request, 'recovery_codes', { code: request.body.code });
        const recoveryCodes = await mfa.regenerateRecoveryCodes(user.id, now());
        deps.audit?.record({ ...actorOf(request), action: 'mfa_recovery_codes_regenerated', target: `user:${user.id}`, before: { recoveryCodes: '(changed)' }, after: { recoveryCodes: '(changed)' } });
        return { recoveryCodes, mfa: mfa.status(user) };
      },
    );

    app.post(
      '/api/auth/mfa/disable',
      {
        schema: {
          tags,
          body: z.object({ password: z.string().min(1).max(200), code: code.optional(), recoveryCode: recoveryCode.optional() }).refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { message: 'give either code or recoveryCode', path: ['code'] }),
          response: { 200: z.object({ mfa: mfaStatusSchema }) },
        },
      },
      async (request) => {
        const user = me(request);
        if (mfa.isRequired(user.role)) {
          deps.audit?.record({ ...actorOf(request), action: 'mfa_disable_refused', target: `user:${user.id}`, note: 'MFA_REQUIRED' });
          throw new HubError('MFA_REQUIRED', `MFA=required: a ${user.role} keeps two-factor login (an admin can reset it for a new phone)`, { params: { role: user.role } });
        }
        const { password, ...answer } = request.body;
        await checkOwn(request, 'disable', answer, password);
        await mfa.remove(user.id, now());
        deps.audit?.record({ ...actorOf(request), action: 'mfa_disabled', target: `user:${user.id}`, before: { mfa: true }, after: { mfa: false } });
        return { mfa: mfa.status(user) };
      },
    );

    app.post(
      '/api/admin/users/:id/mfa/reset',
      { onRequest: adminOnlyHook, schema: { tags: ['admin'], params: z.object({ id: z.string().regex(ID_PATTERN) }), response: { 200: z.object({ mfa: mfaStatusSchema }) } } },
      async (request) => {
        const admin = requireRole(request, 'admin');
        const { id } = request.params;
        if (id === admin.id) throw new HubError('CONFLICT', 'you cannot reset your own two-factor login: disable it, or ask another admin', { params: { id } });
        const was = mfa.isEnabled(id);
        await mfa.remove(id, now()); // NOT_FOUND when there is no such login
        // A lost or stolen phone: the sessions opened with it end too.
        await sessions.endUser(id);
        deps.audit?.record({ ...actorOf(request), action: 'user_mfa_reset', target: `user:${id}`, before: { mfa: was }, after: { mfa: false } });
        const target = users.get(id);
        return { mfa: mfa.status(target ?? { id, role: 'viewer' }) };
      },
    );
  };
