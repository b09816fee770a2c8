/**
 * The machinery under every outbound webhook (design.md §7): a bounded queue sent in the
 * background, a few at a time, each attempt signed anew (`request(at)`), retried with exponential
 * backoff and jitter while the receiver's answer says retrying can help, up to `maxAttempts`.
 * When the queue is full the oldest waiting item is dropped (status `dropped`). Callers never
 * wait: a receiver that is down or slow never slows whoever pushes. Used by the alert webhooks
 * (webhook.dispatcher.ts) and the northbound push (src/northbound/webhook.push.ts).
 */
import type { Logger } from 'pino';
import type { ChannelOutcome, ChannelRequest } from './channels/channel.types.ts';

/** What a delivery record holds at least: updated in place as attempts are made. */
export interface DeliveryState {
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  httpStatus?: number;
  error?: string;
}

/** One thing to post: how to build its request at a given time, and how to read the answer. */
export interface Deliverable {
  /** The request for one attempt at `at` (ms epoch): signed anew each time. */
  request(at: number): ChannelRequest;
  outcome(status: number, body: string): ChannelOutcome;
  maxAttempts: number;
  retryBaseMs: number;
  /** Fields for the log lines of this delivery (webhook id, alert id, …). */
  logFields: Record<string, unknown>;
}

export interface DeliveryQueueOptions<D extends DeliveryState> {
  logger: Logger;
  /** After each attempt and when an item is dropped. */
  changed: (delivery: D) => void;
  maxQueue?: number;
  concurrency?: number;
  timeoutMs?: number;
  now?: () => number;
}

interface Job<D> {
  item: Deliverable;
  delivery: D;
}

const MAX_BACKOFF_MS = 60_000;

export class DeliveryQueue<D extends DeliveryState> {
  readonly #queue: Array<Job<D>> = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #log: Logger;
  readonly #changed: (delivery: D) => void;
  readonly #maxQueue: number;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #inFlight = 0;
  #stopped = false;

  constructor(options: DeliveryQueueOptions<D>) {
    this.#log = options.logger;
    this.#changed = options.changed;
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Waiting to be sent (not in flight, not waiting for a retry). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Queues one delivery; the oldest waiting one is dropped (and returned) when the queue is full. */
  push(item: Deliverable, delivery: D): D | undefined {
    if (this.#stopped) return undefined;
    let dropped: D | undefined;
    if (this.#queue.length >= this.#maxQueue) {
      dropped = this.#queue.shift()!.delivery;
      dropped.status = 'dropped';
      dropped.error = 'queue full';
      this.#changed(dropped);
    }
    this.#queue.push({ item, delivery });
    this.#pump();
    return dropped;
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight < this.#concurrency && this.#queue.length) {
      const job = this.#queue.shift()!;
      this.#inFlight += 1;
      void this.#send(job).finally(() => {
        this.#inFlight -= 1;
        this.#changed(job.delivery);
        this.#pump();
      });
    }
  }

  async #send(job: Job<D>): Promise<void> {
    const { item, delivery } = job;
    delivery.attempts += 1;
    let retry = true;
    try {
      const request = item.request(this.#now());
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(this.#timeoutMs) });
      const answer = await response.text().catch(() => '');
      delivery.httpStatus = response.status;
      const outcome = item.outcome(response.status, answer);
      if (outcome.delivered) {
        delivery.status = 'delivered';
        delete delivery.error;
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
      this.#log.warn({ ...item.logFields, status: delivery.httpStatus, err: delivery.error }, 'webhook refused the delivery');
      return;
    }
    if (delivery.attempts >= item.maxAttempts || this.#stopped) {
      delivery.status = 'failed';
      this.#log.warn({ ...item.logFields, err: delivery.error }, 'webhook delivery failed');
      return;
    }
    const delay = Math.min(item.retryBaseMs * 2 ** (delivery.attempts - 1), MAX_BACKOFF_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      this.#queue.push(job);
      this.#pump();
    }, delay * (0.8 + Math.random() * 0.4));
    this.#timers.add(timer);
  }
}
