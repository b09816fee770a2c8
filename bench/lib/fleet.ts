/** The benchmark fleet: N compounds with devices of all four types, and its registry file. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildFleet, fleetToRegistry, type FleetDevice, type PerCompound } from '../../simulators/fleet.ts';

export const FLEET_KEY = 'bench-fleet-key';

export interface FleetShape {
  compounds: number;
  perCompound: PerCompound;
}

/** `per` devices of each type in every compound. */
export const fleetShape = (compounds: number, per: number): FleetShape => ({
  compounds,
  perCompound: { elevator: per, manhole: per, fire_lane: per, parking: per },
});

export const fleetSize = (shape: FleetShape) => shape.compounds * Object.values(shape.perCompound).reduce((a, b) => a + b, 0);

export function fleetOf(shape: FleetShape): FleetDevice[] {
  return buildFleet({ compounds: shape.compounds, perCompound: shape.perCompound, fleetKey: FLEET_KEY, reportIntervalSec: 60 });
}

/** Writes the registry of `shape` (plus `extra` devices) under `dir`; returns the file. */
export async function writeRegistry(dir: string, devices: FleetDevice[]): Promise<string> {
  const file = path.join(dir, `registry-${devices.length}.json`);
  await writeFile(file, JSON.stringify(fleetToRegistry(devices)));
  return file;
}

/** compound-sim's fleet options for the same shape. */
export function fleetArgs(shape: FleetShape): string[] {
  const p = shape.perCompound;
  return [
    '--compounds', String(shape.compounds),
    '--elevators', String(p.elevator),
    '--manholes', String(p.manhole),
    '--fire-lanes', String(p.fire_lane),
    '--parking', String(p.parking),
    '--fleet-key', FLEET_KEY,
  ];
}
