/** Liveness, readiness and Prometheus metrics. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { SESSION_COOKIE } from '../contracts/live-events.ts';
import type { ApiDeps } from './api.types.ts';

/** An admin session not held to a password change or MFA enrolment, or Prometheus with METRICS_TOKEN: they see addresses and error texts on /readyz. */
async function seesDetails(deps: ApiDeps, request: FastifyRequest): Promise<boolean> {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const token = deps.access.metricsToken;
  if (bearer && token && Buffer.byteLength(bearer) === Buffer.byteLength(token) && timingSafeEqual(Buffer.from(bearer), Buffer.from(token))) return true;
  const session = await deps.access.sessions.resolve(request.cookies[SESSION_COOKIE], (deps.now ?? Date.now)());
  const user = session ? deps.access.users.get(session.userId) : undefined;
  // A held admin session (a one-time password, or a second factor still to set up) opens no more here than elsewhere.
  return Boolean(user && user.role === 'admin' && !user.mustChangePassword && !deps.access.mfa?.mustEnrol(user));
}

const readySchema = z.object({
  ready: z.boolean(),
  warnings: z.array(z.string()),
  /** url and clients: for an admin session (or METRICS_TOKEN) only. */
  broker: z.object({ kind: z.string(), url: z.string().optional(), connected: z.boolean(), clients: z.number().optional() }),
  storage: z.object({
    mode: z.enum(['influxdb', 'live-only']),
    api: z.string().optional(),
    url: z.string().optional(),
    managed: z.boolean().optional(),
    connected: z.boolean(),
    accepting: z.boolean(),
    spoolBytes: z.number(),
    spoolLines: z.number(),
    bufferedLines: z.number(),
    pointsWritten: z.number(),
    lastError: z.string().optional(),
    spoolError: z.string().optional(),
  }),
  devices: z.object({ registered: z.number(), online: z.number() }),
});

export const healthRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/healthz', { schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
      status: 'ok' as const,
    }));

    app.get(
      '/readyz',
      { schema: { tags: ['health'], description: 'Public: readiness and counts. An admin session (or METRICS_TOKEN) also sees the broker and storage addresses and error texts.', response: { 200: readySchema, 503: readySchema } } },
      async (request, reply) => {
        const broker = deps.brokerStatus();
        const storage = deps.storageStatus();
        const details = await seesDetails(deps, request);
        const warnings: string[] = [];
        if (!broker.connected) warnings.push('MQTT broker is not connected: no data is received');
        if (storage.mode === 'live-only') warnings.push('LIVE-ONLY: no InfluxDB configured, nothing is stored (set INFLUX_URL)');
        else if (!storage.connected) warnings.push(`InfluxDB unreachable: data waits in the on-disk spool (${storage.spoolLines} points)`);
        if (storage.spoolError) warnings.push(`spool not writable, an InfluxDB outage cannot be bridged${details ? `: ${storage.spoolError}` : ''}`);
        if (!storage.accepting) warnings.push('storage backpressure: ingest is paused until the spool drains');
        const ready = broker.connected && storage.accepting;
        reply.code(ready ? 200 : 503);
        // Anyone may ask (load balancers, probes): without details, no addresses and no error texts.
        const { url: _url, api: _api, lastError: _lastError, spoolError: _spoolError, managed: _managed, ...publicStorage } = storage;
        return {
          ready,
          warnings,
          broker: details ? broker : { kind: broker.kind, connected: broker.connected },
          storage: details ? storage : publicStorage,
          devices: { registered: deps.registry.size, online: deps.deviceStates.onlineCount },
        };
      },
    );

    app.get('/metrics', { schema: { tags: ['health'], hide: true } }, async (_request, reply) => {
      deps.metrics.devicesOnline.set(deps.deviceStates.onlineCount);
      deps.metrics.devicesRegistered.set(deps.registry.size);
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
