/**
 * Assembly of dispatch (design.md §7 channels): every alert step to the retained MQTT alert topic
 * and to the webhooks in force (deliveries kept in the operational database). Alerts taken back at
 * start are announced again: an embedded broker forgets retained messages.
 */
import type { Logger } from 'pino';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { DeliveriesRepo } from '../state/state.types.ts';
import { alertTopic } from '../contracts/topics.ts';
import { alertMessage, mqttAlertPublisher, type MqttPublish } from './mqtt-alert.publisher.ts';
import { WebhookDispatcher, type Delivery } from './webhook.dispatcher.ts';
import { keepDeliveries } from './deliveries.keeper.ts';

export interface DispatchStage {
  /** Latest webhook deliveries, newest first. */
  deliveries(): Delivery[];
  stop(): Promise<void>;
}

export async function createDispatchStage(deps: {
  topicRoot: string;
  alerts: AlertBook;
  alertsConfig: AlertsConfig;
  publish: MqttPublish;
  deliveries: DeliveriesRepo;
  logger: Logger;
}): Promise<DispatchStage> {
  const { alerts, logger } = deps;
  const onPublishError = (error: Error) => logger.warn({ stage: 'dispatch', err: error.message }, 'alert not published on MQTT');
  alerts.onEvent(mqttAlertPublisher(deps.topicRoot, deps.publish, onPublishError));
  const webhooks = new WebhookDispatcher(() => deps.alertsConfig.webhooks, logger);
  const kept = await keepDeliveries(webhooks, deps.deliveries, logger);
  alerts.onEvent(webhooks.onEvent);
  for (const alert of alerts.list({ open: true })) {
    deps.publish(alertTopic(deps.topicRoot, alert.compound, alert.id), alertMessage(alert), { retain: true, qos: 1 }).catch(onPublishError);
  }
  return {
    deliveries: () => webhooks.deliveries(),
    stop: async () => {
      webhooks.stop();
      await kept.flush();
    },
  };
}
