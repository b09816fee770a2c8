import { influxQuery, type StoreSettings } from '../../src/store/index.ts';

/** Points stored per device in a measurement, counted on one field every point carries. */
export async function countPerDevice(settings: StoreSettings, measurement: string, field: string): Promise<Record<string, number>> {
  const [result] = await influxQuery(settings, `SELECT COUNT("${field}") FROM "${measurement}" GROUP BY "device"`);
  const counts: Record<string, number> = {};
  for (const series of result?.series ?? []) counts[series.tags?.device ?? ''] = Number(series.values[0]?.[1] ?? 0);
  return counts;
}
