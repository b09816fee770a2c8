/**
 * Zero-loss check: what InfluxDB holds per device against what the broker accepted from it.
 * A point lost is a `seq` the broker acknowledged that InfluxDB does not have; a duplicate is
 * a `seq` stored twice.
 */
import { DEVICE_TYPES } from '../../src/contracts/device-types.ts';
import { influxQuery, type StoreSettings } from '../../src/store/index.ts';

export interface LossCheck {
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** Devices with a difference. */
  devicesOff: number;
}

/** Points and distinct `seq` values per `compound/type/device`. */
export async function storedPerDevice(settings: StoreSettings): Promise<Map<string, { points: number; distinct: number }>> {
  const stored = new Map<string, { points: number; distinct: number }>();
  for (const type of DEVICE_TYPES) {
    const results = await influxQuery(settings, `SELECT COUNT("seq") FROM "${type}" GROUP BY "compound", "device"; SELECT COUNT(DISTINCT("seq")) FROM "${type}" GROUP BY "compound", "device"`);
    results.forEach((result, i) => {
      for (const series of result.series ?? []) {
        const key = `${series.tags?.compound}/${type}/${series.tags?.device}`;
        const entry = stored.get(key) ?? { points: 0, distinct: 0 };
        entry[i === 0 ? 'points' : 'distinct'] = Number(series.values[0]?.[1] ?? 0);
        stored.set(key, entry);
      }
    });
  }
  return stored;
}

export async function checkLoss(settings: StoreSettings, accepted: Record<string, number>): Promise<LossCheck> {
  const stored = await storedPerDevice(settings);
  const check: LossCheck = { expected: 0, stored: 0, lost: 0, duplicated: 0, devicesOff: 0 };
  for (const [key, count] of Object.entries(accepted)) {
    const s = stored.get(key) ?? { points: 0, distinct: 0 };
    check.expected += count;
    check.stored += s.points;
    check.lost += Math.max(0, count - s.distinct);
    check.duplicated += s.points - s.distinct;
    if (s.points !== count || s.distinct !== count) check.devicesOff += 1;
  }
  return check;
}

/** The same check against counts a counting subscriber made (the ceiling). */
export function compareCounts(counted: Record<string, number>, accepted: Record<string, number>): LossCheck {
  const check: LossCheck = { expected: 0, stored: 0, lost: 0, duplicated: 0, devicesOff: 0 };
  for (const [key, count] of Object.entries(accepted)) {
    const got = counted[key] ?? 0;
    check.expected += count;
    check.stored += got;
    check.lost += Math.max(0, count - got);
    check.duplicated += Math.max(0, got - count);
    if (got !== count) check.devicesOff += 1;
  }
  return check;
}
