/**
 * The northbound HTTP routes (docs/northbound.md):
 * - GET /api/northbound/v1/feed?after=&limit= and GET /api/northbound/v1/figures: for an
 *   operations platform with `Authorization: Bearer <token>` (no session; these routes are
 *   `public` to the session guard and check the token themselves): entries of the token's
 *   compounds from the recent window, rate limited per token (429 RATE_LIMITED). A missing,
 *   unknown or revoked token: 401 TOKEN_INVALID. A cursor older than the window: 410 CURSOR_EXPIRED.
 * - POST /api/northbound/v1/ingest (only with NORTHBOUND_INGEST_SECRET): a lower hub's signed push,
 *   kept in this hub's feed under its own `source`; 401 SIGNATURE_INVALID otherwise.
 * - /api/admin/northbound/tokens: admins make (the secret is shown once), list and revoke tokens; audited.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { HubError } from '../errors.ts';
import { createdTokenAnswerSchema, feedEntrySchema, feedPageSchema, figuresEntrySchema, newTokenBodySchema, revokedTokenAnswerSchema, tokensAnswerSchema, FEED_VERSION, type FeedEntry, type TokenScope, type TokenView } from '../contracts/northbound.ts';
import type { NorthboundToken } from '../state/state.types.ts';
import type { AuditLog } from '../audit/audit.log.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { actorOf, adminOnlyHook } from '../api/access.guard.ts';
import type { NorthboundFeed } from './northbound.feed.ts';
import type { FeedTokens } from './feed-tokens.ts';
import type { TokenBuckets } from './token-bucket.ts';
import { verifySignature } from './push.signature.ts';

export interface NorthboundRoutesDeps {
  feed: NorthboundFeed;
  tokens: FeedTokens;
  buckets: TokenBuckets;
  /** A figures snapshot made now. */
  figures: () => Promise<Extract<FeedEntry, { kind: 'figures' }>>;
  /** This hub's `source`: entries claiming it are not taken from below (a forwarding loop). */
  hubName: string;
  ingestSecret?: string | undefined;
  compoundExists: (id: string) => boolean;
  audit?: AuditLog | undefined;
  metrics: Pick<HubMetrics, 'northboundRefused'>;
  now: () => number;
}

const tags = ['northbound'];
const MAX_LIMIT = 1000;

/** What a token may read of an entry: its own compounds' events; figures limited to them (no overall). */
export function scoped(entry: FeedEntry, scope: TokenScope): FeedEntry | undefined {
  if (scope === 'all') return entry;
  if (entry.kind === 'alert_event') return scope.includes(entry.compound.id) ? entry : undefined;
  const { overall: _overall, byCompound, ...rest } = entry;
  return { ...rest, byCompound: Object.fromEntries(Object.entries(byCompound).filter(([id]) => scope.includes(id))) };
}

const view = (t: NorthboundToken): TokenView => ({ id: t.id, name: t.name, scope: t.scope, createdBy: t.createdBy, createdAt: t.createdAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt });

export const northboundRoutes =
  (deps: NorthboundRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { feed, tokens, buckets, metrics, now } = deps;
    const pulledBy = new WeakMap<FastifyRequest, NorthboundToken>();

    /** Route hook: the bearer token in force (before the query is read), within its rate. */
    const bearer = async (request: FastifyRequest, reply: { header(name: string, value: string): unknown }) => {
      let token: NorthboundToken;
      try {
        token = await tokens.check(request.headers.authorization, now());
      } catch (error) {
        metrics.northboundRefused.inc({ reason: 'token' });
        throw error;
      }
      const taken = buckets.take(token.id, now());
      if (!taken.ok) {
        metrics.northboundRefused.inc({ reason: 'rate' });
        reply.header('retry-after', String(Math.ceil(taken.retryAfterMs / 1000)));
        throw new HubError('RATE_LIMITED', `too many requests with this token: try again in ${Math.ceil(taken.retryAfterMs / 1000)} s`);
      }
      pulledBy.set(request, token);
    };
    const tokenOf = (request: FastifyRequest) => {
      const token = pulledBy.get(request);
      if (!token) throw new HubError('TOKEN_INVALID', 'no token');
      return token;
    };

    app.get(
      '/api/northbound/v1/feed',
      {
        config: { public: true },
        onRequest: bearer,
        schema: {
          tags,
          querystring: z.object({ after: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100) }),
          response: { 200: feedPageSchema },
        },
      },
      async (request) => {
        const { scope } = tokenOf(request);
        const read = feed.ring.read(request.query.after, request.query.limit, (entry) => scoped(entry, scope) !== undefined);
        if (!read.ok) {
          if (read.reason === 'expired') throw new HubError('CURSOR_EXPIRED', `cursor ${request.query.after} is older than the recent window of this hub's feed (or from before its restart): read again without after=`);
          throw new HubError('BAD_REQUEST', `after: ${request.query.after} is no cursor of this feed`);
        }
        return { v: FEED_VERSION, entries: read.items.map((i) => ({ cursor: feed.ring.cursorOf(i.seq), entry: scoped(i.entry, scope)! })), next: read.next, more: read.more, oldest: read.oldest };
      },
    );

    app.get('/api/northbound/v1/figures', { config: { public: true }, onRequest: bearer, schema: { tags, response: { 200: figuresEntrySchema } } }, async (request) => {
      const { scope } = tokenOf(request);
      return scoped(await deps.figures(), scope) as Extract<FeedEntry, { kind: 'figures' }>;
    });

    if (deps.ingestSecret) {
      const secret = deps.ingestSecret;
      // Its own context: the body is read as the bytes that were signed.
      await app.register(async (inner) => {
        inner.removeContentTypeParser('application/json');
        inner.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
        inner.post('/api/northbound/v1/ingest', { config: { public: true }, schema: { tags, hide: false } }, async (request, reply) => {
          const body = typeof request.body === 'string' ? request.body : '';
          const check = verifySignature(secret, request.headers, body, now());
          if (!check.ok) {
            metrics.northboundRefused.inc({ reason: `signature_${check.reason}` });
            throw new HubError('SIGNATURE_INVALID', `the entry is not signed with NORTHBOUND_INGEST_SECRET (${check.reason})`);
          }
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          const parsed = feedEntrySchema.safeParse(json);
          if (!parsed.success) {
            metrics.northboundRefused.inc({ reason: 'entry' });
            throw new HubError('BAD_REQUEST', `not a feed entry of version ${FEED_VERSION}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 500)}`);
          }
          if (parsed.data.source === deps.hubName) {
            metrics.northboundRefused.inc({ reason: 'loop' });
            throw new HubError('CONFLICT', `the entry comes from this hub (${deps.hubName}): a forwarding loop`);
          }
          const kept = feed.add(parsed.data, 'forwarded');
          return reply.code(kept ? 202 : 200).send({ kept });
        });
      });
    }

    const adminTags = ['admin'];
    app.post(
      '/api/admin/northbound/tokens',
      {
        onRequest: adminOnlyHook,
        schema: {
          tags: adminTags,
          body: newTokenBodySchema,
          response: { 201: createdTokenAnswerSchema },
        },
      },
      async (request, reply) => {
        const { name, scope } = request.body;
        if (scope !== 'all') {
          const unknown = scope.filter((c) => !deps.compoundExists(c));
          if (unknown.length) throw new HubError('BAD_REQUEST', `scope: unknown compound ${unknown.join(', ')}`);
        }
        const actor = actorOf(request);
        const { token, secret } = await tokens.create({ name, scope: scope === 'all' ? 'all' : [...new Set(scope)], by: actor.actor, at: now() });
        deps.audit?.record({ ...actor, action: 'northbound_token_created', target: `northbound-token:${token.id}`, after: { name: token.name, scope: token.scope } });
        return reply.code(201).send({ token: view(token), secret });
      },
    );
    app.get('/api/admin/northbound/tokens', { onRequest: adminOnlyHook, schema: { tags: adminTags, response: { 200: tokensAnswerSchema } } }, async () => ({
      tokens: (await tokens.list()).map(view),
    }));
    app.delete(
      '/api/admin/northbound/tokens/:id',
      { onRequest: adminOnlyHook, schema: { tags: adminTags, params: z.object({ id: z.string().regex(/^nbt-[0-9a-f]{12}$/) }), response: { 200: revokedTokenAnswerSchema } } },
      async (request) => {
        const before = (await tokens.list()).find((t) => t.id === request.params.id);
        const token = await tokens.revoke(request.params.id, now());
        if (before && before.revokedAt === null) {
          deps.audit?.record({ ...actorOf(request), action: 'northbound_token_revoked', target: `northbound-token:${token.id}`, before: { revokedAt: null }, after: { revokedAt: new Date(token.revokedAt!).toISOString() } });
        }
        return { token: view(token) };
      },
    );
  };
