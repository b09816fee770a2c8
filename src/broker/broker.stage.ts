/**
 * Assembly of the broker side (design.md §3): the embedded Aedes broker with device auth, or a
 * connection to an external broker; either way the hub's status topic, a way to publish (the
 * retained alert topic) and the ingest source feeding the pipeline.
 */
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { Registry } from '../registry/registry.ts';
import type { IngestPipeline } from '../ingest/ingest.pipeline.ts';
import type { BrokerStatus } from '../api/api.types.ts';
import type { MqttPublish } from '../dispatch/mqtt-alert.publisher.ts';
import { hubStatusTopic } from '../contracts/topics.ts';
import { attachEmbeddedSource } from '../ingest/embedded.source.ts';
import { MqttClientSource } from '../ingest/mqtt-client.source.ts';
import { redactUrl } from '../util/redact-url.ts';
import { portHeldMessage } from '../util/instance-file.ts';
import { EmbeddedBroker } from './embedded.broker.ts';

export interface BrokerStage {
  /** The plain MQTT listener (else the first one), or the external broker. */
  url: string;
  /** Every listener of the embedded broker (mqtt, mqtts, ws, wss), or the external broker. */
  listeners: Array<{ url: string; clientCertificates?: boolean }>;
  publish: MqttPublish;
  status(): BrokerStatus;
  /** Ends the connections of these devices (retired, secret rotated): they must CONNECT again with what is registered now. */
  disconnectDevices(keys: readonly string[]): number;
  stop(): Promise<void>;
}

export async function createBrokerStage(config: HubConfig, deps: { registry: Registry; pipeline: IngestPipeline; metrics: HubMetrics; logger: Logger }): Promise<BrokerStage> {
  const { registry, pipeline, metrics, logger } = deps;
  if (config.broker.kind === 'embedded') {
    const broker = new EmbeddedBroker({ ...config.broker, topicRoot: config.topicRoot }, {
      registry,
      metrics,
      logger,
      whenReady: () => pipeline.whenReady(),
      portInUseMessage: (setting, host, port) => portHeldMessage(setting, host, port, config.dataDir),
    });
    await broker.start();
    const stop = async () => {
      await broker.publish(hubStatusTopic(config.topicRoot), 'offline', { retain: true }).catch(() => undefined);
      await broker.stop();
    };
    try {
      await attachEmbeddedSource(broker, pipeline, config.topicRoot);
      await broker.publish(hubStatusTopic(config.topicRoot), 'online', { retain: true });
    } catch (error) {
      await stop();
      throw error;
    }
    const clientCertificates = Boolean(config.broker.tls?.ca);
    return {
      url: broker.url,
      listeners: broker.listeners.map(({ url, kind }) => ({ url, ...(clientCertificates && (kind === 'mqtts' || kind === 'wss') ? { clientCertificates } : {}) })),
      publish: (topic, payload, options) => broker.publish(topic, payload, options),
      status: () => ({ kind: 'embedded', url: broker.url, connected: broker.listening, clients: broker.connectedClients }),
      disconnectDevices: (keys) => broker.disconnectDevices(keys),
      stop,
    };
  }
  // A cluster instance's own connection only publishes (alerts, its status): the partitions' sessions take the devices' messages.
  const instance = config.cluster?.instance;
  const source = new MqttClientSource(
    { ...config.broker, topicRoot: config.topicRoot, ...(instance ? { clientId: `${config.broker.clientId}-${instance}`, subscriptions: [], statusTopic: hubStatusTopic(config.topicRoot, instance) } : {}) },
    pipeline,
    logger,
  );
  try {
    await source.start();
  } catch (error) {
    await source.stop();
    throw error;
  }
  const url = redactUrl(config.broker.url);
  return {
    url,
    listeners: [{ url }],
    publish: (topic, payload, options) => source.publish(topic, payload, options),
    status: () => ({ kind: 'external', url, connected: source.connected }),
    // An external broker has its own device accounts: the hub cannot end their connections.
    disconnectDevices: (keys) => {
      if (keys.length) logger.warn({ stage: 'broker', devices: keys.slice(0, 20) }, 'external broker: retire these devices in its own accounts too');
      return 0;
    },
    stop: () => source.stop(),
  };
}
