/**
 * Signed webhooks for alert events (design.md §7). Each delivery is queued (bounded) and
 * sent in the background with retries and backoff, so a receiver that is down or slow
 * never slows ingest. The body suits group-robot endpoints (markdown message) and
 * carries the alert and the event as JSON; `X-Compound-Hub-Signature` is
 * `sha256=HMAC-SHA256(secret, "<timestamp>.<body>")` with the timestamp in
 * `X-Compound-Hub-Timestamp`.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import type { WebhookConfig } from '../alerts/sla.config.ts';
import { alertMessage } from './mqtt-alert.publisher.ts';

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
  body: string;
  delivery: Delivery;
}

const MAX_QUEUE = 10_000;
const LOG_SIZE = 200;
const CONCURRENCY = 4;
const TIMEOUT_MS = 5000;

const SEVERITY_ZH = { critical: '紧急', major: '重要', minor: '一般', info: '提示' } as const;
const EVENT_ZH: Partial<Record<AlertEvent['kind'], string>> = {
  raised: '新告警', dispatched: '已派单', accepted: '已接单', resolved: '已处置', closed: '已关闭', reopened: '已退回',
  escalated: '已升级', reassigned: '已改派', commented: '新备注', condition_cleared: '状态已恢复', condition_active: '再次发生',
};

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookBody(event: AlertEvent, alert: Alert): string {
  const title = `【${SEVERITY_ZH[alert.severity]}】${alert.name.zh} · ${EVENT_ZH[event.kind] ?? event.kind}`;
  const lines = [
    `### ${title}`,
    `- 小区 Compound: ${alert.compound}`,
    `- 设备 Device: ${alert.type}/${alert.device}`,
    `- 处理人 Assignee: ${event.assignee ?? alert.assignee ?? '—'}`,
    `- 时间 Time: ${new Date(event.at).toISOString()}`,
    ...(event.note ? [`- 备注 Note: ${event.note}`] : []),
  ];
  const text = lines.join('\n');
  return JSON.stringify({
    msgtype: 'markdown',
    markdown: { title, text, content: text },
    event,
    alert: JSON.parse(alertMessage(alert)) as unknown,
  });
}

export class WebhookDispatcher {
  readonly #queue: Job[] = [];
  readonly #log: Delivery[] = [];
  readonly #log$: Logger;
  #inFlight = 0;
  #stopped = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #changed: Array<(delivery: Delivery) => void> = [];

  constructor(
    /** The webhooks in force now (the routing document holds them; an admin may change them). */
    private readonly hooks: () => readonly WebhookConfig[],
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#log$ = logger.child({ stage: 'dispatch' });
  }

  /** Listener for AlertBook events. */
  readonly onEvent = (event: AlertEvent, alert: Alert): void => {
    if (event.kind === 'repeated' || this.#stopped) return;
    for (const hook of this.hooks()) {
      if (hook.events && !hook.events.includes(event.kind)) continue;
      if (hook.severities && !hook.severities.includes(alert.severity)) continue;
      const delivery: Delivery = { webhook: hook.id, alertId: alert.id, kind: event.kind, at: event.at, attempts: 0, status: 'pending' };
      this.#remember(delivery);
      if (this.#queue.length >= MAX_QUEUE) {
        const dropped = this.#queue.shift()!;
        dropped.delivery.status = 'dropped';
        dropped.delivery.error = 'queue full';
        this.#emit(dropped.delivery);
      }
      this.#queue.push({ hook, body: webhookBody(event, alert), delivery });
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
    const { hook, body, delivery } = job;
    delivery.attempts += 1;
    const timestamp = String(this.now());
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-compound-hub-timestamp': timestamp,
          'x-compound-hub-signature': sign(hook.secret, timestamp, body),
          'x-compound-hub-delivery': `${delivery.alertId}.${delivery.kind}.${delivery.at}`,
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.httpStatus = response.status;
      if (response.ok) {
        delivery.status = 'delivered';
        delivery.error = undefined;
        return;
      }
      delivery.error = `HTTP ${response.status}`;
      // 4xx other than 408/429: the receiver refuses this body; retrying will not help.
      if (response.status < 500 && response.status !== 408 && response.status !== 429) {
        delivery.status = 'failed';
        this.#log$.warn({ webhook: hook.id, status: response.status }, 'webhook refused the delivery');
        return;
      }
    } catch (error) {
      delivery.error = (error as Error).message;
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
