/** Site-plan images uploaded for compounds (plan_images table): one per compound, replaced whole. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { PlanImagesRepo, StoredPlanImage } from './state.types.ts';

export function planImagesRepo(db: Kysely<Database>): PlanImagesRepo {
  return {
    async get(compound) {
      const row = await db.selectFrom('plan_images').selectAll().where('compound', '=', compound).executeTakeFirst();
      if (!row) return undefined;
      return { compound: row.compound, type: row.type as StoredPlanImage['type'], data: Buffer.from(row.data, 'base64'), bytes: Number(row.bytes), updatedAt: Number(row.updated_at), updatedBy: row.updated_by };
    },
    async info(compound) {
      const row = await db.selectFrom('plan_images').select(['type', 'bytes', 'updated_at']).where('compound', '=', compound).executeTakeFirst();
      return row && { type: row.type as StoredPlanImage['type'], bytes: Number(row.bytes), updatedAt: Number(row.updated_at) };
    },
    async put(image) {
      const values = { type: image.type, data: image.data.toString('base64'), bytes: image.data.length, updated_at: image.updatedAt, updated_by: image.updatedBy };
      await db
        .insertInto('plan_images')
        .values({ compound: image.compound, ...values })
        .onConflict((oc) => oc.column('compound').doUpdateSet(values))
        .execute();
    },
    async remove(compound) {
      const result = await db.deleteFrom('plan_images').where('compound', '=', compound).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
