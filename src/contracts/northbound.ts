/**
 * The northbound feed (issue 18, docs/northbound.md): what a hub tells an operations platform above
 * it (a district or city centre), version 1. One zod schema per entry kind, shared by the sender
 * (src/northbound/), the pull API's answer, the receiving hub's ingest route and the tests.
 *
 * Versioning: `v` is the major version. Within v1 fields may be added (receivers ignore what they
 * do not know: the schemas below are not strict for that reason); renaming, removing or retyping a
 * field, or changing its meaning, is v2, served beside v1 (`/api/northbound/v2/…`, `_northbound/v2/…`).
 *
 * No personal data: no people's ids or names, no notes or comments, no photos, no positions, no
 * contacts. Who took a step is only `by: 'hub'` (an automatic step) or `by: 'person'` (someone
 * logged in); a party is a routing group's id (an organisation, such as a street's fire desk), a
 * score is a 1–5 rating without its comment.
 */
import { z } from 'zod';
import { ALERT_EVENT_KINDS, WORKFLOW_STATES } from '../alerts/alert.types.ts';
import { DEVICE_TYPES } from './device-types.ts';
import { SEVERITIES } from './severity.ts';

export const FEED_VERSION = 1 as const;
/** Signature headers of a pushed entry (the same scheme as the generic alert webhook). */
export const SIGNATURE_HEADER = 'x-compound-hub-signature';
export const TIMESTAMP_HEADER = 'x-compound-hub-timestamp';
/** How far a pushed entry's timestamp may be from the receiver's clock. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** Alert event kinds that are not in the feed: repeats only change a count. */
export const UNFED_EVENT_KINDS = ['repeated'] as const;

const place = z.object({ id: z.string().min(1), name: z.string() });

const entryBase = {
  v: z.literal(FEED_VERSION),
  /** Unique per source and stable: sent again (a retry), it is the same entry. */
  id: z.string().min(1).max(200),
  /** When it happened (ms epoch, the source hub's clock). */
  at: z.number().int().nonnegative(),
  /** The hub that produced it (NORTHBOUND_HUB_NAME); a city hub keeps the district hub's. */
  source: z.string().min(1).max(64),
};

export const alertEventEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('alert_event'),
  compound: place,
  street: place.optional(),
  district: place.optional(),
  alert: z.object({
    id: z.string().min(1),
    rule: z.string().min(1),
    name: z.object({ zh: z.string(), en: z.string() }),
    severity: z.enum(SEVERITIES),
    type: z.enum(DEVICE_TYPES),
    /** After this event. */
    workflow: z.enum(WORKFLOW_STATES),
    condition: z.enum(['active', 'cleared']),
    raisedAt: z.number().int().nonnegative(),
  }),
  event: z.object({
    kind: z.enum(ALERT_EVENT_KINDS),
    at: z.number().int().nonnegative(),
    /** `hub`: an automatic step (rules, SLA timers, hand-over rules); `person`: someone logged in took it. */
    by: z.enum(['hub', 'person']),
    /** handed_over: the party (routing group id) it went to; evaluated: `manager` or `committee`. */
    party: z.string().optional(),
    /** evaluated: 1–5. */
    score: z.number().int().min(1).max(5).optional(),
  }),
});
export type AlertEventEntry = z.output<typeof alertEventEntrySchema>;

const span = z.object({ mean: z.number().nullable(), p90: z.number().nullable() });
const satisfaction = z.object({ ratings: z.number(), mean: z.number().nullable(), satisfied: z.number(), rate: z.number().nullable() });
/** The closed-loop figures of a set of alerts (contracts/api.ts Figures, as GET /api/alerts/stats answers them). */
export const figuresSchema = z.object({
  alerts: z.number(),
  accepted: z.number(),
  resolved: z.number(),
  closed: z.number(),
  escalated: z.number(),
  timeToAccept: span,
  timeToResolve: span,
  slaCounted: z.number(),
  slaMissed: z.number(),
  slaKept: z.number().nullable(),
  openOverdue: z.number(),
  rescues: z.number(),
  arrived: z.number(),
  timeToArrive: span,
  arrivalCounted: z.number(),
  arrivedInTime: z.number(),
  arrivalRate: z.number().nullable(),
  handedOver: z.number(),
  satisfaction: satisfaction.extend({ byParty: z.object({ manager: satisfaction, committee: satisfaction }) }),
});

export const figuresEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('figures'),
  /** The alerts raised in [from, to] (ms epoch). */
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  /** Over every compound of the source; left out for a pull token scoped to some compounds. */
  overall: figuresSchema.optional(),
  byCompound: z.record(z.string(), figuresSchema),
});
export type FiguresEntry = z.output<typeof figuresEntrySchema>;

export const feedEntrySchema = z.discriminatedUnion('kind', [alertEventEntrySchema, figuresEntrySchema]);
export type FeedEntry = z.output<typeof feedEntrySchema>;
export const FEED_ENTRY_KINDS = ['alert_event', 'figures'] as const;
export type FeedEntryKind = FeedEntry['kind'];

/** GET /api/northbound/v1/feed: entries after the cursor, oldest first, each with its own cursor. */
export const feedPageSchema = z.object({
  v: z.literal(FEED_VERSION),
  entries: z.array(z.object({ cursor: z.string(), entry: feedEntrySchema })),
  /** Ask again with `after=next` (the last entry's cursor, or the one asked with when there is nothing new). */
  next: z.string(),
  /** More entries wait after `next` (the page was full). */
  more: z.boolean(),
  /** The oldest cursor the window still holds (null while empty): older ones answer 410 CURSOR_EXPIRED. */
  oldest: z.string().nullable(),
});
export type FeedPage = z.output<typeof feedPageSchema>;

/** A pull token's scope: every compound, or these. */
export const tokenScopeSchema = z.union([z.literal('all'), z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)).min(1).max(1000)]);
export type TokenScope = z.output<typeof tokenScopeSchema>;

/** A pull token as the admin routes list it: never its secret. */
export const tokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: tokenScopeSchema,
  createdBy: z.string(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
});
export type TokenView = z.output<typeof tokenViewSchema>;

/** POST /api/admin/northbound/tokens: a new token's name and scope. */
export const newTokenBodySchema = z.strictObject({ name: z.string().trim().min(1).max(100), scope: tokenScopeSchema });
export type NewTokenBody = z.input<typeof newTokenBodySchema>;
/** Its answer (201): the token and its secret, shown this once. */
export const createdTokenAnswerSchema = z.object({ token: tokenViewSchema, secret: z.string() });
export type CreatedTokenAnswer = z.output<typeof createdTokenAnswerSchema>;
/** GET /api/admin/northbound/tokens: every token, revoked ones too, oldest first. */
export const tokensAnswerSchema = z.object({ tokens: z.array(tokenViewSchema) });
export type TokensAnswer = z.output<typeof tokensAnswerSchema>;
/** DELETE /api/admin/northbound/tokens/{id}: the token as revoked. */
export const revokedTokenAnswerSchema = z.object({ token: tokenViewSchema });
export type RevokedTokenAnswer = z.output<typeof revokedTokenAnswerSchema>;
