/** Photos attached to alerts (alert_photos table): base64 text, so both engines keep the bytes the same way. */
import type { Kysely, Selectable } from 'kysely';
import type { PhotoInfo } from '../contracts/alert-photos.ts';
import type { AlertPhotosTable, Database } from './schema.ts';
import type { AlertPhotosRepo } from './state.types.ts';

const INFO = ['id', 'alert_id', 'compound', 'type', 'bytes', 'taken_at', 'taken_by'] as const;

function toInfo(row: Omit<Selectable<AlertPhotosTable>, 'data'>): PhotoInfo {
  return { id: row.id, alertId: row.alert_id, compound: row.compound, type: row.type as PhotoInfo['type'], bytes: Number(row.bytes), at: Number(row.taken_at), by: row.taken_by };
}

export function alertPhotosRepo(db: Kysely<Database>): AlertPhotosRepo {
  return {
    async put(photo, data) {
      await db
        .insertInto('alert_photos')
        .values({ id: photo.id, alert_id: photo.alertId, compound: photo.compound, type: photo.type, data: data.toString('base64'), bytes: data.length, taken_at: photo.at, taken_by: photo.by })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('alert_photos').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { info: toInfo(row), data: Buffer.from(row.data, 'base64') };
    },
    async info(id) {
      const row = await db.selectFrom('alert_photos').select(INFO).where('id', '=', id).executeTakeFirst();
      return row && toInfo(row);
    },
    async list(alertId) {
      const rows = await db.selectFrom('alert_photos').select(INFO).where('alert_id', '=', alertId).orderBy('taken_at').orderBy('id').execute();
      return rows.map(toInfo);
    },
  };
}
