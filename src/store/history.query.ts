/**
 * History reads over InfluxQL `/query` with bound parameters (1.x, 2.x via DBRP, 3.x).
 * Identifiers (measurement = device type, field names) are checked against the payload
 * contract and quoted; every value is bound. Nothing from a request is concatenated.
 */
import { HubError } from '../errors.ts';
import { queryableFields, type FieldValue } from '../contracts/payloads.ts';
import { isDeviceType } from '../contracts/device-types.ts';
import { authHeaders, queryDatabase } from './influx.endpoint.ts';
import type { HistoryReader, LatestQuery, SeriesQuery, StoreSettings } from './store.types.ts';

const QUERY_TIMEOUT_MS = 15_000;
const MAX_POINTS = 10_000;

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface InfluxResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Runs InfluxQL statements; `params` are bound, never spliced into the text. */
export async function influxQuery(
  settings: StoreSettings,
  q: string,
  params: Record<string, string | number> = {},
  options: { method?: 'GET' | 'POST'; database?: boolean } = {},
): Promise<InfluxResult[]> {
  const form = new URLSearchParams({ q, epoch: 'ms' });
  if (options.database !== false) form.set('db', queryDatabase(settings));
  if (Object.keys(params).length) form.set('params', JSON.stringify(params));
  const method = options.method ?? 'POST';
  const base = settings.url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(method === 'GET' ? `${base}/query?${form}` : `${base}/query`, {
      method,
      headers: { ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...authHeaders(settings) },
      ...(method === 'POST' ? { body: form } : {}),
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
  } catch (error) {
    throw new HubError('QUERY_FAILED', `InfluxDB unreachable: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: { results?: InfluxResult[]; error?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new HubError('QUERY_FAILED', `InfluxDB answered ${response.status}: ${text.slice(0, 200)}`);
  }
  if (!response.ok || body.error) throw new HubError('QUERY_FAILED', `InfluxDB: ${body.error ?? response.status}`);
  const results = body.results ?? [];
  const failed = results.find((r) => r.error);
  if (failed) throw new HubError('QUERY_FAILED', `InfluxDB: ${failed.error}`);
  return results;
}

export async function createDatabase(settings: StoreSettings): Promise<void> {
  await influxQuery(settings, `CREATE DATABASE ${quoteIdentifier(settings.database)}`, {}, { database: false });
}

const DEFAULT_POINTS = 1000;
/** Dates InfluxDB can hold (int64 ns): 1677-09-21 … 2262-04-11. */
const MIN_TIME = -9_223_372_036_854;
const MAX_TIME = 9_223_372_036_854;

function checkTime(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_TIME || value > MAX_TIME) {
    throw new HubError('QUERY_INVALID', `${name}: must be a time in ms since the epoch`);
  }
  return Math.trunc(value);
}

/** The row limit: default 1000, capped at 10,000; it is a checked integer, so it may be part of the query text. */
function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_POINTS;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw new HubError('QUERY_INVALID', 'limit: must be a positive integer');
  return Math.min(limit, MAX_POINTS);
}

function checkType(type: string): void {
  if (!isDeviceType(type)) throw new HubError('QUERY_INVALID', `type: unknown device type`);
}

export function createHistoryQuery(settings: StoreSettings): HistoryReader {
  return {
    async latest(query: LatestQuery) {
      checkType(query.type);
      const where = ['time <= now()'];
      const params: Record<string, string> = {};
      if (query.compound) {
        where.push('"compound" = $compound');
        params.compound = query.compound;
      }
      if (query.device) {
        where.push('"device" = $device');
        params.device = query.device;
      }
      const fields = queryableFields(query.type).map((f) => `LAST(${quoteIdentifier(f)}) AS ${quoteIdentifier(f)}`);
      const from = `FROM ${quoteIdentifier(query.type)} WHERE ${where.join(' AND ')} GROUP BY "compound", "device"`;
      // With several LAST() selectors InfluxDB reports time 0, so a second statement finds each device's latest time.
      const [result, times] = await influxQuery(
        settings,
        `SELECT ${fields.join(', ')} ${from}; SELECT * ${from} ORDER BY time DESC LIMIT 1`,
        params,
      );
      const latestTime = new Map((times?.series ?? []).map((s) => [`${s.tags?.compound}/${s.tags?.device}`, Number(s.values[0]?.[0] ?? 0)]));
      return (result?.series ?? []).map((series) => {
        const row = series.values[0] ?? [];
        const fields: Record<string, FieldValue | null> = {};
        series.columns.forEach((column, i) => {
          if (column !== 'time' && row[i] !== null && row[i] !== undefined) fields[column] = row[i] as FieldValue;
        });
        const compound = series.tags?.compound ?? '';
        const device = series.tags?.device ?? '';
        return { compound, device, ts: latestTime.get(`${compound}/${device}`) ?? 0, fields };
      });
    },

    async series(query: SeriesQuery) {
      checkType(query.type);
      if (!queryableFields(query.type).includes(query.field)) {
        throw new HubError('QUERY_INVALID', `field: ${query.type} has no field "${query.field}" (known: ${queryableFields(query.type).join(', ')})`);
      }
      const from = checkTime('from', query.from);
      const to = query.to === undefined ? undefined : checkTime('to', query.to);
      if (to !== undefined && to < from) throw new HubError('QUERY_INVALID', 'to: must not be before from');
      const limit = checkLimit(query.limit);
      // Points carry a sub-ms tie-break (ns precision): `to` takes in every point of its millisecond.
      const upper = to === undefined ? 'time <= now()' : 'time < $to';
      const q =
        `SELECT ${quoteIdentifier(query.field)} FROM ${quoteIdentifier(query.type)} ` +
        `WHERE "compound" = $compound AND "device" = $device AND time >= $from AND ${upper} ` +
        `ORDER BY time ASC LIMIT ${limit}`;
      const params: Record<string, string | number> = {
        compound: query.compound,
        device: query.device,
        from: new Date(from).toISOString(),
      };
      if (to !== undefined) params.to = new Date(Math.min(to + 1, MAX_TIME)).toISOString();
      const [result] = await influxQuery(settings, q, params, { method: 'POST' });
      const values = result?.series?.[0]?.values ?? [];
      return values.filter((row) => row[1] !== null).map((row) => ({ ts: Number(row[0]), value: row[1] as FieldValue }));
    },
  };
}
