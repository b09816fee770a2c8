/** What every phase of a benchmark run shares: a work dir, one influxd, the fleet, the options. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LocalInfluxd, StoreSettings } from '../../src/store/index.ts';
import type { FleetShape } from './fleet.ts';

export interface BenchOptions {
  /** Seconds of load per throughput run. */
  durationSec: number;
  quick: boolean;
  /** Phases to run (all by default). */
  phases: Set<string>;
}

export interface BenchContext {
  options: BenchOptions;
  dir: string;
  influx: LocalInfluxd;
  shape: FleetShape;
  registryFile: string;
  /** Prints a progress line. */
  say(text: string): void;
  /** A fresh database on the shared influxd. */
  database(label: string): StoreSettings;
  /** A fresh directory under the work dir. */
  subdir(label: string): Promise<string>;
}

let counter = 0;

export function contextHelpers(dir: string, influx: LocalInfluxd) {
  return {
    database(label: string): StoreSettings {
      counter += 1;
      return { url: influx.url, api: 'v1', database: `bench_${label.replace(/[^a-z0-9_]/g, '_')}_${counter}` };
    },
    async subdir(label: string): Promise<string> {
      counter += 1;
      const sub = path.join(dir, `${label}-${counter}`);
      await mkdir(sub, { recursive: true });
      return sub;
    },
  };
}
