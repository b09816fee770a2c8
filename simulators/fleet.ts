/**
 * A simulated fleet: compounds with devices of every type, their tags, site-plan
 * positions and credentials derived from a fleet key, and the registry file the hub
 * needs to accept them.
 */
import { DEVICE_TYPES, type DeviceRef, type DeviceType, deviceKey } from '../src/contracts/device-types.ts';
import { deriveDeviceSecret, hashDeviceSecret } from '../src/contracts/credentials.ts';
import { isValidId } from '../src/contracts/ids.ts';
import type { RegistryFile } from '../src/config/registry.schema.ts';
import { createRng, round } from './prng.ts';

export interface FleetDevice extends DeviceRef {
  key: string;
  name: string;
  building: string;
  zone: string;
  position: { x: number; y: number };
  reportIntervalSec: number;
  secret: string;
}

export interface FleetSpec {
  /** How many compounds (ids c01, c02, …), or their ids. */
  compounds: number | string[];
  perCompound: Record<DeviceType, number>;
  fleetKey: string;
  reportIntervalSec?: number;
  seed?: number;
}

const COMPOUND_NAMES = ['翠苑一区', '翠苑二区', '文鼎苑', '嘉绿苑', '古荡新村', '益乐新村', '骆家庄', '蒋村花园', '西溪诚园', '紫金港小区'];
const TYPE_PREFIX: Record<DeviceType, string> = { elevator: 'elev', manhole: 'mh', fire_lane: 'fl', parking: 'park' };
const TYPE_NAME: Record<DeviceType, string> = { elevator: '电梯', manhole: '井盖', fire_lane: '消防通道', parking: '车位' };
const ZONES = ['north', 'south', 'east'];

export function compoundName(id: string, index: number): string {
  const base = COMPOUND_NAMES[index % COMPOUND_NAMES.length]!;
  return index < COMPOUND_NAMES.length ? base : `${base}${Math.floor(index / COMPOUND_NAMES.length) + 1}期 (${id})`;
}

export function compoundIds(compounds: number | string[]): string[] {
  const ids = typeof compounds === 'number' ? Array.from({ length: compounds }, (_, i) => `c${String(i + 1).padStart(2, '0')}`) : compounds;
  for (const id of ids) if (!isValidId(id)) throw new Error(`compound id "${id}" must match ^[a-z0-9][a-z0-9_-]{0,63}$`);
  return ids;
}

export function buildFleet(spec: FleetSpec): FleetDevice[] {
  const rng = createRng(spec.seed ?? 1);
  const devices: FleetDevice[] = [];
  for (const compound of compoundIds(spec.compounds)) {
    for (const type of DEVICE_TYPES) {
      const count = spec.perCompound[type];
      const width = String(count).length < 2 ? 2 : String(count).length;
      for (let n = 1; n <= count; n += 1) {
        const buildingNo = ((n - 1) % 3) + 1;
        const ref = { compound, type, device: `${TYPE_PREFIX[type]}-${String(n).padStart(width, '0')}` };
        const key = deviceKey(ref);
        devices.push({
          ...ref,
          key,
          name: `${buildingNo}号楼 ${TYPE_NAME[type]} ${n}`,
          building: `b${buildingNo}`,
          zone: ZONES[(n - 1) % ZONES.length]!,
          position: { x: round(5 + rng() * 90, 1), y: round(5 + rng() * 90, 1) },
          reportIntervalSec: spec.reportIntervalSec ?? 60,
          secret: deriveDeviceSecret(spec.fleetKey, key),
        });
      }
    }
  }
  return devices;
}

/** The demo: three compounds, each with elevators, manhole covers, fire lanes and parking spaces. */
export function demoFleet(fleetKey: string, reportIntervalSec = 5): FleetDevice[] {
  return buildFleet({
    compounds: 3,
    perCompound: { elevator: 4, manhole: 6, fire_lane: 3, parking: 12 },
    fleetKey,
    reportIntervalSec,
    seed: 2026,
  });
}

/** The registry file (hashes only, never secrets) that registers a fleet with the hub. */
export function fleetToRegistry(devices: FleetDevice[]): RegistryFile {
  const compounds = [...new Set(devices.map((d) => d.compound))];
  return {
    districts: [
      {
        id: 'xihu',
        name: '西湖区',
        streets: [
          {
            id: 'wenxin',
            name: '文新街道',
            communities: [
              {
                id: 'cuiyuan',
                name: '翠苑社区',
                compounds: compounds.map((id, index) => ({
                  id,
                  name: compoundName(id, index),
                  grid: `grid-${String(Math.floor(index / 2) + 1).padStart(2, '0')}`,
                  devices: devices
                    .filter((d) => d.compound === id)
                    .map((d) => ({
                      id: d.device,
                      type: d.type,
                      name: d.name,
                      building: d.building,
                      zone: d.zone,
                      secretSha256: hashDeviceSecret(d.secret),
                      reportIntervalSec: d.reportIntervalSec,
                      position: d.position,
                    })),
                })),
              },
            ],
          },
        ],
      },
    ],
  };
}
