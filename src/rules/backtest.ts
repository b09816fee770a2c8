/**
 * Backtest: replays stored history through rules to show what they would have raised
 * ("what would this rule have raised last week?") before they go live. Readings are read
 * from InfluxDB in time order, a day at a time, and fed to a fresh RulesEngine whose
 * clock follows the history.
 */
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
import { TELEMETRY_FIELDS, type FieldValue } from '../contracts/payloads.ts';
import type { Reading } from '../contracts/readings.ts';
import type { RegisteredDevice, Registry } from '../registry/registry.ts';
import { influxQuery, type StoreSettings } from '../store/index.ts';
import type { Rule } from './rule.schema.ts';
import { RulesEngine, type ConditionChange } from './rules.engine.ts';

const DAY = 86_400_000;

/** Turns stored rows of one device type back into readings (a row may hold an event and telemetry). */
export function rowsToReadings(type: DeviceType, columns: string[], rows: unknown[][]): Reading[] {
  const at = (name: string) => columns.indexOf(name);
  const telemetryFields = Object.keys(TELEMETRY_FIELDS[type]);
  const readings: Reading[] = [];
  for (const row of rows) {
    const ts = Number(row[0]);
    const get = (name: string) => {
      const i = at(name);
      return i >= 0 ? (row[i] as FieldValue | null) : null;
    };
    const base = { compound: String(get('compound')), type, device: String(get('device')), ts, receivedAt: ts, tags: {} };
    const fields: Record<string, FieldValue> = {};
    for (const f of telemetryFields) {
      const v = get(f);
      if (v !== null && v !== undefined) fields[f] = v;
    }
    if (Object.keys(fields).length) readings.push({ ...base, kind: 'telemetry', fields });
    const event = get('event');
    if (typeof event === 'string') readings.push({ ...base, kind: 'event', event });
  }
  return readings;
}

export interface BacktestOptions {
  settings: StoreSettings;
  rules: Rule[];
  registry?: Registry;
  from: number;
  to: number;
  compound?: string;
  onProgress?: (day: number, readings: number) => void;
}

export async function backtest(options: BacktestOptions): Promise<ConditionChange[]> {
  const { rules, from, to } = options;
  const engine = new RulesEngine(rules, from);
  const changes: ConditionChange[] = [];
  engine.onChange((c) => changes.push(c));
  const types = DEVICE_TYPES.filter((t) => rules.some((r) => r.enabled && r.match.types.includes(t)));
  const deviceFor = (r: Reading): RegisteredDevice =>
    options.registry?.get(r) ?? { compound: r.compound, type: r.type, device: r.device, key: `${r.compound}/${r.type}/${r.device}`, tags: {}, secretSha256: '', reportIntervalSec: 60 };
  if (options.registry) engine.track([...options.registry.devices()].filter((d) => !options.compound || d.compound === options.compound));

  for (let dayStart = from, day = 1; dayStart < to; dayStart += DAY, day += 1) {
    const dayEnd = Math.min(dayStart + DAY, to);
    const batch: Reading[] = [];
    for (const type of types) {
      const where = ['time >= $from', 'time < $to', ...(options.compound ? ['"compound" = $compound'] : [])].join(' AND ');
      const params = { from: new Date(dayStart).toISOString(), to: new Date(dayEnd).toISOString(), ...(options.compound ? { compound: options.compound } : {}) };
      const [result] = await influxQuery(options.settings, `SELECT * FROM "${type}" WHERE ${where} ORDER BY time ASC`, params);
      const series = result?.series?.[0];
      if (series) batch.push(...rowsToReadings(type, series.columns, series.values));
    }
    batch.sort((a, b) => a.ts - b.ts);
    for (const reading of batch) {
      engine.tick(reading.ts);
      engine.ingest(reading, deviceFor(reading));
    }
    engine.tick(dayEnd);
    options.onProgress?.(day, batch.length);
  }
  return changes;
}
