/** Alerts with their workflow and history (alerts table): the whole Alert as JSON, plus the columns queries need. */
import { sql, type Kysely } from 'kysely';
import type { Alert, WorkflowState } from '../alerts/alert.types.ts';
import type { ArchiveFilter, DeskKey } from '../alerts/alert-query.ts';
import type { Severity } from '../rules/rule.schema.ts';
import type { Database } from './schema.ts';
import type { AlertsRepo, VersionedAlert } from './state.types.ts';
import { engineOf } from './dialect.ts';
import { HubError } from '../errors.ts';

/** When the alert last changed: its last sighting or its last event. */
function updatedAt(alert: Alert): number {
  return Math.max(alert.raisedAt, alert.lastSeenAt, alert.clearedAt ?? 0, ...alert.history.map((e) => e.at));
}

/** The columns of an alert's row besides its id and version. */
function fieldsOf(alert: Alert) {
  return {
    compound: alert.compound,
    device_key: alert.deviceKey,
    rule_id: alert.ruleId,
    workflow: alert.workflow,
    open: alert.workflow === 'closed' ? (0 as const) : (1 as const),
    raised_at: alert.raisedAt,
    updated_at: updatedAt(alert),
    severity: alert.severity,
    assignee: alert.assignee ?? null,
    body: JSON.stringify(alert),
  };
}

const versioned = (row: { body: string; version: number | string }): VersionedAlert => ({ alert: JSON.parse(row.body) as Alert, version: Number(row.version) });

export function alertsRepo(db: Kysely<Database>): AlertsRepo {
  const engine = engineOf(db);
  /** Writes `alert` over `version` (0: inserts it) through `on`; the new version or undefined. */
  const writeOn = async (on: Kysely<Database>, alert: Alert, version: number): Promise<number | undefined> => {
    if (version === 0) {
      const inserted = await on.insertInto('alerts').values({ id: alert.id, ...fieldsOf(alert), version: 1 }).onConflict((oc) => oc.column('id').doNothing()).returning('version').executeTakeFirst();
      return inserted ? Number(inserted.version) : undefined;
    }
    const updated = await on
      .updateTable('alerts')
      .set({ ...fieldsOf(alert), version: version + 1 })
      .where('id', '=', alert.id)
      .where('version', '=', version)
      .returning('version')
      .executeTakeFirst();
    return updated ? Number(updated.version) : undefined;
  };
  return {
    async listOpenVersioned(compounds) {
      if (compounds && !compounds.length) return [];
      let query = db.selectFrom('alerts').select(['body', 'version']).where('open', '=', 1);
      if (compounds) query = query.where('compound', 'in', [...compounds]);
      return (await query.orderBy('raised_at').orderBy('id').execute()).map(versioned);
    },
    async getVersioned(id) {
      const row = await db.selectFrom('alerts').select(['body', 'version']).where('id', '=', id).executeTakeFirst();
      return row && versioned(row);
    },
    async changedSince(since) {
      const rows = await db.selectFrom('alerts').select(['body', 'version']).where('updated_at', '>=', since).orderBy('updated_at').execute();
      return rows.map(versioned);
    },
    writeIf: (alert, version) => writeOn(db, alert, version),
    async stepLocked(id, step) {
      return db.transaction().execute(async (trx) => {
        const read = trx.selectFrom('alerts').select(['body', 'version']).where('id', '=', id);
        const row = await (engine === 'postgres' ? read.forUpdate() : read).executeTakeFirst();
        if (!row) throw new HubError('NOT_FOUND', `alert ${id} does not exist`, { params: { id } });
        const stored = versioned(row);
        const next = step(stored);
        const version = await writeOn(trx, next, stored.version);
        if (version === undefined) throw new HubError('CONFLICT', `alert ${id} changed meanwhile; try again`, { params: { id } });
        return { alert: next, version };
      });
    },
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
          const fields = fieldsOf(alert);
          // Every write counts, so an instance of a cluster started on this database later sees it (writeIf).
          await trx
            .insertInto('alerts')
            .values({ id: alert.id, ...fields, version: 1 })
            .onConflict((oc) => oc.column('id').doUpdateSet({ ...fields, version: sql<number>`alerts.version + 1` }))
            .execute();
        }
      });
    },
  };
}
