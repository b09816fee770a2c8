/**
 * The out-of-the-box demo: three compounds of simulated devices, registered with the
 * embedded broker and publishing through it. The fleet key is kept in the data dir, so
 * `compound-sim --fleet-key "$(cat data/demo/fleet-key)"` can join the same fleet.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { demoFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { startSimulation, type Simulation } from '../../simulators/sim.runner.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import type { RegistryData } from '../config/registry.schema.ts';

export interface DemoSetup {
  fleetKeyFile: string;
  registry: RegistryData;
  devices: FleetDevice[];
}

async function loadOrCreateFleetKey(file: string): Promise<string> {
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length >= 16) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(24).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export async function prepareDemo(dataDir: string): Promise<DemoSetup> {
  const fleetKeyFile = path.join(dataDir, 'demo', 'fleet-key');
  const fleetKey = await loadOrCreateFleetKey(fleetKeyFile);
  const devices = demoFleet(fleetKey);
  const registry = parseRegistry(fleetToRegistry(devices), 'demo registry');
  return { fleetKeyFile, registry, devices };
}

export function runDemo(setup: DemoSetup, brokerUrl: string, intervalMs: number, logger: Logger): Simulation {
  return startSimulation({
    url: brokerUrl,
    devices: setup.devices,
    intervalMs,
    scenario: 'normal',
    seed: Date.now() % 1_000_000,
    logger: logger.child({ stage: 'demo' }),
  });
}
