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

interface Job {
  hook: WebhookConfig;
  message: AlertMessage;
  delivery: Delivery;
}

export interface WebhookDispatcherDeps {
  /** The webhooks in force now (the routing document holds them; an admin may change them). */
  hooks: () => readonly WebhookConfig[];
  /** Names and contacts for the messages (registry, logins, routing). */
  directory: Directory;
  logger: Logger;
  now?: () => number;
}

const MAX_QUEUE = 10_000;
const LOG_SIZE = 200;
const CONCURRENCY = 4;
const TIMEOUT_MS = 5000;

/** A directory that knows no names (tests and tools that have none): ids stand in. */
export const NO_NAMES: Directory = { compoundName: () => undefined, device: () => undefined, person: () => undefined, utcOffsetMin: () => 480 };

export class WebhookDispatcher {
  readonly #queue: Job[] = [];
  readonly #log: Delivery[] = [];
  readonly #log$: Logger;
  #inFlight = 0;
  #stopped = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #changed: Array<(delivery: Delivery) => void> = [];

  readonly #hooks: () => readonly WebhookConfig[];
  readonly #directory: Directory;
  readonly #now: () => number;

  constructor(deps: WebhookDispatcherDeps) {
    this.#hooks = deps.hooks;
    this.#directory = deps.directory;
    this.#now = deps.now ?? Date.now;
    this.#log$ = deps.logger.child({ stage: 'dispatch' });
  }

  /** Listener for AlertBook events. */
  readonly onEvent = (event: AlertEvent, alert: Alert): void => {
    if (this.#stopped) return;
    let message: AlertMessage | undefined;
    for (const hook of this.#hooks()) {
      if (!isPosted(hook, event, alert)) continue;
      // Worded once, now: the alert changes after this event.
      message ??= buildMessage(event, alert, this.#directory);
      const delivery: Delivery = { webhook: hook.id, alertId: alert.id, kind: event.kind, at: event.at, attempts: 0, status: 'pending' };
      this.#remember(delivery);
      if (this.#queue.length >= MAX_QUEUE) {
        const dropped = this.#queue.shift()!;
        dropped.delivery.status = 'dropped';
        dropped.delivery.error = 'queue full';
        this.#emit(dropped.delivery);
      }
      this.#queue.push({ hook, message, delivery });
    }
    this.#pump();
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
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight < CONCURRENCY && this.#queue.length) {
      const job = this.#queue.shift()!;
      this.#inFlight += 1;
      void this.#send(job).finally(() => {
        this.#inFlight -= 1;
        this.#emit(job.delivery);
        this.#pump();
      });
    }
  }

  async #send(job: Job): Promise<void> {
    const { hook, message, delivery } = job;
    delivery.attempts += 1;
    const channel = channelFor(hook.kind);
    let retry = true;
    try {
      const request = channel.request(message, hook, this.#now());
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      const answer = await response.text().catch(() => '');
      delivery.httpStatus = response.status;
      const outcome = channel.outcome(response.status, answer);
      if (outcome.delivered) {
        delivery.status = 'delivered';
        delivery.error = undefined;
        return;
      }
      delivery.error = outcome.error;
      retry = outcome.retry;
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    // A refusal that retrying cannot help (a 4xx, a vendor's error code other than its rate limit).
    if (!retry) {
      delivery.status = 'failed';
      this.#log$.warn({ webhook: hook.id, kind: hook.kind, status: delivery.httpStatus, err: delivery.error }, 'webhook refused the delivery');
      return;
    }
    if (delivery.attempts >= hook.maxAttempts || this.#stopped) {
      delivery.status = 'failed';
      this.#log$.warn({ webhook: hook.id, alertId: delivery.alertId, err: delivery.error }, 'webhook delivery failed');
      return;
    }
    const delay = Math.min(hook.retryBaseMs * 2 ** (delivery.attempts - 1), 60_000);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#queue.push(job);
      this.#pump();
    }, delay * (0.8 + Math.random() * 0.4));
    this.#timers.add(timer);
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
