/** Webhook deliveries (webhook_deliveries table), keyed by webhook + alert + event kind + event time. */
import type { Kysely, Selectable } from 'kysely';
import type { Delivery } from '../dispatch/webhook.dispatcher.ts';
import type { Database, WebhookDeliveriesTable } from './schema.ts';
import type { DeliveriesRepo } from './state.types.ts';

function toDelivery(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    webhook: row.webhook,
    alertId: row.alert_id,
    kind: row.kind as Delivery['kind'],
    at: row.at,
    attempts: row.attempts,
    status: row.status as Delivery['status'],
    ...(row.http_status !== null ? { httpStatus: row.http_status } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
  };
}

export function deliveriesRepo(db: Kysely<Database>): DeliveriesRepo {
  return {
    async save(deliveries) {
      if (!deliveries.length) return;
      await db.transaction().execute(async (trx) => {
        for (const d of deliveries) {
          const fields = { attempts: d.attempts, status: d.status, http_status: d.httpStatus ?? null, error: d.error ?? null };
          await trx
            .insertInto('webhook_deliveries')
            .values({ webhook: d.webhook, alert_id: d.alertId, kind: d.kind, at: d.at, ...fields })
            .onConflict((oc) => oc.columns(['webhook', 'alert_id', 'kind', 'at']).doUpdateSet(fields))
            .execute();
        }
      });
    },
    async list(limit) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('webhook')
        .orderBy('alert_id')
        .orderBy('kind')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toDelivery);
    },
  };
}
