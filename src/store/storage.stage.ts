/**
 * Assembly of storage (design.md §5): an external InfluxDB (INFLUX_URL), a local influxd the hub
 * starts in DATA_DIR, or none (live-only: readings are shown but not stored).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { redactUrl } from '../util/redact-url.ts';
import { createStore, findInfluxd, startLocalInfluxd, type LocalInfluxd, type Store, type StoreSettings } from './index.ts';

export interface StorageStage {
  settings?: StoreSettings;
  managed?: LocalInfluxd;
  store?: Store;
  /** For the banner: where readings go. */
  label: string;
  /** Stops what was started (the store flushes, then the local influxd). */
  stop(): Promise<void>;
}

async function resolveStorage(config: HubConfig, logger: Logger): Promise<Pick<StorageStage, 'settings' | 'managed' | 'label'>> {
  if (config.storage.kind === 'external') {
    const s = config.storage.settings;
    return { settings: s, label: `InfluxDB ${s.api} at ${redactUrl(s.url)} (${s.api === 'v1' ? `database ${s.database}` : `bucket ${s.bucket}`})` };
  }
  if (config.storage.kind === 'managed') {
    const binary = await findInfluxd();
    if (binary.ok) {
      const managed = await startLocalInfluxd({ dataDir: path.join(config.dataDir, 'influxdb'), logger, binary: binary.path });
      return {
        managed,
        settings: { url: managed.url, api: 'v1', database: config.influx.database },
        label: `local influxd ${binary.version} at ${managed.url} (data in ${path.join(config.dataDir, 'influxdb')})`,
      };
    }
    logger.warn({ reason: binary.reason }, 'no usable influxd found');
  }
  return { label: 'LIVE-ONLY (nothing is stored: set INFLUX_URL or install influxd)' };
}

export async function createStorageStage(config: HubConfig, deps: { logger: Logger; metrics: HubMetrics }): Promise<StorageStage> {
  const resolved = await resolveStorage(config, deps.logger);
  const stop = async () => {
    await stage.store?.close();
    await resolved.managed?.stop();
  };
  const stage: StorageStage = { ...resolved, stop };
  if (!resolved.settings) {
    deps.logger.warn('LIVE-ONLY MODE: no InfluxDB; readings are validated and shown live but NOT stored');
    return stage;
  }
  try {
    stage.store = createStore(deps, {
      ...resolved.settings,
      createDatabase: resolved.settings.api === 'v1',
      spoolDir: path.join(config.dataDir, 'spool'),
      spoolMaxBytes: config.influx.spoolMaxBytes,
      batchSize: config.influx.batchSize,
      flushIntervalMs: config.influx.flushIntervalMs,
    });
    await stage.store.start();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return stage;
}
