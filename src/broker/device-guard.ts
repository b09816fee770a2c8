/**
 * What the embedded broker enforces so that a device is only itself and cannot degrade the
 * others (design.md §3; docs/access.md, docs/reliability.md): the identity checks of a CONNECT
 * (client-id.guard.ts), the per-device message budget (rate-limit.ts), the per-address caps
 * (address-limits.ts), and the refusals, counted once per connection, action and reason
 * and logged summarised (refusal-log.ts). The broker calls it from its Aedes hooks.
 */
import type { Client, ConnectPacket, PublishPacket } from 'aedes';
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import type { BrokerLimits } from '../config/config.loader.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { RegisteredDevice } from '../registry/registry.ts';
import { AddressLimits, type AddressTicket } from './address-limits.ts';
import {
  BAD_USERNAME_OR_PASSWORD,
  boundClientId,
  checkIdentity,
  checkSession,
  type ConnectRefusal,
  type ConnectRequest,
} from './client-id.guard.ts';
import { DeviceRateLimiter } from './rate-limit.ts';
import { RefusalLog } from './refusal-log.ts';

/** Where a dropped QoS 0 message is sent instead of its topic: nothing subscribes to it (a device may subscribe only under its own prefix). */
export const DROPPED_TOPIC = '$dropped/rate-limit';

/** Limits that hold when the broker is given none (unit tests; the hub passes the configured ones). */
export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  deviceRate: { ratePerSec: 200, burst: 2000, floodDisconnectMs: 10_000 },
  maxKeepaliveSec: 900,
  maxConnectionsPerAddress: 10_000,
  maxPendingPerAddress: 1000,
};

/** What happens to an authorised publish. */
export type PublishVerdict = { kind: 'pass'; delayMs: number } | { kind: 'drop'; pauseMs: number } | { kind: 'disconnect' };

export class DeviceGuard {
  readonly #log: RefusalLog;
  readonly #rate?: DeviceRateLimiter;
  readonly #addresses: AddressLimits;
  /** Per connection: the refusals already counted (action and reason), its address, its CONNECT. */
  readonly #counted = new WeakMap<object, Set<string>>();
  readonly #tickets = new WeakMap<object, AddressTicket>();
  readonly #requests = new WeakMap<object, ConnectRequest>();
  readonly #dropped = new Map<string, Counter.Internal>();
  readonly #delayed = new Map<string, Counter.Internal>();

  constructor(
    private readonly topicRoot: string,
    readonly limits: BrokerLimits,
    private readonly deps: { metrics: HubMetrics; logger: Logger },
  ) {
    this.#log = new RefusalLog(deps.logger);
    this.#rate = limits.deviceRate ? new DeviceRateLimiter(limits.deviceRate) : undefined;
    this.#addresses = new AddressLimits({ maxConnections: limits.maxConnectionsPerAddress, maxPending: limits.maxPendingPerAddress });
  }

  /**
   * Counts a refusal once per connection, action and reason (a connection refused twice for
   * the same thing, or sending ten refused filters, counts once), and logs it summarised.
   */
  refuse(action: string, reason: string, client: Client | null | undefined, detail: string): void {
    if (client) {
      const seen = this.#counted.get(client) ?? new Set<string>();
      const key = `${action}/${reason}`;
      if (seen.has(key)) return;
      seen.add(key);
      this.#counted.set(client, seen);
    }
    this.deps.metrics.brokerRefused.inc({ action, reason });
    this.#log.note(action, reason, {
      ...(client?.id ? { clientId: client.id } : {}),
      ...(client && this.#tickets.get(client) ? { address: this.#tickets.get(client)!.address } : {}),
      detail,
    });
  }

  /**
   * A new connection from `remoteAddress`: a ticket if the address is within its caps, else
   * undefined (refused and counted; the caller closes it at once).
   */
  admit(remoteAddress: string | undefined): AddressTicket | undefined {
    const ticket = this.#addresses.admit(remoteAddress);
    if (typeof ticket === 'object') return ticket;
    const cap = ticket === 'address_connections' ? this.limits.maxConnectionsPerAddress : this.limits.maxPendingPerAddress;
    const what = ticket === 'address_connections' ? 'open connections' : 'connections waiting for their CONNECT';
    this.refuse('connect', ticket, undefined, `${remoteAddress ?? 'an unknown address'} already has ${cap} ${what}`);
    return undefined;
  }

  /** Ties an admitted connection to its Aedes client; the ticket is released when `conn` closes. */
  attach(client: Client | undefined, conn: NodeJS.EventEmitter, ticket: AddressTicket): void {
    if (client) this.#tickets.set(client, ticket);
    conn.once('close', ticket.release);
  }

  /** Aedes `preConnect`: the CONNECT has arrived (no longer pending); what it asks for is kept for `authenticate`. */
  preConnect(client: Client, packet: ConnectPacket): void {
    this.#tickets.get(client)?.connected();
    this.#requests.set(client, {
      clientId: packet.clientId ?? '',
      clean: packet.clean !== false,
      keepaliveSec: packet.keepalive ?? 0,
      ...(packet.will ? { willTopic: packet.will.topic } : {}),
    });
  }

  /**
   * Why the CONNECT of `client` is refused, given the device its credentials name (undefined:
   * none): its session first (empty client id with clean=false, keepalive), then its
   * credentials, then its client id and Last Will. Undefined: accepted.
   */
  connectRefusal(client: Client, device: RegisteredDevice | undefined, credentials: string): ConnectRefusal | undefined {
    const request = this.#requests.get(client) ?? { clientId: client.id, clean: client.clean, keepaliveSec: 0 };
    const session = checkSession(request, this.limits.maxKeepaliveSec);
    if (session) return session;
    if (!device) return { returnCode: BAD_USERNAME_OR_PASSWORD, reason: 'bad_credentials', detail: `bad credentials for ${credentials}` };
    return checkIdentity(this.topicRoot, device, request);
  }

  /** An accepted device's session: an empty client id becomes the device's own. */
  bind(client: Client, device: RegisteredDevice): void {
    if (client.id !== boundClientId(device)) (client as { id: string }).id = boundClientId(device);
  }

  /** The Last Will of `client` being published as it goes (its topic was checked at CONNECT). */
  isWill(client: Client, packet: PublishPacket): boolean {
    return (client as Client & { will?: unknown }).will === packet;
  }

  /** The verdict on an authorised publish of `device`, decided now (synchronously) against its budget. */
  publishVerdict(device: RegisteredDevice, packet: PublishPacket): PublishVerdict {
    const rate = this.#rate;
    if (!rate) return { kind: 'pass', delayMs: 0 };
    if (packet.qos === 0) {
      const taken = rate.take(device.key);
      if (taken.verdict === 'pass') return { kind: 'pass', delayMs: 0 };
      this.#counter(this.#dropped, device.key, 'dropped').inc();
      return taken.verdict === 'drop' ? { kind: 'drop', pauseMs: taken.pauseMs } : { kind: 'disconnect' };
    }
    const delayMs = rate.reserve(device.key);
    if (delayMs > 0) this.#counter(this.#delayed, device.key, 'delayed').inc();
    return { kind: 'pass', delayMs };
  }

  /** Turns a dropped QoS 0 publish into one that reaches nobody (Aedes can only refuse a publish by ending the connection). */
  drop(packet: PublishPacket): void {
    packet.topic = DROPPED_TOPIC;
    packet.retain = false;
  }

  /** Writes the refusals still counted for the log (broker stop). */
  stop(): void {
    this.#log.flush();
  }

  #counter(cache: Map<string, Counter.Internal>, device: string, outcome: 'dropped' | 'delayed') {
    let child = cache.get(device);
    if (!child) {
      child = this.deps.metrics.brokerRateLimited.labels({ device, outcome });
      cache.set(device, child);
    }
    return child;
  }
}
