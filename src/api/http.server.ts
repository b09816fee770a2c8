/**
 * The HTTP server: fastify with zod schemas on every route, OpenAPI at /docs,
 * coded errors mapped to status codes. Routes live in one plugin per concern.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  hasZodFastifySchemaValidationErrors,
} from 'fastify-type-provider-zod';
import { isHubError, type ErrorCode } from '../errors.ts';
import type { ApiDeps } from './api.types.ts';
import { healthRoutes } from './health.routes.ts';
import { deviceRoutes } from './devices.routes.ts';
import { historyRoutes } from './history.routes.ts';
import { clusterRoutes } from './cluster.routes.ts';
import { conditionRoutes } from './conditions.routes.ts';
import { alertRoutes } from './alerts.routes.ts';
import { alertDeskRoutes } from './alert-desk.routes.ts';
import { silenceRoutes } from './silences.routes.ts';
import { peopleRoutes } from './people.routes.ts';
import { ruleRoutes } from './rules.routes.ts';
import { dashboardRoutes } from './dashboards.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { mfaRoutes } from './mfa.routes.ts';
import { installAccessGuard } from './access.guard.ts';
import { installOriginGuard, LOOPBACK_HOSTS } from './origin.guard.ts';
import { isValidationError } from '../admin/issues.ts';
import { adminRoutes } from './admin.routes.ts';
import { sitePlanRoutes } from './site-plan.routes.ts';
import { alertPhotoRoutes } from './alert-photos.routes.ts';
import { noticeRoutes } from './notice.routes.ts';
import { reportRoutes } from './reports.routes.ts';
import { httpsServerFactory } from './https.server.ts';

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONDITION_ACTIVE: 409,
  ASSIGNEE_INVALID: 400,
  PARTY_INVALID: 400,
  HANDED_OVER_ALREADY: 409,
  EVALUATION_CLOSED: 409,
  EVALUATED_ALREADY: 409,
  SILENCE_TOO_LONG: 400,
  SILENCE_NEEDS_ADMIN: 403,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  PASSWORD_CHANGE_REQUIRED: 403,
  PASSWORD_WEAK: 400,
  MFA_CODE_INVALID: 401,
  MFA_LOGIN_EXPIRED: 401,
  MFA_ENROLMENT_REQUIRED: 403,
  MFA_REQUIRED: 403,
  QUERY_INVALID: 400,
  STORE_UNAVAILABLE: 503,
  QUERY_FAILED: 502,
  CONFLICT: 409,
  ROUTING_INVALID: 400,
  RULES_INVALID: 400,
  REGISTRY_INVALID: 400,
  STATE_UNAVAILABLE: 503,
  STATE_UNSUPPORTED: 400,
  HOST_NOT_ALLOWED: 421,
  CROSS_ORIGIN: 403,
  PLAN_IMAGE_TYPE: 415,
  PLAN_IMAGE_TOO_LARGE: 413,
  PHOTO_TYPE: 415,
  PHOTO_TOO_LARGE: 413,
  PHOTO_TOO_MANY: 409,
  TOKEN_INVALID: 401,
  SIGNATURE_INVALID: 401,
  CURSOR_EXPIRED: 410,
};

const PERMISSIONS_POLICY = [
  'geolocation=(self)',
  'camera=()',
  'microphone=()',
  'display-capture=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'midi=()',
  'accelerometer=()',
  'gyroscope=()',
  'magnetometer=()',
  'screen-wake-lock=()',
].join(', ');
const NO_STORE_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/docs']);

export async function buildHttpServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ stage: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // A request (headers and body) must arrive within 30 s, else 408 and the connection is
    // closed: a client trickling a body cannot hold a connection open (Node checks every 30 s).
    requestTimeout: 30_000,
    // On stop, open connections (a browser's keep-alive or long poll) are ended too: waiting for
    // them could hold the hub's stop until the browser gives up.
    forceCloseConnections: true,
    // Behind a listed reverse proxy, request.ip is the client its X-Forwarded-For names (the
    // audit log, the login limiter); otherwise the peer, whatever a header says.
    trustProxy: deps.trustProxy?.length ? deps.trustProxy : false,
    // HTTPS_CERT / HTTPS_KEY: TLS on the same port, no plain HTTP beside it.
    ...(deps.https ? { serverFactory: httpsServerFactory(deps.https) } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send({
        error: 'BAD_REQUEST',
        message: error.validation.map((v) => `${v.instancePath || '(root)'}: ${v.message}`).join('; '),
        issues: error.validation.map((v) => ({ path: v.instancePath.slice(1).replaceAll('/', '.') || '(root)', message: v.message })),
      });
    }
    if (isValidationError(error)) {
      return reply.code(STATUS_BY_CODE[error.code] ?? 400).send({
        error: error.code,
        message: error.message,
        issues: error.issues,
        ...(error.rows ? { rows: error.rows } : {}),
        ...(error.params ? { params: error.params } : {}),
      });
    }
    if (isHubError(error)) {
      return reply.code(STATUS_BY_CODE[error.code] ?? 500).send({ error: error.code, message: error.message, ...(error.params ? { params: error.params } : {}) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'BAD_REQUEST', message: (error as Error).message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
  });

  // First of all: a request under a foreign name (DNS rebinding) or a change from another origin goes no further.
  installOriginGuard(app, deps.allowedHosts ?? LOOPBACK_HOSTS, deps.refusals);
  await app.register(cookie);
  await app.register(helmet, {
    // Plain HTTP on a LAN is a common case: do not force HTTPS upgrades. The worker app's
    // service worker and manifest come from the hub itself, nowhere else.
    // Styles and fonts from the hub only (helmet's defaults also allow `https:` and inline styles).
    contentSecurityPolicy: {
      directives: { upgradeInsecureRequests: null, styleSrc: ["'self'"], fontSrc: ["'self'"], workerSrc: ["'self'"], manifestSrc: ["'self'"] },
    },
    // Strict-Transport-Security when the hub is reached over HTTPS: its own (HTTPS_CERT) or a TLS proxy's (COOKIE_SECURE=on).
    hsts: Boolean(deps.https) || deps.access.cookieSecure,
  });
  // Powerful features: location for the worker app's check-in (its own pages only), nothing else.
  // API answers (and health, metrics) are never kept by a browser or a proxy: they hold personal data and live state.
  app.addHook('onSend', async (request, reply) => {
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    const route = request.routeOptions.url ?? '';
    const path = request.url.split('?')[0]!;
    // A route may say more (`private, no-store` on a photo), never less; only a public route may
    // let its answer be kept (`public, max-age=…`: the building notice, which holds no personal data).
    const own = String(reply.getHeader('cache-control') ?? '');
    const kept = own.includes('no-store') || (request.routeOptions.config.public === true && reply.statusCode === 200 && own.startsWith('public,'));
    if (!kept && (path.startsWith('/api/') || route.startsWith('/api/') || NO_STORE_ROUTES.has(route) || NO_STORE_ROUTES.has(path))) reply.header('cache-control', 'no-store');
  });
  installAccessGuard(app, deps);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Compound Hub API', version: '0.1.0', description: 'Smart-compound IoT monitoring hub' },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/docs', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(authRoutes(deps));
  await app.register(mfaRoutes(deps));
  await app.register(healthRoutes(deps));
  await app.register(deviceRoutes(deps));
  await app.register(historyRoutes(deps));
  await app.register(conditionRoutes(deps));
  await app.register(clusterRoutes(deps));
  await app.register(alertRoutes(deps));
  await app.register(alertPhotoRoutes(deps));
  await app.register(noticeRoutes(deps));
  await app.register(reportRoutes(deps));
  await app.register(alertDeskRoutes(deps));
  await app.register(silenceRoutes(deps));
  await app.register(peopleRoutes(deps));
  await app.register(ruleRoutes(deps));
  if (deps.admin) await app.register(adminRoutes(deps, deps.admin));
  await app.register(sitePlanRoutes(deps));
  if (deps.northbound) await app.register(deps.northbound);
  await app.register(dashboardRoutes());
  return app;
}
