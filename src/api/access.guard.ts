/**
 * Who is asking (design.md §8): every `/api/*` route and `/metrics` needs a live session
 * (cookie `ch_session`) unless its route config says `public: true`. Routes then check the
 * role's actions and the user's compounds with the helpers below.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { inScope, mayDo, maySee, type Action, type Me, type Role } from '../contracts/access.ts';
import { SESSION_COOKIE } from '../contracts/live-events.ts';
import { HubError } from '../errors.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loginHold } from '../auth/login-holds.ts';
import type { Session } from '../auth/sessions.ts';
import type { ApiDeps } from './api.types.ts';
import type { AuditActor } from '../audit/audit.log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    me: Me | null;
    session: Session | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a login. */
    public?: boolean;
  }
}

/** What a login with a one-time password may do before it is changed (mustChangePassword). */
export const PASSWORD_CHANGE_ROUTES: ReadonlySet<string> = new Set(['POST /api/auth/password', 'POST /api/auth/logout', 'GET /api/auth/me', 'HEAD /api/auth/me']);

/** What an admin or manager may do under `MFA=required` before enrolling a second factor. */
export const MFA_ENROLMENT_ROUTES: ReadonlySet<string> = new Set([...PASSWORD_CHANGE_ROUTES, 'GET /api/auth/mfa', 'HEAD /api/auth/mfa', 'POST /api/auth/mfa/start', 'POST /api/auth/mfa/confirm']);

/** Constant-time comparison of the bytes (a string's length is not its byte length). */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installAccessGuard(app: FastifyInstance, deps: ApiDeps): void {
  const now = deps.now ?? Date.now;
  app.decorateRequest('me', null);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    // Decided on the route that matched, not on the raw URL: `/%6Detrics` is routed to `/metrics` too.
    const route = request.routeOptions.url;
    if (route === undefined) return; // no route: 404
    const metrics = route === '/metrics';
    if (!(route.startsWith('/api/') || metrics) || request.routeOptions.config.public) return;
    if (metrics && deps.access.metricsToken) {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (bearer && sameSecret(bearer, deps.access.metricsToken)) return;
    }
    // Synchronous when this instance knows the session; on several instances a token it does not know is looked up in the database.
    const session = await deps.access.sessions.resolve(request.cookies[SESSION_COOKIE], now());
    const known = session && deps.access.users.get(session.userId);
    if (!session || !known) throw new HubError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
    // Synchronous without a hold; on several instances a hold seen here is checked in the database (lifted through another instance?).
    const checked = loginHold(deps.access, known);
    const { user, hold } = checked instanceof Promise ? await checked : checked;
    if (!user) throw new HubError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
    request.session = session;
    request.me = describeUser(user, deps.alertsConfig);
    // A one-time password (first run, created or reset by an admin) opens nothing but its own change.
    if (hold === 'PASSWORD_CHANGE_REQUIRED' && !PASSWORD_CHANGE_ROUTES.has(`${request.method} ${route}`)) {
      deps.refusals?.refused({ action: 'access_refused', channel: 'http', actor: user.id, address: request.ip, target: `${request.method} ${route}`, note: 'PASSWORD_CHANGE_REQUIRED' });
      throw new HubError('PASSWORD_CHANGE_REQUIRED', 'change the one-time password first (POST /api/auth/password)');
    }
    // MFA=required: an admin or manager without a second factor may only set one up.
    if (hold === 'MFA_ENROLMENT_REQUIRED' && !MFA_ENROLMENT_ROUTES.has(`${request.method} ${route}`)) {
      deps.refusals?.refused({ action: 'access_refused', channel: 'http', actor: user.id, address: request.ip, target: `${request.method} ${route}`, note: 'MFA_ENROLMENT_REQUIRED' });
      throw new HubError('MFA_ENROLMENT_REQUIRED', 'set up two-factor login first (POST /api/auth/mfa/start, then /api/auth/mfa/confirm)');
    }
    if (metrics) requireAction(request, 'ops');
  });
}

/** The logged-in user (routes behind the guard always have one). */
export function me(request: FastifyRequest): Me {
  if (!request.me) throw new HubError('UNAUTHORIZED', 'log in first (POST /api/auth/login)');
  return request.me;
}

export function requireAction(request: FastifyRequest, action: Action): Me {
  const user = me(request);
  if (!mayDo(user.role, action)) throw new HubError('FORBIDDEN', `a ${user.role} may not ${action}`);
  return user;
}

export function requireCompound(request: FastifyRequest, compound: string): Me {
  const user = me(request);
  if (!inScope(user, compound)) throw new HubError('FORBIDDEN', `compound ${compound} is outside your scope`);
  return user;
}

/** The user may see the alert (its compound is in scope, or it was handed over to one of their parties), or FORBIDDEN. */
export function requireSees(request: FastifyRequest, alert: { id: string; compound: string; parties?: readonly string[] }): Me {
  const user = me(request);
  if (!maySee(user, alert)) throw new HubError('FORBIDDEN', `alert ${alert.id} is outside your scope`, { params: { id: alert.id } });
  return user;
}

/** Keeps the alerts the user may see (contracts/access.ts maySee). */
export function seenByMe<T extends { compound: string; parties?: readonly string[] }>(request: FastifyRequest, items: Iterable<T>): T[] {
  const user = me(request);
  return [...items].filter((item) => maySee(user, item));
}

/** The alerts handed over to one of the user's parties that are not in their compounds' scope (what a department holds). */
export function handedToMe<T extends { compound: string; parties?: readonly string[] }>(request: FastifyRequest, items: Iterable<T>): T[] {
  const user = me(request);
  if (!user.parties.length) return [];
  return [...items].filter((item) => !inScope(user, item.compound) && maySee(user, item));
}

/** Keeps the items of compounds in the user's scope. */
export function inMyScope<T extends { compound: string }>(request: FastifyRequest, items: Iterable<T>): T[] {
  const user = me(request);
  return [...items].filter((item) => inScope(user, item.compound));
}

/** The logged-in user with one of these roles. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Me {
  const user = me(request);
  if (!roles.includes(user.role)) throw new HubError('FORBIDDEN', `only ${roles.map((r) => `a ${r}`).join(' or ')} may do this, not a ${user.role}`);
  return user;
}

/** An admin, or a manager of this compound (devices and contacts). */
export function requireManagerOf(request: FastifyRequest, compound: string): Me {
  const user = requireRole(request, 'admin', 'manager');
  if (!inScope(user, compound)) throw new HubError('FORBIDDEN', `compound ${compound} is outside your scope`);
  return user;
}

/** Who is acting, for the audit log: the logged-in user and the client address (the proxy's client only behind a TRUST_PROXY). */
export function actorOf(request: FastifyRequest): AuditActor {
  const user = me(request);
  return { actor: user.id, actorName: user.name, address: request.ip };
}

/** Route hooks (`onRequest`): role checks before the body is read or validated: someone who may not do this learns nothing from a 400. */
export async function adminOnlyHook(request: FastifyRequest): Promise<void> {
  requireRole(request, 'admin');
}

/** An admin, or a manager of the compound named by the raw path parameter `param`. */
export const managerOf =
  (param: string) =>
  async (request: FastifyRequest): Promise<void> => {
    requireManagerOf(request, String((request.params as Record<string, unknown>)[param] ?? ''));
  };
