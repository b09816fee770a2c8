/**
 * Feeds the ingest pipeline from an external broker (Mosquitto, EMQX, …) with a
 * persistent session (clean=false, fixed client id, QoS 1): while the hub is down
 * the broker holds its messages. A QoS 1 message is acknowledged only after the
 * pipeline took it, and not while storage applies backpressure. Over TLS (mqtts://, wss://) it
 * trusts MQTT_CA and shows MQTT_CERT/MQTT_KEY (mutual TLS); a start that cannot succeed (unknown
 * authority, host name mismatch, credentials refused) fails at once, naming the cause.
 */
import { readFile } from 'node:fs/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { hubStatusTopic, ingestSubscriptions } from '../contracts/topics.ts';
import { HubError } from '../errors.ts';
import { redactUrl } from '../util/redact-url.ts';
import { LoopBudget } from '../util/loop-budget.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';
import { explainBrokerError } from './broker-errors.ts';

export interface MqttSourceOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  topicRoot: string;
  /** PEM files: the CA that signed the broker's certificate (MQTT_CA), the hub's certificate and key (MQTT_CERT, MQTT_KEY). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** How long start() waits for the first connection before failing. */
  connectTimeoutMs?: number;
  /** The topic filters of the session (default: every device topic); a partition's session takes its compounds' (design.md §10). */
  subscriptions?: readonly string[];
  /** The topic of the hub's retained status and Last Will; `false`: this session announces nothing (a partition's). */
  statusTopic?: string | false;
  /**
   * Asked before each message: false and the message is neither handled nor acknowledged (the
   * broker gives it to whoever holds the session next). A partition's owner whose lease runs out.
   */
  mayHandle?: () => boolean;
  /** The share of each event-loop turn messages may take (shared by a cluster instance's partition sessions). */
  loopBudget?: LoopBudget;
}

export class MqttClientSource {
  readonly #log: Logger;
  #client?: MqttClient;
  #connected = false;

  constructor(
    private readonly options: MqttSourceOptions,
    private readonly pipeline: IngestPipeline,
    logger: Logger,
  ) {
    this.#log = logger.child({ stage: 'ingest', broker: redactUrl(options.url) });
  }

  get connected(): boolean {
    return this.#connected;
  }

  get client(): MqttClient | undefined {
    return this.#client;
  }

  async start(): Promise<void> {
    const { options } = this;
    const statusTopic = options.statusTopic === undefined ? hubStatusTopic(options.topicRoot) : options.statusTopic;
    const url = redactUrl(options.url);
    const client = mqtt.connect(options.url, {
      ...(await readTlsFiles(options.tls)),
      clientId: options.clientId,
      clean: false,
      username: options.username,
      password: options.password,
      // Jittered so a fleet of hubs does not reconnect in lock-step after a broker restart.
      reconnectPeriod: 1000 + Math.floor(Math.random() * 1000),
      connectTimeout: 10_000,
      resubscribe: true,
      ...(statusTopic ? { will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1 as const, retain: true } } : {}),
    });
    this.#client = client;

    const mayHandle = options.mayHandle ?? (() => true);
    const budget = options.loopBudget ?? new LoopBudget();
    client.handleMessage = (packet, callback) => {
      // Not ours to handle any more: no acknowledgement, the broker keeps it for the session's next holder.
      if (!mayHandle()) return;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const handle = () => {
        if (!mayHandle()) return;
        this.pipeline.handle(packet.topic, payload);
        callback();
      };
      const wait = this.pipeline.whenReady();
      // A flood of queued messages takes a slice of each turn of the event loop, not the whole turn.
      if (!wait) budget.run(handle);
      else void wait.then(handle);
    };
    client.on('connect', (connack) => {
      this.#connected = true;
      this.#log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
      if (statusTopic) client.publish(statusTopic, 'online', { qos: 1, retain: true });
      if (!connack.sessionPresent) this.subscribe(options.subscriptions ?? ingestSubscriptions(options.topicRoot));
    });
    client.on('close', () => {
      if (this.#connected && this.#client === client) this.#log.warn('broker connection lost; reconnecting');
      this.#connected = false;
    });
    client.on('error', (error) => this.#log.warn({ err: explainBrokerError(error, { url, ca: options.tls?.ca, cert: options.tls?.cert }).message }, 'broker error'));

    await new Promise<void>((resolve, reject) => {
      // Until the first CONNACK: why the last attempt failed; a cause no retry fixes ends the start now.
      let last: string | undefined;
      const onError = (error: Error) => {
        const problem = explainBrokerError(error, { url, ca: options.tls?.ca, cert: options.tls?.cert });
        last = problem.message;
        if (problem.permanent) finish(new HubError('BROKER_REFUSED', problem.message));
      };
      const onClose = () => {
        last ??= `MQTT_URL: ${url}: the broker closed the connection before its CONNACK (a TLS port? then use mqtts:// and MQTT_CA)`;
      };
      const finish = (error?: HubError) => {
        clearTimeout(timer);
        client.off('error', onError);
        client.off('close', onClose);
        client.off('connect', onConnect);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = () => finish();
      const timeoutMs = options.connectTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        const cause = last ? `; last attempt: ${last.replace(/^MQTT_URL: [^ ]+: /, '')}` : '';
        finish(new HubError('BROKER_UNREACHABLE', `MQTT_URL: no connection to ${url} within ${timeoutMs / 1000} s${cause}`));
      }, timeoutMs);
      client.on('error', onError);
      client.on('close', onClose);
      client.once('connect', onConnect);
    }).catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
  }

  /** Adds topic filters to the session (QoS 1); the broker keeps them with the session. */
  subscribe(topics: readonly string[]): void {
    if (!topics.length) return;
    this.#client?.subscribe([...topics], { qos: 1 }, (error) => {
      if (error) this.#log.error({ err: error }, 'subscribe failed');
    });
  }

  /** Publishes through the hub's connection (alerts, hub status). */
  async publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): Promise<void> {
    if (!this.#client) throw new Error('not connected');
    await this.#client.publishAsync(topic, payload, options);
  }

  /** `force`: at once, without waiting for what is in flight (a lease lost: nothing more is acknowledged). */
  async stop(force = false): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    const statusTopic = this.options.statusTopic === undefined ? hubStatusTopic(this.options.topicRoot) : this.options.statusTopic;
    if (client.connected && statusTopic && !force) {
      await client.publishAsync(statusTopic, 'offline', { qos: 1, retain: true }).catch(() => undefined);
    }
    await client.endAsync(force);
    this.#connected = false;
  }
}

/** Reads MQTT_CA, MQTT_CERT and MQTT_KEY, naming the setting whose file cannot be read. */
async function readTlsFiles(files: MqttSourceOptions['tls']): Promise<Pick<IClientOptions, 'ca' | 'cert' | 'key'>> {
  if (!files) return {};
  const read = async (setting: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      throw new HubError('CONFIG_INVALID', `${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('MQTT_CA', files.ca), read('MQTT_CERT', files.cert), read('MQTT_KEY', files.key)]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
