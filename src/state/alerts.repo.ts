/** Alerts with their workflow and history (alerts table): the whole Alert as JSON, plus the columns queries need. */
import type { Kysely } from 'kysely';
import type { Alert, WorkflowState } from '../alerts/alert.types.ts';
import type { ArchiveFilter, DeskKey } from '../alerts/alert-query.ts';
import type { Severity } from '../rules/rule.schema.ts';
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
    async archived(filter: ArchiveFilter): Promise<DeskKey[]> {
      if (filter.compounds && !filter.compounds.length) return [];
      let query = db.selectFrom('alerts').select(['id', 'compound', 'device_key', 'rule_id', 'severity', 'workflow', 'assignee', 'raised_at']).where('open', '=', 0);
      if (filter.compounds) query = query.where('compound', 'in', [...filter.compounds]);
      if (filter.ruleId) query = query.where('rule_id', '=', filter.ruleId);
      if (filter.severity) query = query.where('severity', '=', filter.severity);
      if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
      if (filter.from !== undefined) query = query.where('raised_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('raised_at', '<', filter.to);
      // Migration 0006 filled in severity and assignee of the rows it found; every save writes them.
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        compound: r.compound,
        deviceKey: r.device_key,
        ruleId: r.rule_id,
        severity: r.severity as Severity,
        workflow: r.workflow as WorkflowState,
        assignee: r.assignee ?? undefined,
        raisedAt: Number(r.raised_at),
      }));
    },
    async getMany(ids) {
      if (!ids.length) return [];
      const rows = await db.selectFrom('alerts').select('body').where('id', 'in', [...ids]).execute();
      return rows.map((r) => JSON.parse(r.body) as Alert);
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
            severity: alert.severity,
            assignee: alert.assignee ?? null,
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
