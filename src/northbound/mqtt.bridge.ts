/**
 * The MQTT bridge of the feed (NORTHBOUND_MQTT=on): each entry published on the hub's own broker
 * connection to `{root}/_northbound/v1/{compound}/{kind}` (figures under `_all`), QoS 1, not
 * retained: a subscriber sees what happens while it is connected (or queued in its persistent
 * session); the pull API is for catching up.
 */
import type { MqttPublish } from '../dispatch/mqtt-alert.publisher.ts';
import { FEED_VERSION, type FeedEntry } from '../contracts/northbound.ts';
import { northboundTopic } from '../contracts/topics.ts';
import type { FeedSink } from './northbound.feed.ts';

export function mqttBridge(topicRoot: string, publish: MqttPublish, onError: (error: Error) => void): FeedSink {
  return (entry: FeedEntry) => {
    const compound = entry.kind === 'alert_event' ? entry.compound.id : undefined;
    publish(northboundTopic(topicRoot, FEED_VERSION, compound, entry.kind), JSON.stringify(entry), { retain: false, qos: 1 }).catch(onError);
  };
}
