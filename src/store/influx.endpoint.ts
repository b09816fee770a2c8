/**
 * How to reach InfluxDB for each API version: auth headers, the write path (the
 * v2 path the client library uses, mapped to /write for 1.x servers) and /query.
 */
import type { StoreSettings } from './store.types.ts';

/** Write precision: ns, so that readings within one ms of a device get points of their own (line-protocol.ts). */
export const PRECISION = 'ns';

/** The write path the client library sends to (InfluxDB 2.x API). */
export function v2WritePath(settings: StoreSettings): string {
  const params = new URLSearchParams({ org: settings.org ?? '', bucket: settings.bucket ?? settings.database, precision: PRECISION });
  return `/api/v2/write?${params}`;
}

const V1_PRECISION: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

/** Maps a client `/api/v2/write?…` path to InfluxDB 1.x `/write?db=…`; other paths pass through. */
export function toV1Path(path: string, settings: StoreSettings): string {
  if (!path.startsWith('/api/v2/write')) return path;
  const query = new URLSearchParams(path.slice(path.indexOf('?') + 1));
  const params = new URLSearchParams({ db: settings.database });
  if (settings.retentionPolicy) params.set('rp', settings.retentionPolicy);
  const precision = query.get('precision');
  if (precision) params.set('precision', V1_PRECISION[precision] ?? precision);
  const consistency = query.get('consistency'); // InfluxDB Enterprise 1.x
  if (consistency) params.set('consistency', consistency);
  return `/write?${params}`;
}

export function authHeaders(settings: StoreSettings): Record<string, string> {
  if (settings.api === 'v2') return settings.token ? { authorization: `Token ${settings.token}` } : {};
  if (settings.username !== undefined) {
    const basic = Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

/** The database a /query runs against: the v1 database, or the v2 bucket (via its DBRP mapping). */
export function queryDatabase(settings: StoreSettings): string {
  return settings.api === 'v2' ? (settings.bucket ?? settings.database) : settings.database;
}
