/**
 * Issue 16: the alert desk reads the closed archive from the alerts table, so the columns its
 * filters need sit beside the body: `severity` and `assignee` (who held the alert last), filled
 * in from the bodies of the alerts kept so far; an index for the archive by compound and time.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('severity', 'text').execute();
  await db.schema.alterTable('alerts').addColumn('assignee', 'text').execute();
  const rows = (await db.selectFrom('alerts').select(['id', 'body']).execute()) as Array<{ id: string; body: string }>;
  for (const row of rows) {
    const alert = JSON.parse(row.body) as { severity?: string; assignee?: string };
    await db.updateTable('alerts').set({ severity: alert.severity ?? null, assignee: alert.assignee ?? null }).where('id', '=', row.id).execute();
  }
  await db.schema.createIndex('alerts_archive').on('alerts').columns(['open', 'compound', 'raised_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('alerts_archive').execute();
  for (const column of ['severity', 'assignee']) await db.schema.alterTable('alerts').dropColumn(column).execute();
}
