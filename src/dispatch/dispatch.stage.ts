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
import type { Registry } from '../registry/registry.ts';
import type { Contact } from '../contracts/api.ts';
import type { Directory } from './channels/index.ts';

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
  /** Compound and device names for the messages. */
  registry: Registry;
  /** The logins in force (UsersStore): names, and contacts for @mentions. */
  users: { get(id: string): { id: string; name?: string; contact?: Contact } | undefined };
  logger: Logger;
}): Promise<DispatchStage> {
  const { alerts, logger } = deps;
  const onPublishError = (error: Error) => logger.warn({ stage: 'dispatch', err: error.message }, 'alert not published on MQTT');
  alerts.onEvent(mqttAlertPublisher(deps.topicRoot, deps.publish, onPublishError));
  const webhooks = new WebhookDispatcher({ hooks: () => deps.alertsConfig.webhooks, directory: directoryOf(deps), logger });
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

/** Names and contacts as the registry, the logins and the routing hold them now. */
export function directoryOf(deps: { registry: Registry; users: { get(id: string): { id: string; name?: string; contact?: Contact } | undefined }; alertsConfig: AlertsConfig }): Directory {
  return {
    compoundName: (id) => deps.registry.compound(id)?.name,
    device: (key) => {
      const d = deps.registry.getByKey(key);
      return d && { ...(d.name ? { name: d.name } : {}), ...(d.placeNames?.building ? { building: d.placeNames.building } : {}), ...(d.placeNames?.zone ? { zone: d.placeNames.zone } : {}) };
    },
    person: (id) => {
      const u = deps.users.get(id);
      return u && { id: u.id, name: u.name ?? u.id, ...(u.contact ? { contact: u.contact } : {}) };
    },
    utcOffsetMin: () => deps.alertsConfig.utcOffsetMin,
  };
}
