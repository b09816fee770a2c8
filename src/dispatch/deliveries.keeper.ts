/**
 * Webhook deliveries are kept in the operational database (who was told what, when, with what
 * outcome), written behind their changes. At start the latest come back for the deliveries
 * list; a delivery still being retried when the hub stopped is kept as it was, not retried.
 */
import type { Logger } from 'pino';
import type { DeliveriesRepo } from '../state/state.types.ts';
import { writeBehind, type WriteBehind } from '../util/write-behind.ts';
import type { Delivery, WebhookDispatcher } from './webhook.dispatcher.ts';

const RESTORED = 200;

export async function keepDeliveries(dispatcher: WebhookDispatcher, repo: DeliveriesRepo, logger: Logger, delayMs = 200): Promise<WriteBehind> {
  dispatcher.restore((await repo.list(RESTORED)).reverse());
  let dirty = new Map<string, Delivery>();
  const kept = writeBehind(
    async () => {
      const changed = dirty;
      dirty = new Map();
      try {
        if (changed.size) await repo.save([...changed.values()].map((d) => ({ ...d })));
      } catch (error) {
        for (const [key, d] of changed) if (!dirty.has(key)) dirty.set(key, d);
        throw error;
      }
    },
    { delayMs, logger, what: 'webhook deliveries', failure: 'the deliveries list would miss what changed since' },
  );
  dispatcher.onChange((delivery) => {
    dirty.set(`${delivery.webhook}|${delivery.alertId}|${delivery.kind}|${delivery.at}`, delivery);
    kept.changed();
  });
  return kept;
}
