/** The hub under benchmark: a child process as `npm start` runs it, on the run's influxd. */
import type { StoreSettings } from '../../src/store/index.ts';
import { startHubProcess, type HubProcess } from '../../test/helpers/hub-process.ts';
import type { BenchContext } from './context.ts';

export interface BenchHub {
  hub: HubProcess;
  settings: StoreSettings;
  dataDir: string;
  /** Milliseconds from spawn to /readyz answering. */
  startMs: number;
}

export async function startBenchHub(ctx: BenchContext, label: string, env: Record<string, string> = {}, settings = ctx.database(label)): Promise<BenchHub> {
  const dataDir = await ctx.subdir(`hub-${label}`);
  const started = Date.now();
  const hub = await startHubProcess({
    DATA_DIR: dataDir,
    REGISTRY_FILE: ctx.registryFile,
    INFLUX_URL: settings.url,
    INFLUX_API: 'v1',
    INFLUX_DATABASE: settings.database!,
    LOG_LEVEL: 'warn',
    ...env,
  });
  return { hub, settings, dataDir, startMs: Date.now() - started };
}

/**
 * Waits until everything the hub took is in InfluxDB (nothing buffered, nothing spooled);
 * resolves with the time it happened.
 */
export async function whenStored(hub: HubProcess, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer from /readyz';
  for (;;) {
    try {
      const s = (await hub.readyz()).body.storage;
      if (s.bufferedLines === 0 && s.spoolLines === 0 && s.accepting) return Date.now();
      last = `${s.bufferedLines} buffered and ${s.spoolLines} spooled lines`;
    } catch (error) {
      last = `/readyz: ${(error as Error).message}`; // a busy hub may answer late: ask again
    }
    if (Date.now() > deadline) throw new Error(`hub not done storing after ${timeoutMs / 1000} s (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
