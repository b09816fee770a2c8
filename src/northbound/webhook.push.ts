/**
 * The signed push of the feed (NORTHBOUND_URL): each entry POSTed as JSON on its own, signed at
 * each attempt (push.signature.ts), through the dispatch stage's delivery queue
 * (src/dispatch/delivery.queue.ts): bounded (the oldest waiting entry is dropped beyond
 * NORTHBOUND_QUEUE, counted in compound_hub_northbound_dropped_total{reason="queue_full"}),
 * retried with backoff on a timeout, 408, 429 or 5xx, never waited for by whoever adds entries.
 */
import type { Logger } from 'pino';
import type { FeedEntry } from '../contracts/northbound.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { NorthboundSettings } from '../config/config.loader.ts';
import { DeliveryQueue, type DeliveryState } from '../dispatch/delivery.queue.ts';
import { statusOutcome } from '../dispatch/channels/receiver-answer.ts';
import { signedHeaders } from './push.signature.ts';

export interface PushDelivery extends DeliveryState {
  entry: string;
}

export interface WebhookPush {
  push(entry: FeedEntry): void;
  stop(): void;
}

export function webhookPush(settings: NonNullable<NorthboundSettings['push']>, deps: { metrics: Pick<HubMetrics, 'northboundDropped'>; logger: Logger; now?: () => number }): WebhookPush {
  const queue = new DeliveryQueue<PushDelivery>({
    logger: deps.logger,
    maxQueue: settings.queue,
    ...(deps.now ? { now: deps.now } : {}),
    changed: (delivery) => {
      if (delivery.status === 'dropped') deps.metrics.northboundDropped.inc({ reason: 'queue_full' });
      else if (delivery.status === 'failed') deps.metrics.northboundDropped.inc({ reason: 'push_failed' });
    },
  });
  return {
    push(entry) {
      // Serialised once: every attempt signs these very bytes.
      const body = JSON.stringify(entry);
      queue.push(
        {
          request: (at) => ({ url: settings.url, headers: { ...signedHeaders(settings.secret, body, at), 'x-compound-hub-delivery': `${entry.source}.${entry.id}` }, body }),
          outcome: (status) => statusOutcome(status) ?? { delivered: true },
          maxAttempts: settings.maxAttempts,
          retryBaseMs: settings.retryBaseMs,
          logFields: { webhook: 'northbound', entry: entry.id },
        },
        { entry: entry.id, attempts: 0, status: 'pending' },
      );
    },
    stop: () => queue.stop(),
  };
}
