/**
 * The live socket (socket.io, design.md §8). The handshake needs a login session; each
 * client subscribes to compounds in its scope and/or to the alerts assigned to it, and
 * receives a snapshot, then batches of changes on a 100 ms tick. An alert step that someone
 * must see (raised, dispatched, escalated …) goes out at once to a room that had no batch in
 * the last 100 ms, instead of waiting up to 100 ms for the tick.
 *
 * Clients with the same subscription share one room (`devices:c01`, `worker:wang-fang`,
 * `summary:…`): a batch is built and encoded once per room, and each client is in exactly one
 * subscription room, so it never gets more than 10 batches a second.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createHash } from 'node:crypto';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import { inScope, maySee, type Me } from '../contracts/access.ts';
import { holdersOf, holds } from '../contracts/alert-holders.ts';
import {
  LIVE_FLOOD_DISCONNECT_MS,
  LIVE_MAX_BATCHES_PER_SEC,
  LIVE_MAX_SOCKETS_PER_SESSION,
  LIVE_REQUEST_BURST,
  LIVE_REQUESTS_PER_SEC,
  LIVE_SNAPSHOT_BURST,
  LIVE_SNAPSHOTS_PER_SEC,
  LIVE_SNAPSHOT_MAX_ALERTS,
  LIVE_SNAPSHOT_MAX_DEVICES,
  SESSION_COOKIE,
  type ClientToServerEvents,
  type CompoundSummary,
  type DeviceView,
  type LiveBatch,
  type LivePage,
  type LiveSnapshot,
  type ServerToClientEvents,
  type SubscribeAnswer,
  type SubscribeRequest,
} from '../contracts/live-events.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { withoutReportSecret } from '../alerts/report-secret.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { RegisteredDevice, Registry } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { AccessDeps } from '../api/api.types.ts';
import { hostAllowed, LOOPBACK_HOSTS, originIsHost, type HostPolicy } from '../api/origin.guard.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loginHold } from '../auth/login-holds.ts';
import type { RefusalAudit } from '../audit/refusals.audit.ts';
import type { ClientAddress } from '../api/client-address.ts';
import type { DeviceStates } from './device-state.ts';
import { compoundSummaries, deviceView } from './device-view.ts';
import { deviceKey } from '../contracts/device-types.ts';
import { parseDeviceWindow, selectWindow, type NormalWindow } from './device-window.ts';

export interface LiveDeps {
  registry: Registry;
  deviceStates: DeviceStates;
  alerts: AlertBook;
  alertsConfig: AlertsConfig;
  access: AccessDeps;
  /** The names a handshake may use (HTTP_ALLOWED_HOSTS); default: localhost and IP addresses. */
  allowedHosts?: HostPolicy;
  /** Refused handshakes and closed floods go to the audit log (bounded per address). */
  refusals?: RefusalAudit;
  /** The client's address of a handshake (TRUST_PROXY); default: the peer. */
  clientAddress?: ClientAddress;
  metrics: HubMetrics;
  logger: Logger;
  now?: () => number;
  /** The batch tick (default 100 ms: at most 10 batches a second per client). */
  tickMs?: number;
  /** A cluster instance's socket.io adapter (PostgreSQL), which also carries the instances' messages (cluster.bus.ts). */
  adapter?: ServerOptions['adapter'];
}

/** One shared subscription (a room). */
interface Subscription {
  compounds: ReadonlySet<string>;
  devices: boolean;
  /** Worker id whose assigned alerts are followed. */
  mine?: string;
  /** That worker's scope: an alert outside it never reaches them, whoever it is assigned to. */
  mineScope?: Me;
  /** Only a window of the devices (SubscribeRequest.devices): its keys as of the last snapshot. */
  window?: { spec: NormalWindow; members: ReadonlySet<string> };
}

interface SocketData {
  me: Me;
  sessionId: string;
  room?: string;
  /** Token buckets: client requests, and snapshots. */
  requests: Bucket;
  snapshots: Bucket;
  /** Since when the socket has been refused (no quiet second between), and its last refusal. */
  floodSince?: number;
  lastRefused?: number;
}

/** A token bucket: tokens left as of `at`. */
interface Bucket {
  tokens: number;
  at: number;
}

/** Takes a token from `bucket` (refilled at `perSec`, holding at most `burst`); false if none is left. */
function takeToken(bucket: Bucket, now: number, perSec: number, burst: number): boolean {
  bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSec);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const MAX_SUBSCRIBED_COMPOUNDS = 10_000;
const TICK_MS = 1000 / LIVE_MAX_BATCHES_PER_SEC;

/**
 * The room of a subscription: shared by sockets that follow the same thing, except a window of
 * devices, which is each socket's own (its page is what its snapshot held: another socket's later
 * subscribe, after a device was added, must not shift it).
 */
function roomOf(request: SubscribeRequest, me: Me, window: NormalWindow | undefined, socketId: string): { room: string; sub: Subscription } {
  const compounds = [...new Set(request.compounds ?? [])].sort();
  const devices = request.detail !== 'summary';
  const paged = devices && window ? { window: { spec: window, members: new Set<string>() } } : {};
  const sub: Subscription = { compounds: new Set(compounds), devices, ...(request.mine ? { mine: me.id, mineScope: me } : {}), ...paged };
  if (!compounds.length && request.mine) return { room: `worker:${me.id}`, sub };
  if (sub.window) return { room: `window:${socketId}`, sub };
  if (compounds.length === 1 && !request.mine) return { room: `${devices ? 'devices' : 'summary'}:${compounds[0]}`, sub };
  const digest = createHash('sha256').update(JSON.stringify([compounds, devices, sub.mine ?? ''])).digest('base64url').slice(0, 16);
  return { room: `sub:${digest}`, sub };
}

/**
 * The session token from a Cookie header. Parsed here rather than with @fastify/cookie's
 * `parse`, which only works once that plugin has been registered on a fastify instance.
 */
function sessionToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class LiveServer {
  readonly #io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  readonly #deps: LiveDeps;
  readonly #rooms = new Map<string, Subscription>();
  /** How many rooms follow each compound: changes elsewhere are not even noted. */
  readonly #watched = new Map<string, number>();
  readonly #dirtyDevices = new Set<RegisteredDevice>();
  readonly #dirtyAlerts = new Map<string, Alert>();
  /** Who held each open alert at the last batch (assignee, people its call tree rang), so a worker hears it left them. */
  readonly #lastHolders = new Map<string, string[]>();
  /** Alert changes to send ahead of the tick, and how often each alert has changed. */
  readonly #urgent = new Map<string, Alert>();
  readonly #alertVersion = new Map<string, number>();
  /** When each room last got a batch; what it got ahead of the coming tick. */
  readonly #lastSent = new Map<string, number>();
  #sentEarly = new Map<string, Map<string, number>>();
  readonly #timer: NodeJS.Timeout;
  readonly #tickMs: number;
  readonly #log: Logger;

  /** The socket.io server (a cluster's bus rides on its adapter). */
  get io(): Server {
    return this.#io;
  }

  constructor(httpServer: HttpServer, deps: LiveDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ stage: 'live' });
    this.#io = new Server(httpServer, {
      serveClient: false,
      ...(deps.adapter ? { adapter: deps.adapter } : {}),
      // Room for a district's subscription (10,000 compound ids); larger packets close the socket.
      maxHttpBufferSize: 1_000_000,
      // Only under an allowed name (DNS rebinding: a page of the attacker's name with Origin and
      // Host alike), and cross-site pages may not open a socket with the user's cookie.
      allowRequest: (req, callback) => {
        if (!hostAllowed(deps.allowedHosts ?? LOOPBACK_HOSTS, req.headers.host)) {
          deps.metrics.liveRefused.inc({ reason: 'host' });
          deps.refusals?.refused({ action: 'host_refused', channel: 'live', address: this.#address(req), target: 'live socket', note: `HOST_NOT_ALLOWED: ${req.headers.host ?? '(none)'}` });
          return callback('HOST_NOT_ALLOWED', false);
        }
        const origin = req.headers.origin;
        const sameSite = !origin || originIsHost(origin, req.headers.host);
        if (!sameSite) {
          deps.metrics.liveRefused.inc({ reason: 'origin' });
          deps.refusals?.refused({ action: 'cross_origin_refused', channel: 'live', address: this.#address(req), target: 'live socket', note: `CROSS_ORIGIN: Origin ${origin}` });
        }
        callback(sameSite ? null : 'CROSS_ORIGIN', sameSite);
      },
    });
    this.#io.use(async (socket, next) => {
      const now = deps.now?.() ?? Date.now();
      const token = sessionToken(socket.request.headers.cookie);
      // At once when this instance knows the session; on several instances a token it does not know is looked up in the database.
      const resolved = deps.access.sessions.resolve(token, now);
      const session = resolved instanceof Promise ? await resolved.catch(() => undefined) : resolved;
      const known = session && deps.access.users.get(session.userId);
      // A hold seen here is checked in the database on several instances (as on HTTP: login-holds.ts).
      const checked = known && loginHold(deps.access, known);
      const { user, hold } = (checked instanceof Promise ? await checked.catch(() => undefined) : checked) ?? {};
      if (!session || !user) {
        deps.metrics.liveRefused.inc({ reason: 'unauthorized' });
        return next(new Error('UNAUTHORIZED'));
      }
      // A one-time password opens no socket until it is changed (as on HTTP).
      if (hold === 'PASSWORD_CHANGE_REQUIRED') {
        deps.metrics.liveRefused.inc({ reason: 'password_change' });
        return next(new Error('PASSWORD_CHANGE_REQUIRED'));
      }
      // MFA=required: neither does a login that must set up its second factor.
      if (hold === 'MFA_ENROLMENT_REQUIRED') {
        deps.metrics.liveRefused.inc({ reason: 'mfa_enrolment' });
        return next(new Error('MFA_ENROLMENT_REQUIRED'));
      }
      // One session holds at most LIVE_MAX_SOCKETS_PER_SESSION sockets at once.
      let open = 0;
      for (const other of this.#io.of('/').sockets.values()) if (other.data.sessionId === session.id) open++;
      if (open >= LIVE_MAX_SOCKETS_PER_SESSION) {
        deps.metrics.liveRefused.inc({ reason: 'sockets_per_session' });
        deps.refusals?.refused({ action: 'live_refused', channel: 'live', actor: user.id, address: this.#address(socket.request), target: 'live socket', note: `TOO_MANY_SOCKETS: ${open} open for this login session` });
        return next(new Error('TOO_MANY_SOCKETS'));
      }
      socket.data = {
        me: describeUser(user, deps.alertsConfig),
        sessionId: session.id,
        requests: { tokens: LIVE_REQUEST_BURST, at: now },
        snapshots: { tokens: LIVE_SNAPSHOT_BURST, at: now },
      };
      next();
    });
    this.#io.on('connection', (socket) => this.#connected(socket));
    this.#io.of('/').adapter.on('delete-room', (room: string) => this.#forget(room));
    deps.access.sessions.onEnded((session) => {
      for (const socket of this.#io.of('/').sockets.values()) {
        if (socket.data.sessionId !== session.id) continue;
        socket.emit('session_ended');
        socket.disconnect(true);
      }
    });
    this.#tickMs = deps.tickMs ?? TICK_MS;
    this.#timer = setInterval(() => this.flush(), this.#tickMs);
    this.#timer.unref();
  }

  /** A device's state changed (called for every accepted reading: keep it cheap). */
  deviceChanged(device: RegisteredDevice): void {
    if (this.#watched.has(device.compound)) this.#dirtyDevices.add(device);
  }

  /**
   * An alert changed. `urgent` (a step someone must see: raised, dispatched, escalated …)
   * goes out at once to each room that had no batch in the last 100 ms, ahead of the tick;
   * other changes (repeats) wait for the tick.
   */
  alertChanged(alert: Alert, urgent = false): void {
    this.#dirtyAlerts.set(alert.id, alert);
    this.#alertVersion.set(alert.id, (this.#alertVersion.get(alert.id) ?? 0) + 1);
    if (!urgent) return;
    this.#urgent.set(alert.id, alert);
    if (this.#urgent.size === 1) setImmediate(() => this.#flushUrgent());
  }

  get clients(): number {
    return this.#io.of('/').sockets.size;
  }

  /** Sends one batch to each room with changes (the timer calls it every 100 ms). */
  flush(): void {
    const sentEarly = this.#sentEarly;
    this.#sentEarly = new Map();
    if (!this.#dirtyDevices.size && !this.#dirtyAlerts.size) return;
    const at = this.#now();
    const devicesBy = new Map<string, DeviceView[]>();
    const touched = new Set<string>();
    for (const d of this.#dirtyDevices) {
      const list = devicesBy.get(d.compound) ?? [];
      if (!list.length) devicesBy.set(d.compound, list);
      list.push(deviceView(d, this.#deps.deviceStates));
      touched.add(d.compound);
    }
    const { alertsBy, alertsOf } = this.#byRoomKind(this.#dirtyAlerts.values(), touched);
    for (const alert of this.#dirtyAlerts.values()) {
      const holders = holdersOf(alert);
      if (alert.workflow === 'closed' || !holders.length) this.#lastHolders.delete(alert.id);
      else this.#lastHolders.set(alert.id, holders);
    }
    this.#dirtyDevices.clear();
    this.#dirtyAlerts.clear();
    const summaries = new Map(
      compoundSummaries(this.#deps.registry, this.#deps.deviceStates, this.#deps.alerts, touched).map((c) => [c.id, c]),
    );

    for (const [room, sub] of this.#rooms) {
      const early = sentEarly.get(room);
      // An alert this room got ahead of the tick is not sent again unless it changed since.
      const fresh = (a: Alert) => early?.get(a.id) !== this.#alertVersion.get(a.id);
      this.#emit(room, this.#batchFor(sub, at, summaries, devicesBy, alertsBy, alertsOf, fresh));
    }
    this.#alertVersion.clear();
  }

  /** Urgent alert changes to the rooms that had no batch in the last 100 ms. */
  #flushUrgent(): void {
    const urgent = [...this.#urgent.values()];
    this.#urgent.clear();
    const at = this.#now();
    const touched = new Set<string>();
    const { alertsBy, alertsOf } = this.#byRoomKind(urgent, touched);
    const summaries = new Map(
      compoundSummaries(this.#deps.registry, this.#deps.deviceStates, this.#deps.alerts, touched).map((c) => [c.id, c]),
    );
    for (const [room, sub] of this.#rooms) {
      if (at - (this.#lastSent.get(room) ?? 0) < this.#tickMs) continue;
      const batch = this.#batchFor(sub, at, summaries, new Map(), alertsBy, alertsOf, () => true);
      if (!batch || !batch.alerts.length) continue;
      this.#emit(room, batch);
      this.#sentEarly.set(room, new Map(batch.alerts.map((a) => [a.id, this.#alertVersion.get(a.id) ?? 0])));
    }
  }

  /** Alerts by compound, and by the workers who hold them (now, or at the last batch). */
  #byRoomKind(alerts: Iterable<Alert>, touched: Set<string>) {
    const alertsBy = new Map<string, Alert[]>();
    const alertsOf = new Map<string, Alert[]>();
    const add = (map: Map<string, Alert[]>, key: string, alert: Alert) => {
      const list = map.get(key);
      if (list) list.push(alert);
      else map.set(key, [alert]);
    };
    for (const alert of alerts) {
      add(alertsBy, alert.compound, alert);
      touched.add(alert.compound);
      for (const holder of new Set([...(this.#lastHolders.get(alert.id) ?? []), ...holdersOf(alert)])) add(alertsOf, holder, alert);
    }
    return { alertsBy, alertsOf };
  }

  #batchFor(
    sub: Subscription,
    at: number,
    summaries: Map<string, CompoundSummary>,
    devicesBy: Map<string, DeviceView[]>,
    alertsBy: Map<string, Alert[]>,
    alertsOf: Map<string, Alert[]>,
    include: (alert: Alert) => boolean,
  ): LiveBatch | undefined {
    const batch: LiveBatch = { at, compounds: [], devices: [], alerts: [] };
    const seen = new Set<string>();
    const addAlerts = (list: Alert[] | undefined) => {
      for (const a of list ?? []) if (!seen.has(a.id) && include(a)) seen.add(a.id) && batch.alerts.push(withoutReportSecret(a));
    };
    for (const compound of sub.compounds) {
      const summary = summaries.get(compound);
      if (summary) batch.compounds.push(summary);
      if (sub.window) {
        const members = sub.window.members;
        for (const d of devicesBy.get(compound) ?? []) if (members.has(deviceKey(d))) batch.devices.push(d);
      } else if (sub.devices) batch.devices.push(...(devicesBy.get(compound) ?? []));
      addAlerts(alertsBy.get(compound));
    }
    if (sub.mine) addAlerts(alertsOf.get(sub.mine)?.filter((a) => maySee(sub.mineScope!, a)));
    return batch.compounds.length || batch.devices.length || batch.alerts.length ? batch : undefined;
  }

  #emit(room: string, batch: LiveBatch | undefined): void {
    if (!batch) return;
    this.#io.to(room).emit('update', batch);
    this.#lastSent.set(room, batch.at);
    this.#deps.metrics.liveBatches.inc();
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#io.disconnectSockets(true);
    // The HTTP server is closed by fastify; only the engine's timers are ours.
    this.#io.engine.close();
  }

  #connected(socket: LiveSocket): void {
    this.#deps.metrics.liveClients.set(this.clients);
    socket.emit('hello', socket.data.me);
    // Every client event (subscribe or any other) takes a token first.
    socket.use((packet, next) => {
      if (this.#take(socket)) return next();
      const answer = packet[packet.length - 1];
      if (typeof answer === 'function') {
        (answer as (result: SubscribeAnswer) => void)({ ok: false, error: 'RATE_LIMITED', message: `at most ${LIVE_REQUESTS_PER_SEC} requests a second (burst ${LIVE_REQUEST_BURST})` });
      }
    });
    socket.on('subscribe', (request, answer) => {
      if (typeof answer !== 'function') return;
      answer(this.#subscribe(socket, request));
    });
    socket.on('disconnect', () => this.#deps.metrics.liveClients.set(this.clients));
  }

  #address(request: IncomingMessage): string {
    return this.#deps.clientAddress?.(request) ?? request.socket.remoteAddress ?? 'unknown';
  }

  /** Takes a request token; a refusal is counted, and a socket refused for 10 s on end is closed. */
  #take(socket: LiveSocket): boolean {
    const data = socket.data;
    const now = this.#now();
    if (takeToken(data.requests, now, LIVE_REQUESTS_PER_SEC, LIVE_REQUEST_BURST)) return true;
    this.#deps.metrics.liveRefused.inc({ reason: 'rate_limited' });
    if (data.floodSince === undefined || now - (data.lastRefused ?? 0) > 1000) data.floodSince = now;
    data.lastRefused = now;
    if (now - data.floodSince >= LIVE_FLOOD_DISCONNECT_MS) {
      this.#deps.metrics.liveRefused.inc({ reason: 'flood' });
      this.#log.warn({ user: data.me.id }, 'live socket closed: flooding requests');
      this.#deps.refusals?.refused({ action: 'live_closed', channel: 'live', actor: data.me.id, address: this.#address(socket.request), target: 'live socket', note: `FLOOD: requests refused for ${LIVE_FLOOD_DISCONNECT_MS / 1000} s on end` });
      socket.disconnect(true);
    }
    return false;
  }

  #subscribe(socket: LiveSocket, request: SubscribeRequest): SubscribeAnswer {
    const me = socket.data.me;
    // Whatever a client sends is untrusted: check its shape before using it.
    const valid =
      typeof request === 'object' &&
      request !== null &&
      !Array.isArray(request) &&
      (request.compounds === undefined || (Array.isArray(request.compounds) && request.compounds.length <= MAX_SUBSCRIBED_COMPOUNDS && request.compounds.every((c) => typeof c === 'string'))) &&
      (request.detail === undefined || request.detail === 'devices' || request.detail === 'summary') &&
      (request.mine === undefined || typeof request.mine === 'boolean');
    const compounds = valid ? (request.compounds ?? []) : [];
    if (!valid) {
      this.#deps.metrics.liveRefused.inc({ reason: 'bad_request' });
      return { ok: false, error: 'BAD_REQUEST', message: `compounds: a list of at most ${MAX_SUBSCRIBED_COMPOUNDS} compound ids` };
    }
    const window = request.devices === undefined ? undefined : parseDeviceWindow(request.devices);
    if (window && !window.ok) {
      this.#deps.metrics.liveRefused.inc({ reason: 'bad_request' });
      return { ok: false, error: 'BAD_REQUEST', message: window.message };
    }
    const outside = compounds.filter((c) => !inScope(me, c) || !this.#deps.registry.compound(c));
    if (outside.length) {
      this.#deps.metrics.liveRefused.inc({ reason: 'forbidden' });
      return { ok: false, error: 'FORBIDDEN', message: `outside your scope or unknown: ${outside.slice(0, 5).join(', ')}` };
    }
    const { room, sub: asked } = roomOf(request, me, window?.window, socket.id);
    // Each snapshot takes a token of its own: 2,000 subscribes cannot make 2,000 snapshots.
    if (!takeToken(socket.data.snapshots, this.#now(), LIVE_SNAPSHOTS_PER_SEC, LIVE_SNAPSHOT_BURST)) {
      this.#deps.metrics.liveRefused.inc({ reason: 'snapshot_rate' });
      return { ok: false, error: 'RATE_LIMITED', message: `at most one snapshot every ${1 / LIVE_SNAPSHOTS_PER_SEC} s (burst ${LIVE_SNAPSHOT_BURST}); the subscription is unchanged` };
    }
    if (socket.data.room && socket.data.room !== room) socket.leave(socket.data.room);
    // A socket's own window room takes the window it asks for now (another page, other filters).
    if (asked.window) this.#forget(room);
    let sub = this.#rooms.get(room);
    if (!sub) {
      sub = asked;
      this.#rooms.set(room, sub);
      for (const c of sub.compounds) this.#watched.set(c, (this.#watched.get(c) ?? 0) + 1);
    }
    socket.data.room = room;
    socket.join(room);
    this.#log.debug({ user: me.id, room }, 'subscribed');
    return { ok: true, snapshot: this.#snapshot(sub) };
  }

  #snapshot(sub: Subscription): LiveSnapshot {
    const { registry, deviceStates, alerts } = this.#deps;
    const open = alerts.list({ open: true });
    // Bounded: at most LIVE_SNAPSHOT_MAX_DEVICES device views and LIVE_SNAPSHOT_MAX_ALERTS alerts.
    const devices: DeviceView[] = [];
    let truncated = false;
    let page: LivePage | undefined;
    if (sub.window) {
      // The page the view shows; the room's batches follow its devices from now on.
      const selected = selectWindow(registry, sub.compounds, sub.window.spec);
      sub.window.members = new Set(selected.devices.map((d) => d.key));
      for (const d of selected.devices) devices.push(deviceView(d, deviceStates));
      page = selected.page;
    } else if (sub.devices) {
      outer: for (const c of sub.compounds) {
        for (const d of registry.devicesOf(c)) {
          if (devices.length >= LIVE_SNAPSHOT_MAX_DEVICES) {
            truncated = true;
            break outer;
          }
          devices.push(deviceView(d, deviceStates));
        }
      }
    }
    const inSub = open.filter((a) => sub.compounds.has(a.compound) || (sub.mine !== undefined && holds(a, sub.mine) && maySee(sub.mineScope!, a)));
    if (inSub.length > LIVE_SNAPSHOT_MAX_ALERTS) truncated = true;
    return {
      at: this.#now(),
      compounds: compoundSummaries(registry, deviceStates, alerts, sub.compounds),
      devices,
      alerts: inSub.slice(0, LIVE_SNAPSHOT_MAX_ALERTS).map(withoutReportSecret),
      ...(page ? { page } : {}),
      ...(truncated ? { truncated: true } : {}),
    };
  }

  #forget(room: string): void {
    const sub = this.#rooms.get(room);
    if (!sub) return;
    this.#rooms.delete(room);
    this.#lastSent.delete(room);
    for (const c of sub.compounds) {
      const n = (this.#watched.get(c) ?? 1) - 1;
      if (n > 0) this.#watched.set(c, n);
      else this.#watched.delete(c);
    }
  }
}
