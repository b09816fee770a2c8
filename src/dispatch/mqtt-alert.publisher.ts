/**
 * The retained MQTT alert topic (design.md §3): `{root}/{compound}/alerts/{alertId}` holds
 * the alert's current state while it is open and is emptied (retained, zero bytes) when it
 * closes, so a subscriber arriving later sees exactly the open alerts.
 */
import { alertTopic } from '../contracts/topics.ts';
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import { withoutReportSecret } from '../alerts/report-secret.ts';

export type MqttPublish = (topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }) => Promise<void>;

/** What the alert topic carries (and the generic webhook): the alert without its history, nor a resident report's token hash. */
export function alertMessage(alert: Alert): string {
  const { history, ...rest } = withoutReportSecret(alert);
  return JSON.stringify({ ...rest, lastEvent: history.at(-1) });
}

export function mqttAlertPublisher(topicRoot: string, publish: MqttPublish, onError: (error: Error) => void) {
  return (event: AlertEvent, alert: Alert): void => {
    // Repeats change only the count: the next real step republishes it.
    if (event.kind === 'repeated') return;
    const topic = alertTopic(topicRoot, alert.compound, alert.id);
    const payload = alert.workflow === 'closed' ? '' : alertMessage(alert);
    publish(topic, payload, { retain: true, qos: 1 }).catch(onError);
  };
}
