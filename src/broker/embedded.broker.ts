/**
 * The embedded MQTT broker (Aedes) with device authentication and topic ACLs from
 * the registry. The hub ingests in-process through `subscribe()`, so there is no
 * loopback client. While the hub cannot take more (storage full), each device's publishes
 * wait at authorisation, which stops Aedes reading from that device's connection.
 * A device is only itself (client id = key, its own Last Will) and cannot degrade the others
 * (a message budget per device, caps per address, a longest keepalive): device-guard.ts.
 *
 * Aedes sends a QoS 1 PUBACK as it lets a publish through, before it hands the message to the
 * subscribers (ingest). So `stop()` first admits no more publishes (a device keeps what was not
 * acknowledged and sends it again to the next start), then waits until every publish let
 * through has reached the subscribers, and only then closes Aedes.
 */
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { authenticateByCertificate, authenticateDevice, mayPublish, maySubscribe } from './device-acl.ts';
import { BrokerListeners, certifiedDeviceKey, type ListenerAddress } from './listeners.ts';
import type { BrokerLimits, TlsListenerSettings } from '../config/config.loader.ts';
import { countedError, refusalOf } from './client-errors.ts';
import { DEFAULT_BROKER_LIMITS, DeviceGuard } from './device-guard.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** Plain MQTT; `off`: none. The other listeners: see listeners.ts. */
  port: number | 'off';
  tls?: TlsListenerSettings;
  wsPort?: number;
  topicRoot: string;
  /** Largest MQTT packet taken; a larger one ends the connection before its body is read. */
  maxPacketBytes: number;
  /** A connection must complete CONNECT this soon, however slowly its bytes trickle in. */
  connectTimeoutMs: number;
  /** Per-device rate, per-address caps, longest keepalive (default: DEFAULT_BROKER_LIMITS). */
  limits?: BrokerLimits;
}

export interface EmbeddedBrokerDeps {
  registry: Registry;
  metrics: HubMetrics;
  logger: Logger;
  /**
   * Undefined while the hub takes messages, else a promise to wait on (storage full). A
   * device's publishes then wait at authorisation, in order: Aedes reads no more from that
   * connection, so the backlog stays in the devices' sockets, not in the broker's memory.
   */
  whenReady?: () => Promise<void> | undefined;
  /** When the port is in use: the message naming what holds it, if it is known (an earlier hub of ours); else the usual one. */
  portInUseMessage?: (setting: string, host: string, port: number) => Promise<string | undefined>;
}

/** How long `stop()` waits for acknowledged publishes to reach the subscribers (they take a turn of the event loop). */
const STOP_SETTLE_MS = 5000;

export type MessageHandler = (topic: string, payload: Buffer, done: () => void) => void;

/** Aedes client with the device it authenticated as. */
type DeviceClient = Client & {
  device?: RegisteredDevice;
  /** Publishes of this client waiting for the hub (see `whenReady`), and the last of them. */
  waiting?: number;
  tail?: Promise<void>;
};

export class EmbeddedBroker {
  readonly #log: Logger;
  #aedes?: Aedes;
  #listeners?: BrokerListeners;
  #guard?: DeviceGuard;
  /** QoS 1 publishes let through (so acknowledged) that have not reached the subscribers yet. */
  readonly #unsettled = new Set<PublishPacket>();
  #stopping = false;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly deps: EmbeddedBrokerDeps,
  ) {
    this.#log = deps.logger.child({ stage: 'broker' });
  }

  /** The plain listener's URL, else the first one's (mqtts, then ws/wss). */
  get url(): string {
    return this.listeners[0]?.url ?? `mqtt://${this.options.host}:${this.options.port}`;
  }

  /** Every listener with its actual port, plain first. */
  get listeners(): readonly ListenerAddress[] {
    return this.#listeners?.addresses ?? [];
  }

  get connectedClients(): number {
    return this.#aedes?.connectedClients ?? 0;
  }

  get listening(): boolean {
    return this.#listeners?.listening ?? false;
  }

  async start(): Promise<void> {
    const { registry, metrics } = this.deps;
    const { topicRoot, connectTimeoutMs } = this.options;
    this.#stopping = false;
    // Identity, rate and address checks; refusals counted once per connection, action and reason, logged summarised.
    const guard = new DeviceGuard(topicRoot, this.options.limits ?? DEFAULT_BROKER_LIMITS, { metrics, logger: this.#log });
    this.#guard = guard;
    const refuse = (action: string, client: Client | null | undefined, detail: string, reason = action) => guard.refuse(action, reason, client, detail);
    const aedes = await Aedes.createBroker({
      // Bounded per-client queue so a slow device cannot pin memory.
      queueLimit: 100,
      // Client ids are device keys (compound/type/device: up to 194 characters); for MQTT 3.1 clients too.
      maxClientsIdLength: 256,
      connectTimeout: connectTimeoutMs,
      // After the subscribers (ingest) have taken a publish.
      published: (packet, _client, done) => {
        this.#unsettled.delete(packet);
        done(null);
      },
      preConnect: (client, packet, done) => {
        guard.preConnect(client, packet);
        done(null, true);
      },
      authenticate: (client: DeviceClient, username, password, done) => {
        // A client certificate verified against MQTT_TLS_CA names the device (listeners.ts).
        const certified = certifiedDeviceKey(client);
        const device = certified !== undefined ? authenticateByCertificate(registry, certified, username, password) : authenticateDevice(registry, username, password);
        // Session (clean, keepalive), then credentials, then client id and Last Will (client-id.guard.ts).
        const refusal = guard.connectRefusal(client, device, certified !== undefined ? `certificate ${certified}` : (username ?? '(no username)'));
        if (refusal) {
          refuse('connect', client, refusal.detail, refusal.reason);
          const error = countedError(refusal.reason === 'bad_credentials' ? 'bad username or password' : refusal.detail) as AuthenticateError;
          error.returnCode = refusal.returnCode as AuthenticateError['returnCode'];
          done(error, false);
          return;
        }
        guard.bind(client, device!);
        client.device = device;
        done(null, true);
      },
      authorizePublish: (client: DeviceClient | null, packet, done) => {
        // client === null: the hub's own publications (alerts, hub status).
        if (client === null) return done(null);
        if (client.device && mayPublish(topicRoot, client.device, packet.topic)) {
          // Its Last Will, as it goes: checked at CONNECT, outside the device's budget.
          if (guard.isWill(client, packet)) return this.#admit(client, done);
          // Stopping: nothing more is let through, so nothing more acknowledged; the device sends it again to the next start.
          if (this.#stopping) return;
          const verdict = guard.publishVerdict(client.device, packet);
          if (verdict.kind === 'pass') return this.#admit(client, done, verdict.delayMs, packet);
          if (verdict.kind === 'drop') {
            guard.drop(packet);
            // A flood over its budget: nothing more is read from this device until the pause is over.
            if (verdict.pauseMs > 0) setTimeout(() => done(null), verdict.pauseMs).unref();
            else done(null);
            return;
          }
          // A persistent offender (MQTT_FLOOD_DISCONNECT): its connection ends; it may come back to the same spent budget.
          refuse('publish', client, `over ${guard.limits.deviceRate?.ratePerSec} msg/s for ${guard.limits.deviceRate?.floodDisconnectMs} ms`, 'rate_limit');
          return done(countedError('persistent flood: disconnected'));
        }
        refuse('publish', client, `topic ${packet.topic.slice(0, 200)}`, 'acl');
        done(countedError('publish not authorised'));
      },
      authorizeSubscribe: (client: DeviceClient, subscription, done) => {
        if (client.device && maySubscribe(topicRoot, client.device, subscription.topic)) {
          return done(null, subscription);
        }
        refuse('subscribe', client, `filter ${subscription.topic.slice(0, 200)}`, 'acl');
        done(null, null);
      },
    });
    // Aedes ends the connection on each of these; malformed or hostile input is counted.
    const onClientError = (client: Client, error: Error) => {
      const action = refusalOf(error);
      if (action) refuse(action, client, error.message);
      else this.#log.debug({ clientId: client.id, err: error.message }, 'client connection ended');
    };
    aedes.on('clientError', onClientError);
    aedes.on('connectionError', onClientError);
    this.#aedes = aedes;

    // Plain, TLS and WebSocket listeners: each connection goes through the packet-size guard to aedes.handle.
    const listeners = new BrokerListeners(this.options, {
      handle: (conn, info) => {
        // Per-address caps: a connection over one is closed before a byte of it is read.
        const ticket = guard.admit(info.remoteAddress);
        if (!ticket) {
          conn.destroy();
          return undefined;
        }
        const client = aedes.handle(conn, info.req);
        guard.attach(client, conn, ticket);
        return client;
      },
      refuse: (action, client, detail, reason) => refuse(action, client, detail, reason),
      portInUseMessage: this.deps.portInUseMessage,
      logger: this.#log,
    });
    this.#listeners = listeners;
    await listeners.start();
  }

  /** In-process subscription; `done` must be called once the message is taken. */
  subscribe(filter: string, handler: MessageHandler): Promise<void> {
    const aedes = this.#requireAedes();
    return new Promise((resolve) => {
      aedes.subscribe(
        filter,
        (packet, cb) => {
          const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
          handler(packet.topic, payload, cb);
        },
        resolve,
      );
    });
  }

  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    const aedes = this.#requireAedes();
    return new Promise((resolve, reject) => {
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: options.qos ?? 1,
          retain: options.retain ?? false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  /**
   * Ends the connections of these devices (retired, or their secret rotated): their client id is
   * their key, so each has at most one. Their next CONNECT is judged by the registry as it is now.
   */
  disconnectDevices(keys: readonly string[]): number {
    const clients = (this.#aedes as unknown as { clients?: Record<string, Client | undefined> } | undefined)?.clients ?? {};
    let ended = 0;
    for (const key of keys) {
      const client = clients[key];
      if (!client) continue;
      client.close();
      ended += 1;
    }
    return ended;
  }

  async stop(): Promise<void> {
    const listeners = this.#listeners;
    const aedes = this.#aedes;
    // No more connections, no more publishes let through (authorizePublish holds them).
    this.#stopping = true;
    const closed = listeners?.close(); // resolves once the connections are ended: aedes.close() ends them
    // Acknowledged before they reached the subscribers (QoS 1): they must reach them before Aedes closes, or they are lost.
    const deadline = performance.now() + STOP_SETTLE_MS;
    while (this.#unsettled.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.#unsettled.size > 0) this.#log.error({ messages: this.#unsettled.size }, 'broker stopped before acknowledged messages reached ingest');
    this.#unsettled.clear();
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
    this.#listeners = undefined;
    this.#aedes = undefined;
    this.#guard?.stop();
    this.#guard = undefined;
  }

  /**
   * Lets an authorised publish through now, or once the hub takes messages again and, for a
   * QoS 1/2 publish over its device's rate, after `delayMs`, in order. A device's publish
   * (`packet`; not its Last Will) still waiting when the broker stops is never let through.
   */
  #admit(client: DeviceClient, done: (error: Error | null) => void, delayMs = 0, packet?: PublishPacket): void {
    // The hot path: no closure made per message (tsx names each one, which costs as much as the rest of this).
    if (!client.waiting && delayMs <= 0 && !this.deps.whenReady?.()) return this.#pass(client, done, packet);
    client.waiting = (client.waiting ?? 0) + 1;
    const due = performance.now() + delayMs;
    client.tail = (client.tail ?? Promise.resolve()).then(async () => {
      const wait = due - performance.now();
      if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
      await this.deps.whenReady?.();
      client.waiting! -= 1;
      if (packet && this.#stopping) return;
      this.#pass(client, done, packet);
    });
  }

  /** Lets a publish through: Aedes acknowledges it now (if the connection is up) and hands it to the subscribers a moment later. */
  #pass(client: DeviceClient, done: (error: Error | null) => void, packet: PublishPacket | undefined): void {
    if (packet?.qos === 1 && (client.connected || client.connecting)) this.#unsettled.add(packet);
    done(null);
  }

  #requireAedes(): Aedes {
    if (!this.#aedes) throw new Error('embedded broker is not started');
    return this.#aedes;
  }
}
