/**
 * Webhooks for alert events (design.md §7): each delivery is queued (bounded) and sent in the
 * background with retries and backoff, so a receiver that is down or slow never slows ingest.
 * The webhook's `kind` picks its channel (channels/): the vendor's group-robot message signed
 * as the vendor documents (WeCom, DingTalk, Feishu), or generic JSON with the
 * `X-Compound-Hub-Signature` HMAC header. The message is worded when the event happens (names
 * from `directory`) and signed anew at each attempt. A vendor's HTTP 200 with an error code in
 * the body is a failed attempt (retried for its rate-limit codes), recorded in the delivery.
 */
import type { Logger } from 'pino';
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import type { WebhookConfig } from '../alerts/sla.config.ts';
import { buildMessage, channelFor, type AlertMessage, type Directory } from './channels/index.ts';
import { isPosted } from './webhook.filter.ts';
import { DeliveryQueue } from './delivery.queue.ts';

export { sign } from './channels/generic.channel.ts';

export interface Delivery {
  webhook: string;
  alertId: string;
  kind: AlertEvent['kind'];
  at: number;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  httpStatus?: number;
  error?: string;
}

export interface WebhookDispatcherDeps {
  /** The webhooks in force now (the routing document holds them; an admin may change them). */
  hooks: () => readonly WebhookConfig[];
  /** Names and contacts for the messages (registry, logins, routing). */
  directory: Directory;
  logger: Logger;
  now?: () => number;
}

const LOG_SIZE = 200;

/** A directory that knows no names (tests and tools that have none): ids stand in. */
export const NO_NAMES: Directory = { compoundName: () => undefined, device: () => undefined, person: () => undefined, utcOffsetMin: () => 480 };

export class WebhookDispatcher {
  readonly #log: Delivery[] = [];
  readonly #queue: DeliveryQueue<Delivery>;
  readonly #changed: Array<(delivery: Delivery) => void> = [];

  readonly #hooks: () => readonly WebhookConfig[];
  readonly #directory: Directory;

  constructor(deps: WebhookDispatcherDeps) {
    this.#hooks = deps.hooks;
    this.#directory = deps.directory;
    this.#queue = new DeliveryQueue<Delivery>({ logger: deps.logger.child({ stage: 'dispatch' }), changed: (d) => this.#emit(d), ...(deps.now ? { now: deps.now } : {}) });
  }

  /** Listener for AlertBook events. */
  readonly onEvent = (event: AlertEvent, alert: Alert): void => {
    if (this.#queue.stopped) return;
    let message: AlertMessage | undefined;
    for (const hook of this.#hooks()) {
      if (!isPosted(hook, event, alert)) continue;
      // Worded once, now: the alert changes after this event.
      const worded = (message ??= buildMessage(event, alert, this.#directory));
      const delivery: Delivery = { webhook: hook.id, alertId: alert.id, kind: event.kind, at: event.at, attempts: 0, status: 'pending' };
      this.#remember(delivery);
      const channel = channelFor(hook.kind);
      this.#queue.push(
        {
          request: (at) => channel.request(worded, hook, at),
          outcome: (status, body) => channel.outcome(status, body),
          maxAttempts: hook.maxAttempts,
          retryBaseMs: hook.retryBaseMs,
          logFields: { webhook: hook.id, kind: hook.kind, alertId: alert.id },
        },
        delivery,
      );
    }
  };

  /** Called when a delivery is queued and after each attempt (to keep them in the database). */
  onChange(listener: (delivery: Delivery) => void): void {
    this.#changed.push(listener);
  }

  /** Takes back the latest deliveries an earlier run kept (oldest first), for the deliveries list. */
  restore(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) this.#log.push({ ...delivery });
    while (this.#log.length > LOG_SIZE) this.#log.shift();
  }

  /** Latest deliveries, newest first. */
  deliveries(): Delivery[] {
    return [...this.#log].reverse();
  }

  stop(): void {
    this.#queue.stop();
  }

  #remember(delivery: Delivery): void {
    this.#log.push(delivery);
    if (this.#log.length > LOG_SIZE) this.#log.shift();
    this.#emit(delivery);
  }

  #emit(delivery: Delivery): void {
    for (const listener of this.#changed) listener(delivery);
  }
}
