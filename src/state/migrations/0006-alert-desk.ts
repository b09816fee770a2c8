/**
 * Issue 16: the alert desk reads the closed archive from the alerts table, so the columns its
 * filters need sit beside the body: `severity` and `assignee` (who held the alert last), filled
 * in from the bodies of the alerts kept so far; an index for the archive by compound and time.
 * The backfill reads the bodies in pages by id (BACKFILL_PAGE at a time, `id > last`) and writes
 * each page with one statement, so a large archive is never held in memory whole.
 */
import { sql, type Kysely } from 'kysely';

export const BACKFILL_PAGE = 500;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('severity', 'text').execute();
  await db.schema.alterTable('alerts').addColumn('assignee', 'text').execute();
  let last: string | undefined;
  for (;;) {
    let page = db.selectFrom('alerts').select(['id', 'body']).orderBy('id').limit(BACKFILL_PAGE);
    if (last !== undefined) page = page.where('id', '>', last);
    const rows = (await page.execute()) as Array<{ id: string; body: string }>;
    if (!rows.length) break;
    const filled = rows.map((row) => {
      const alert = JSON.parse(row.body) as { severity?: string; assignee?: string };
      return { id: row.id, severity: alert.severity ?? null, assignee: alert.assignee ?? null };
    });
    const column = (name: 'severity' | 'assignee') =>
      sql`case ${sql.ref('id')} ${sql.join(
        filled.map((f) => sql`when ${f.id} then cast(${f[name]} as text)`),
        sql` `,
      )} end`;
    await db
      .updateTable('alerts')
      .set({ severity: column('severity'), assignee: column('assignee') })
      .where(
        'id',
        'in',
        filled.map((f) => f.id),
      )
      .execute();
    last = rows.at(-1)!.id;
    if (rows.length < BACKFILL_PAGE) break;
  }
  await db.schema.createIndex('alerts_archive').on('alerts').columns(['open', 'compound', 'raised_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('alerts_archive').execute();
  for (const column of ['severity', 'assignee']) await db.schema.alterTable('alerts').dropColumn(column).execute();
}
