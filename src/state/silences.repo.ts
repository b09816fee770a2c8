/** Silences / maintenance windows (silences table): kept after they end, with who ended them. */
import type { Kysely, Selectable } from 'kysely';
import { HubError } from '../errors.ts';
import type { Silence } from '../alerts/silences.ts';
import type { Database, SilencesTable } from './schema.ts';
import type { SilencesRepo } from './state.types.ts';

function toSilence(row: Selectable<SilencesTable>): Silence {
  return {
    id: row.id,
    ...(row.compound !== null ? { compound: row.compound } : {}),
    ...(row.device_key !== null ? { deviceKey: row.device_key } : {}),
    ...(row.type !== null ? { type: row.type as NonNullable<Silence['type']> } : {}),
    ...(row.rule_id !== null ? { ruleId: row.rule_id } : {}),
    from: row.from_ms,
    until: row.until_ms,
    reason: row.reason,
    actor: row.actor,
  };
}

export function silencesRepo(db: Kysely<Database>): SilencesRepo {
  return {
    async list(now) {
      const rows = await db.selectFrom('silences').selectAll().where('ended_at', 'is', null).where('until_ms', '>', now).orderBy('from_ms').orderBy('id').execute();
      return rows.map(toSilence);
    },
    async put(s) {
      const fields = {
        compound: s.compound ?? null,
        device_key: s.deviceKey ?? null,
        type: s.type ?? null,
        rule_id: s.ruleId ?? null,
        from_ms: s.from,
        until_ms: s.until,
        reason: s.reason,
        actor: s.actor,
      };
      await db
        .insertInto('silences')
        .values({ id: s.id, ...fields, ended_at: null, ended_by: null })
        .onConflict((oc) => oc.column('id').doUpdateSet(fields))
        .execute();
    },
    async end(id, at, by) {
      const result = await db.updateTable('silences').set({ ended_at: at, ended_by: by }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
      if (result.numUpdatedRows > 0n) return;
      const exists = await db.selectFrom('silences').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) throw new HubError('NOT_FOUND', `silence ${id} does not exist`, { params: { silence: id } });
      // Ended already: the first end is kept.
    },
  };
}
