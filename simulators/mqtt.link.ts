/**
 * One MQTT connection of the simulators, kept up like a device keeps its link: when the
 * broker goes away it reconnects after a jittered, growing delay (so hundreds of devices
 * do not all come back in the same millisecond), and it says goodbye before closing. A
 * device that loses power drops it without a goodbye (`cut`) until it boots (`restore`).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Rng } from './prng.ts';

export type ClientFactory = (url: string, options: IClientOptions) => MqttClient;

/** How the first connection attempt ended. */
export type FirstAttempt = 'connected' | 'refused' | 'failed' | 'closed';

export interface Backoff {
  /** Upper bound of the first delay; each failure doubles it up to `maxMs`. */
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { minMs: 1000, maxMs: 30_000 };

/**
 * CONNACK codes that mean "these credentials are not welcome" (MQTT 3.1.1: 4 bad user name
 * or password, 5 not authorized; MQTT 5: 134, 135), as opposed to a network failure.
 */
const REFUSED_CODES = new Set([4, 5, 134, 135]);

export interface LinkOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** TLS on mqtts:// and wss://: the CA to trust, a client certificate and key. */
  tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key'>;
  /** Last Will, published retained at QoS 1 by the broker if the link drops without a goodbye. */
  will?: { topic: string; payload: string };
  /** Jitter of the reconnect delays. */
  rng: Rng;
  backoff?: Backoff;
  connectTimeoutMs?: number;
  keepaliveSec?: number;
  createClient?: ClientFactory;
  /** Each time the link comes up; `again` is false the first time. */
  onUp(client: MqttClient, again: boolean): void;
  /** Each time an up link goes down. */
  onDown(): void;
  /** Every connection error; `refused` when the broker rejected the credentials. */
  onError(error: Error, refused: boolean): void;
}

export interface Link {
  readonly client: MqttClient;
  readonly connected: boolean;
  /** Times the link came back after being up. */
  readonly reconnects: number;
  /** Settles when the first attempt ends; later attempts go on in the background. */
  readonly firstAttempt: Promise<FirstAttempt>;
  /**
   * Drops the connection the way a device losing power does: no DISCONNECT, so the broker
   * publishes the Last Will (here at once, as the socket closes; for a real unpowered device
   * once 1.5 × keepalive has passed). What was in flight is lost; no reconnect is tried
   * until `restore()`.
   */
  cut(): void;
  /** Ends a cut: connects again at once, as a device that boots (and with backoff after that, as usual). */
  restore(): void;
  /** Publishes the goodbye messages (retained, QoS 1) if connected, then disconnects. */
  close(goodbye?: ReadonlyArray<{ topic: string; payload: string }>, timeoutMs?: number): Promise<void>;
}

/** Delay before reconnect attempt `attempt` (0-based): uniform in [cap/2, cap], cap = min(max, min·2^attempt). */
export function backoffDelayMs(attempt: number, rng: Rng, backoff: Backoff = DEFAULT_BACKOFF): number {
  const cap = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt, 30));
  return cap / 2 + (rng() * cap) / 2;
}

function errorCode(error: Error): number | string | undefined {
  return (error as Error & { code?: number | string }).code;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]).finally(() => clearTimeout(timer));
};

export function openLink(options: LinkOptions): Link {
  const create = options.createClient ?? mqtt.connect;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let closing = false;
  /** Cut off (no power): no reconnects until restored. */
  let held = false;
  let up = false;
  let everUp = false;
  let refused = false;
  let attempt = 0;
  let reconnects = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let settleFirst!: (outcome: FirstAttempt) => void;
  const firstAttempt = new Promise<FirstAttempt>((resolve) => {
    let settled = false;
    settleFirst = (outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
  });

  const client = create(options.url, {
    clientId: options.clientId,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...options.tls,
    clean: true,
    // Reconnects are ours (below): mqtt.js only knows a fixed period.
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    keepalive: options.keepaliveSec ?? 30,
    ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true } } : {}),
  });

  client.on('connect', () => {
    up = true;
    refused = false;
    attempt = 0;
    const again = everUp;
    everUp = true;
    if (again) reconnects += 1;
    settleFirst('connected');
    options.onUp(client, again);
  });
  client.on('error', (error) => {
    const code = errorCode(error);
    const isRefused = typeof code === 'number' && REFUSED_CODES.has(code);
    if (isRefused) refused = true;
    options.onError(error, isRefused);
  });
  client.on('close', () => {
    if (up) {
      up = false;
      options.onDown();
    }
    if (closing) return;
    settleFirst(refused ? 'refused' : 'failed');
    if (held || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closing) return;
      // Keep the stores: QoS 1 messages in flight when the link dropped are sent again.
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, backoffDelayMs(attempt, options.rng, backoff));
    attempt += 1;
  });

  return {
    client,
    get connected() {
      return up && client.connected;
    },
    get reconnects() {
      return reconnects;
    },
    firstAttempt,
    cut() {
      if (closing || held) return;
      held = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      // Forced: the socket is destroyed without a DISCONNECT packet.
      client.end(true);
    },
    restore() {
      if (closing || !held) return;
      held = false;
      attempt = 0;
      // Fresh stores: a device that lost power lost what it had in flight.
      client.reconnect();
    },
    async close(goodbye = [], timeoutMs = 5000) {
      closing = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      settleFirst('closed');
      // A graceful end sends DISCONNECT, so the broker drops the Last Will.
      let graceful = client.connected;
      if (graceful && goodbye.length > 0) {
        const said = Promise.all(goodbye.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1, retain: true })));
        graceful = (await within(said.then(() => true).catch(() => false), timeoutMs)) ?? false;
      }
      const ended = new Promise<void>((resolve) => client.end(!graceful, {}, () => resolve()));
      if ((await within(ended.then(() => true), timeoutMs)) === undefined) client.end(true);
    },
  };
}
