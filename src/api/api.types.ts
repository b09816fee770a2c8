/** What the HTTP API reads from the rest of the hub, passed in by hub.ts. */
import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import type { DeviceStates } from '../live/device-state.ts';
import type { DeadLetters } from '../validate/dead-letters.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { HistoryReader } from './history.routes.ts';

export interface BrokerStatus {
  kind: 'embedded' | 'external';
  url: string;
  connected: boolean;
  clients?: number;
}

export interface StorageStatus {
  /** `influxdb`: writing to InfluxDB; `live-only`: nothing is stored. */
  mode: 'influxdb' | 'live-only';
  api?: 'v1' | 'v2';
  url?: string;
  managed?: boolean;
  connected: boolean;
  accepting: boolean;
  spoolBytes: number;
  spoolLines: number;
  bufferedLines: number;
  pointsWritten: number;
  lastError?: string;
}

export interface ApiDeps {
  registry: Registry;
  deviceStates: DeviceStates;
  deadLetters: DeadLetters;
  metrics: HubMetrics;
  logger: Logger;
  brokerStatus: () => BrokerStatus;
  storageStatus: () => StorageStatus;
  /** Undefined when the hub runs live-only. */
  history?: HistoryReader;
}
