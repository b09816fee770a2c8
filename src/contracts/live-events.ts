/**
 * The live socket's contract (socket.io, design.md §8): typed event maps shared by the hub
 * and the dashboards, and the views they carry (also what the HTTP API returns).
 */
import type { Alert } from '../alerts/alert.types.ts';
import type { DeviceType } from './device-types.ts';
import type { FieldValue } from './payloads.ts';
import type { Me } from './access.ts';
import type { Severity } from '../rules/rule.schema.ts';

export type { Alert, Me, Severity, DeviceType, FieldValue };

/** A device and its latest live state. */
export interface DeviceView {
  compound: string;
  type: DeviceType;
  device: string;
  name?: string | undefined;
  building?: string | undefined;
  zone?: string | undefined;
  /** The registry's names of the building and zone (e.g. 1号楼, 北区), when it has them. */
  buildingName?: string | undefined;
  zoneName?: string | undefined;
  reportIntervalSec: number;
  /** On the compound's site plan, 0..100 both axes. */
  position?: { x: number; y: number } | undefined;
  online: boolean;
  lastSeen?: number | undefined;
  lastTelemetryTs?: number | undefined;
  fields: Record<string, FieldValue>;
  /** Per field: since when (sample time) it has had its current value. */
  fieldSince: Record<string, number>;
  lastEvent?: { event: string; code?: string | undefined; ts: number } | undefined;
}

/** A compound with its live totals. */
export interface CompoundSummary {
  id: string;
  name: string;
  grid?: string | undefined;
  district: { id: string; name: string };
  street: { id: string; name: string };
  community: { id: string; name: string };
  deviceCount: number;
  /** `city` or `county` (rescue deadlines), as the registry says. */
  area?: 'city' | 'county';
  /** Where the compound is (WGS-84 degrees), when the registry says: the district map. */
  location?: { lat: number; lon: number };
  /** The property desk's phone (物业服务台), when the registry says: the worker's call button. */
  deskPhone?: string;
  online: number;
  /** Open alerts (not closed) by severity. */
  openAlerts: Record<Severity, number>;
}

/**
 * What a client follows:
 * - `compounds` with `detail: 'devices'`: device states and alerts of those compounds;
 * - `compounds` with `detail: 'summary'`: alerts and totals only (district overview);
 * - `mine`: alerts assigned to the logged-in worker, wherever they are.
 * Each call replaces the previous subscription.
 */
export interface SubscribeRequest {
  compounds?: string[];
  detail?: 'devices' | 'summary';
  mine?: boolean;
  /** With `detail: 'devices'`: only the devices the view shows (a filter and a page); without it, all of them (bounded). */
  devices?: DeviceWindow;
}

/**
 * Which devices of the subscribed compounds a view shows: those matching every filter given, in
 * a stable order (compound, building, type, name), `limit` of them from `offset`. The snapshot
 * says how many match (`page.total`); later batches carry changes of the devices in the page only.
 * A device added to the registry later joins at the next subscribe.
 */
export interface DeviceWindow {
  types?: DeviceType[];
  /** Building ids (tags.building); `''` stands for devices without a building. */
  buildings?: string[];
  /** Matched, case-insensitive, against the device id and name. */
  q?: string;
  /** Default 0. */
  offset?: number;
  /** 1 … LIVE_PAGE_MAX; default LIVE_PAGE_MAX. */
  limit?: number;
}

/** The most devices one page of a subscription holds. */
export const LIVE_PAGE_MAX = 1_000;

/** Where a paged snapshot is in the devices that match its window. */
export interface LivePage {
  offset: number;
  limit: number;
  /** Devices matching the window's filters, in all pages. */
  total: number;
}

/** The full current state of a subscription: sent in the subscribe answer, and after each reconnect. */
export interface LiveSnapshot {
  at: number;
  compounds: CompoundSummary[];
  devices: DeviceView[];
  /** Open alerts in the subscription. */
  alerts: Alert[];
  /** Set when the subscription asked for a window of devices (`devices`): the devices above are that page. */
  page?: LivePage;
  /**
   * Set when the snapshot hit LIVE_SNAPSHOT_MAX_DEVICES or LIVE_SNAPSHOT_MAX_ALERTS and the
   * rest was left out (totals in `compounds` stay complete); later batches still carry changes.
   */
  truncated?: boolean;
}

/** Changes since the last batch; at most 10 batches per second per client. */
export interface LiveBatch {
  at: number;
  compounds: CompoundSummary[];
  devices: DeviceView[];
  alerts: Alert[];
}

export type SubscribeAnswer = { ok: true; snapshot: LiveSnapshot } | { ok: false; error: 'FORBIDDEN' | 'BAD_REQUEST' | 'RATE_LIMITED'; message: string };

export interface ServerToClientEvents {
  /** Right after the handshake: who the server thinks the client is. */
  hello: (me: Me) => void;
  update: (batch: LiveBatch) => void;
  /** The session ended (logout or expiry): log in again. */
  session_ended: () => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, answer: (result: SubscribeAnswer) => void) => void;
}

/** Client requests per socket: a token bucket refilled at this rate (per second) … */
export const LIVE_REQUESTS_PER_SEC = 5;
/** … holding at most this many (a burst); a request without a token is refused RATE_LIMITED. */
export const LIVE_REQUEST_BURST = 20;
/** A socket still refused after this long (no quiet second between refusals) is disconnected. */
export const LIVE_FLOOD_DISCONNECT_MS = 10_000;
/**
 * Snapshots per socket (each accepted subscribe sends one): a second bucket, one every 2 s,
 * burst 6; a subscribe beyond it is refused RATE_LIMITED and the subscription stays as it was.
 */
export const LIVE_SNAPSHOTS_PER_SEC = 0.5;
export const LIVE_SNAPSHOT_BURST = 6;
/** Sockets one login session may hold open at once; the next handshake is refused TOO_MANY_SOCKETS. */
export const LIVE_MAX_SOCKETS_PER_SESSION = 10;
/** The most device views and alerts in one snapshot (the rest is left out, `truncated`). */
export const LIVE_SNAPSHOT_MAX_DEVICES = 5_000;
export const LIVE_SNAPSHOT_MAX_ALERTS = 2_000;

/** The most batches a client receives per second. */
export const LIVE_MAX_BATCHES_PER_SEC = 10;
/** Cookie carrying the session token (also accepted as `Authorization: Bearer` and socket `auth.token`). */
export const SESSION_COOKIE = 'ch_session';
