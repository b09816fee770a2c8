/** Runs the load generator (compound-sim --rate) in its own process and reads its report. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadReport } from '../../simulators/load.runner.ts';
import { startTsx, type Child } from './children.ts';
import { cpuSeconds } from './proc-stats.ts';
import { fleetArgs, type FleetShape } from './fleet.ts';

export interface LoadRequest {
  url: string;
  shape: FleetShape;
  qos: 0 | 1;
  rate: number | 'max';
  durationSec: number;
  alertShare?: number;
  inflight?: number;
  /** Shared connection (for brokers without per-device logins). */
  shared?: boolean;
  dir: string;
}

export interface LoadResult extends LoadReport {
  /** CPU seconds the generator used. */
  generatorCpuSec: number;
}

export function startLoadProcess(request: LoadRequest): { child: Child; result: Promise<LoadResult> } {
  const reportFile = path.join(request.dir, `load-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
  const args = [
    ...fleetArgs(request.shape),
    '--url', request.url,
    '--qos', String(request.qos),
    '--rate', String(request.rate),
    '--duration', `${request.durationSec}s`,
    '--alert-share', String(request.alertShare ?? 0.001),
    '--inflight', String(request.inflight ?? 64),
    '--concurrency', '200',
    '--progress', '0',
    '--report', reportFile,
    ...(request.shared ? ['--connection', 'shared'] : []),
  ];
  const child = startTsx('simulators/cli.ts', args);
  let cpu = 0;
  const sampler = setInterval(() => {
    try {
      cpu = cpuSeconds(child.pid);
    } catch {
      // exited
    }
  }, 200);
  const result = (async () => {
    const code = await child.exited;
    clearInterval(sampler);
    if (code !== 0) throw new Error(`load generator exited with ${code}:\n${child.output().slice(-2000)}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as LoadReport;
    return { ...report, generatorCpuSec: cpu };
  })();
  return { child, result };
}

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  return startLoadProcess(request).result;
}
