/**
 * The embedded MQTT broker (Aedes) with device authentication and topic ACLs from
 * the registry. The hub ingests in-process through `subscribe()`, so there is no
 * loopback client. While the hub cannot take more (storage full), each device's publishes
 * wait at authorisation, which stops Aedes reading from that device's connection.
 */
import net from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { HubError } from '../errors.ts';
import { authenticateDevice, mayPublish, maySubscribe } from './device-acl.ts';
import { guardPacketSize } from './packet-size.guard.ts';
import { countedError, refusalOf } from './client-errors.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  topicRoot: string;
  /** Largest MQTT packet taken; a larger one ends the connection before its body is read. */
  maxPacketBytes: number;
  /** A connection must complete CONNECT this soon, however slowly its bytes trickle in. */
  connectTimeoutMs: number;
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
  portInUseMessage?: (host: string, port: number) => Promise<string | undefined>;
}

export type MessageHandler = (topic: string, payload: Buffer, done: () => void) => void;

/** Aedes client with the device it authenticated as. */
type DeviceClient = Client & {
  device?: RegisteredDevice;
  /** Publishes of this client waiting for the hub (see `whenReady`), and the last of them. */
  waiting?: number;
  tail?: Promise<void>;
};

const BAD_USERNAME_OR_PASSWORD = 4;

export class EmbeddedBroker {
  readonly #log: Logger;
  #aedes?: Aedes;
  #server?: net.Server;
  #port = 0;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly deps: EmbeddedBrokerDeps,
  ) {
    this.#log = deps.logger.child({ stage: 'broker' });
  }

  get url(): string {
    return `mqtt://${this.options.host}:${this.#port}`;
  }

  get connectedClients(): number {
    return this.#aedes?.connectedClients ?? 0;
  }

  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  async start(): Promise<void> {
    const { registry, metrics } = this.deps;
    const { topicRoot, maxPacketBytes, connectTimeoutMs } = this.options;
    const refuse = (action: string, client: Client | null | undefined, detail: string) => {
      metrics.brokerRefused.inc({ action });
      this.#log.warn({ action, clientId: client?.id, detail }, 'broker refused a client action');
    };
    const aedes = await Aedes.createBroker({
      // Bounded per-client queue so a slow device cannot pin memory.
      queueLimit: 100,
      maxClientsIdLength: 128,
      connectTimeout: connectTimeoutMs,
      authenticate: (client: DeviceClient, username, password, done) => {
        const device = authenticateDevice(registry, username, password);
        if (!device) {
          refuse('connect', client, `bad credentials for ${username ?? '(no username)'}`);
          const error = countedError('bad username or password') as AuthenticateError;
          error.returnCode = BAD_USERNAME_OR_PASSWORD;
          done(error, false);
          return;
        }
        client.device = device;
        done(null, true);
      },
      authorizePublish: (client: DeviceClient | null, packet, done) => {
        // client === null: the hub's own publications (alerts, hub status).
        if (client === null) return done(null);
        if (client.device && mayPublish(topicRoot, client.device, packet.topic)) return this.#admit(client, done);
        refuse('publish', client, `topic ${packet.topic.slice(0, 200)}`);
        done(countedError('publish not authorised'));
      },
      authorizeSubscribe: (client: DeviceClient, subscription, done) => {
        if (client.device && maySubscribe(topicRoot, client.device, subscription.topic)) {
          return done(null, subscription);
        }
        refuse('subscribe', client, `filter ${subscription.topic.slice(0, 200)}`);
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

    const server = net.createServer((socket) => {
      const client: Client | undefined = aedes.handle(
        guardPacketSize(socket, maxPacketBytes, () => refuse('packet_too_large', client, `a packet over ${maxPacketBytes} bytes`)),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          const usual =
            `MQTT_PORT: ${this.options.host}:${this.options.port} is already in use (a system Mosquitto?). ` +
            'Set MQTT_PORT to a free port, or MQTT_URL to use that broker.';
          void (this.deps.portInUseMessage?.(this.options.host, this.options.port) ?? Promise.resolve(undefined))
            .catch(() => undefined)
            .then((known) => reject(new HubError('PORT_IN_USE', known ?? usual)));
        } else reject(error);
      });
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : this.options.port;
    server.on('error', (error) => this.#log.error({ err: error }, 'broker server error'));
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

  async stop(): Promise<void> {
    const server = this.#server;
    const aedes = this.#aedes;
    if (server?.listening) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connected clients keep the server open; aedes.close() ends them.
        aedes?.close();
      });
    } else if (aedes) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    }
    this.#server = undefined;
    this.#aedes = undefined;
  }

  /** Lets an authorised publish through now, or once the hub takes messages again, in order. */
  #admit(client: DeviceClient, done: (error: Error | null) => void): void {
    if (!client.waiting && !this.deps.whenReady?.()) return done(null);
    client.waiting = (client.waiting ?? 0) + 1;
    client.tail = (client.tail ?? Promise.resolve()).then(async () => {
      await this.deps.whenReady?.();
      client.waiting! -= 1;
      done(null);
    });
  }

  #requireAedes(): Aedes {
    if (!this.#aedes) throw new Error('embedded broker is not started');
    return this.#aedes;
  }
}
