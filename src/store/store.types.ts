/** Configuration, state and read interface of the store stage. */
import type { DeviceType } from '../contracts/device-types.ts';
import type { FieldValue } from '../contracts/payloads.ts';

export interface StoreSettings {
  url: string;
  /** `v1`: /write + /query with a database (InfluxDB 1.x); `v2`: /api/v2/write with a token (2.x, 3.x, 1.8+). */
  api: 'v1' | 'v2';
  database: string;
  retentionPolicy?: string;
  username?: string;
  password?: string;
  token?: string;
  org?: string;
  bucket?: string;
}

export interface StoreConfig extends StoreSettings {
  spoolDir: string;
  spoolMaxBytes: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Lines handed to the client but not yet acknowledged, above which ingest is paused. */
  maxBufferLines?: number;
  /** v1 only: CREATE DATABASE at start and when InfluxDB reports it missing. */
  createDatabase?: boolean;
}

export interface StoreState {
  api: 'v1' | 'v2';
  url: string;
  connected: boolean;
  accepting: boolean;
  spoolBytes: number;
  spoolLines: number;
  bufferedLines: number;
  pointsWritten: number;
  lastError?: string;
}

export interface LatestQuery {
  type: DeviceType;
  compound?: string;
  device?: string;
}
export interface SeriesQuery {
  type: DeviceType;
  compound: string;
  device: string;
  field: string;
  /** ms epoch */
  from: number;
  /** ms epoch; when absent, the series stops at now(). */
  to?: number;
  limit?: number;
}
export interface HistoryReader {
  latest(query: LatestQuery): Promise<Array<{ compound: string; device: string; ts: number; fields: Record<string, FieldValue | null> }>>;
  series(query: SeriesQuery): Promise<Array<{ ts: number; value: FieldValue | null }>>;
}
