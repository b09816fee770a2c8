/** Alerts with their workflow and history (alerts table): the whole Alert as JSON, plus the columns queries need. */
import type { Kysely } from 'kysely';
import type { Alert } from '../alerts/alert.types.ts';
import type { Database } from './schema.ts';
import type { AlertsRepo } from './state.types.ts';

/** When the alert last changed: its last sighting or its last event. */
function updatedAt(alert: Alert): number {
  return Math.max(alert.raisedAt, alert.lastSeenAt, alert.clearedAt ?? 0, ...alert.history.map((e) => e.at));
}

export function alertsRepo(db: Kysely<Database>): AlertsRepo {
  return {
    async listOpen() {
      const rows = await db.selectFrom('alerts').select('body').where('open', '=', 1).orderBy('raised_at').orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.body) as Alert);
    },
    async get(id) {
      const row = await db.selectFrom('alerts').select('body').where('id', '=', id).executeTakeFirst();
      return row && (JSON.parse(row.body) as Alert);
    },
    async save(alerts) {
      if (!alerts.length) return;
      await db.transaction().execute(async (trx) => {
        for (const alert of alerts) {
          const fields = {
            compound: alert.compound,
            device_key: alert.deviceKey,
            rule_id: alert.ruleId,
            workflow: alert.workflow,
            open: alert.workflow === 'closed' ? 0 : 1,
            raised_at: alert.raisedAt,
            updated_at: updatedAt(alert),
            body: JSON.stringify(alert),
          };
          await trx
            .insertInto('alerts')
            .values({ id: alert.id, ...fields })
            .onConflict((oc) => oc.column('id').doUpdateSet(fields))
            .execute();
        }
      });
    },
  };
}
