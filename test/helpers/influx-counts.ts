import { influxQuery, type StoreSettings } from '../../src/store/index.ts';

/** Points stored per device in a measurement (optionally of one compound), counted on one field. */
export async function countPerDevice(settings: StoreSettings, measurement: string, field: string, compound?: string): Promise<Record<string, number>> {
  const where = compound ? ' WHERE "compound" = $compound' : '';
  const [result] = await influxQuery(settings, `SELECT COUNT("${field}") FROM "${measurement}"${where} GROUP BY "device"`, compound ? { compound } : {});
  const counts: Record<string, number> = {};
  for (const series of result?.series ?? []) counts[series.tags?.device ?? ''] = Number(series.values[0]?.[1] ?? 0);
  return counts;
}
