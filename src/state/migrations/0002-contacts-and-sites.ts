/**
 * Issue 14: people get contact fields (mobile, WeCom/DingTalk/Feishu ids) for notifications that
 * reach a phone; compounds get where they are (latitude/longitude, for arrival distances and the
 * district map) and their area kind (`city` | `county`, which sets the rescue arrival deadline).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  /** JSON object `{ mobile?, wecom?, dingtalk?, feishu? }`, or null. */
  await db.schema.alterTable('users').addColumn('contact', 'text').execute();
  /** `city` | `county`, or null (city). */
  await db.schema.alterTable('compounds').addColumn('area', 'text').execute();
  await db.schema.alterTable('compounds').addColumn('lat', 'double precision').execute();
  await db.schema.alterTable('compounds').addColumn('lon', 'double precision').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['area', 'lat', 'lon']) await db.schema.alterTable('compounds').dropColumn(column).execute();
  await db.schema.alterTable('users').dropColumn('contact').execute();
}
