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
  /** Folder of the on-disk spool (one store per folder). */
  spoolDir: string;
  /** Bound of the spool; near it the store stops accepting, beyond it lines are dropped and counted. */
  spoolMaxBytes: number;
  /** Lines per write request (default 5000). */
  batchSize?: number;
  /** Longest wait before a partial batch is sent, ms (default 200): what a hard kill can lose, at most. */
  flushIntervalMs?: number;
  /**
   * Lines held in memory (handed to the client and not yet answered, or queued for the
   * spool's disk) above which the store stops accepting (default 100,000). Beyond it,
   * live lines overflow to the spool instead of growing memory.
   */
  maxBufferLines?: number;
  /** v1 only: CREATE DATABASE at start and when InfluxDB reports it missing. */
  createDatabase?: boolean;
  /** Timeout of one write request, ms (default 10,000). */
  requestTimeoutMs?: number;
  /** Backoff of the spool replayer while InfluxDB is unreachable, ms (default 500 doubling to 10,000, jittered). */
  replayMinDelayMs?: number;
  replayMaxDelayMs?: number;
  /** Size of one spool segment file (default spoolMaxBytes / 8, within 64 KiB … 4 MiB). */
  spoolSegmentBytes?: number;
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
  /** The last write or connection error (or the spool's disk error), while it lasts. */
  lastError?: string;
  /** True while new lines go to the spool (InfluxDB unreachable, or the spool still draining). */
  spooling?: boolean;
  /** The spool folder cannot be written (permissions, disk full): lines wait in memory, bounded. */
  spoolError?: string;
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
