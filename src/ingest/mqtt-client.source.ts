/**
 * Feeds the ingest pipeline from an external broker (Mosquitto, EMQX, …) with a
 * persistent session (clean=false, fixed client id, QoS 1): while the hub is down
 * the broker holds its messages. A QoS 1 message is acknowledged only after the
 * pipeline took it, and not while storage applies backpressure.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { hubStatusTopic, ingestSubscriptions } from '../contracts/topics.ts';
import { HubError } from '../errors.ts';
import { redactUrl } from '../util/redact-url.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export interface MqttSourceOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  topicRoot: string;
  /** How long start() waits for the first connection before failing. */
  connectTimeoutMs?: number;
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
    const statusTopic = hubStatusTopic(options.topicRoot);
    const client = mqtt.connect(options.url, {
      clientId: options.clientId,
      clean: false,
      username: options.username,
      password: options.password,
      // Jittered so a fleet of hubs does not reconnect in lock-step after a broker restart.
      reconnectPeriod: 1000 + Math.floor(Math.random() * 1000),
      connectTimeout: 10_000,
      resubscribe: true,
      will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.#client = client;

    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const wait = this.pipeline.whenReady();
      if (!wait) {
        this.pipeline.handle(packet.topic, payload);
        callback();
        return;
      }
      void wait.then(() => {
        this.pipeline.handle(packet.topic, payload);
        callback();
      });
    };
    client.on('connect', (connack) => {
      this.#connected = true;
      this.#log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
      client.publish(statusTopic, 'online', { qos: 1, retain: true });
      if (!connack.sessionPresent) {
        client.subscribe(ingestSubscriptions(options.topicRoot), { qos: 1 }, (error) => {
          if (error) this.#log.error({ err: error }, 'subscribe failed');
        });
      }
    });
    client.on('close', () => {
      if (this.#connected) this.#log.warn('broker connection lost; reconnecting');
      this.#connected = false;
    });
    client.on('error', (error) => this.#log.warn({ err: error.message }, 'broker error'));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new HubError('BROKER_UNREACHABLE', `MQTT_URL: no connection to ${redactUrl(options.url)} within ${(options.connectTimeoutMs ?? 15_000) / 1000} s`));
      }, options.connectTimeoutMs ?? 15_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    }).catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
  }

  /** Publishes through the hub's connection (alerts, hub status). */
  async publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): Promise<void> {
    if (!this.#client) throw new Error('not connected');
    await this.#client.publishAsync(topic, payload, options);
  }

  async stop(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    if (client.connected) {
      await client.publishAsync(hubStatusTopic(this.options.topicRoot), 'offline', { qos: 1, retain: true }).catch(() => undefined);
    }
    await client.endAsync();
    this.#connected = false;
  }
}
