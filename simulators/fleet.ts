/**
 * A simulated fleet: compounds with devices of every type, their buildings and zones,
 * site-plan positions and the secrets derived from a fleet key; and the registry file
 * (hashes only) that registers the fleet with the hub. Ids and secrets depend only on the
 * counts and the fleet key; the seed only moves things on the site plan.
 */
import { DEVICE_TYPES, type DeviceRef, type DeviceType, deviceKey } from '../src/contracts/device-types.ts';
import { deriveDeviceSecret, hashDeviceSecret } from '../src/contracts/credentials.ts';
import { isValidId } from '../src/contracts/ids.ts';
import type { CompoundArea, RegistryFile } from '../src/config/registry.schema.ts';
import { between, clamp, round, streamFor, type Rng } from './prng.ts';

export interface FleetDevice extends DeviceRef {
  /** `compound/type/device`: the MQTT username. */
  key: string;
  /** Human name (zh-CN), e.g. `2号楼 1号电梯`. */
  name: string;
  building: string;
  zone: string;
  /** On the compound's site plan, 0..100 on both axes. */
  position: { x: number; y: number };
  reportIntervalSec: number;
  /** The MQTT password: `deriveDeviceSecret(fleetKey, key)`. Never written to a registry. */
  secret: string;
}

export type PerCompound = Record<DeviceType, number>;

export interface FleetSpec {
  /** How many compounds (ids `c01`, `c02`, …), or their ids. */
  compounds: number | readonly string[];
  /** Devices of each type in every compound, or per compound (by id and position in the list). */
  perCompound: PerCompound | ((compound: string, index: number) => PerCompound);
  /** Device secrets derive from it; the hub's registry must come from the same key. */
  fleetKey: string;
  /** Default 60. */
  reportIntervalSec?: number;
  /** Moves devices on the site plan; default 1. */
  seed?: number;
  /** Buildings per compound (devices are spread over them round-robin), or per compound; default 3. */
  buildings?: number | ((compound: string, index: number) => number);
}

const MAX_PER_TYPE = 100_000;
const TYPE_PREFIX: Record<DeviceType, string> = { elevator: 'elev', manhole: 'mh', fire_lane: 'fl', parking: 'park' };
const ZONES = ['north', 'south', 'east', 'west'] as const;
const ZONE_NAMES: Record<(typeof ZONES)[number], string> = { north: '北区', south: '南区', east: '东区', west: '西区' };

/** Compound names in Hangzhou's Xihu district style; beyond the list they get phase numbers. */
const COMPOUND_NAMES = [
  '翠苑一区', '翠苑二区', '文鼎苑', '嘉绿苑', '古荡新村', '益乐新村', '骆家庄', '蒋村花园', '西溪诚园', '紫金港小区',
  '文新公寓', '学院路小区', '丰潭苑', '嘉南苑', '金色年华', '三墩新苑', '龙章苑', '桂花城', '府新花园', '竞舟苑',
] as const;
const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

export function compoundName(index: number): string {
  const base = COMPOUND_NAMES[index % COMPOUND_NAMES.length]!;
  const phase = Math.floor(index / COMPOUND_NAMES.length) + 1;
  if (phase === 1) return base;
  return `${base}${phase <= 10 ? CHINESE_DIGITS[phase] : phase}期`;
}

/** Compound ids from a count (`c01`…) or a list, checked against the id grammar. */
export function compoundIds(compounds: number | readonly string[]): string[] {
  if (typeof compounds === 'number') {
    if (!Number.isInteger(compounds) || compounds < 1) throw new Error(`compounds: expected a whole number ≥ 1, got ${compounds}`);
    const width = Math.max(2, String(compounds).length);
    return Array.from({ length: compounds }, (_, i) => `c${String(i + 1).padStart(width, '0')}`);
  }
  if (compounds.length === 0) throw new Error('compounds: expected at least one compound id');
  const seen = new Set<string>();
  for (const id of compounds) {
    if (!isValidId(id)) throw new Error(`compound id "${id}" must match ^[a-z0-9][a-z0-9_-]{0,63}$`);
    if (seen.has(id)) throw new Error(`compound id "${id}" is listed twice`);
    seen.add(id);
  }
  return [...compounds];
}

/** Site plan of one compound: where its buildings stand. */
function buildingSpots(rng: Rng, count: number): Array<{ x: number; y: number }> {
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  return Array.from({ length: count }, (_, i) => ({
    x: ((i % cols) + 0.5) * (80 / cols) + 10 + between(rng, -4, 4),
    y: (Math.floor(i / cols) + 0.5) * (60 / rows) + 10 + between(rng, -4, 4),
  }));
}

const spot = (x: number, y: number) => ({ x: round(clamp(x, 0, 100), 1), y: round(clamp(y, 0, 100), 1) });

function placeDevice(rng: Rng, type: DeviceType, n: number, building: { x: number; y: number }) {
  switch (type) {
    case 'elevator':
      return spot(building.x + between(rng, -2, 2), building.y + between(rng, -2, 2));
    case 'fire_lane':
      return spot(building.x + (n % 2 === 0 ? 9 : -9), building.y + between(rng, -6, 6));
    case 'manhole': // along the compound's roads
      return n % 2 === 0 ? spot(between(rng, 5, 95), 75 + between(rng, -1, 1)) : spot(50 + between(rng, -1, 1), between(rng, 5, 95));
    case 'parking': // rows in the car park at the bottom of the plan
      return spot(6 + ((n - 1) % 30) * 3 + between(rng, -0.3, 0.3), 82 + Math.floor((n - 1) / 30) * 5 + between(rng, -0.3, 0.3));
  }
}

function deviceName(type: DeviceType, n: number, buildingNo: number, perBuildingNo: number, zone: (typeof ZONES)[number], width: number): string {
  const num = String(n).padStart(width, '0');
  switch (type) {
    case 'elevator':
      return `${buildingNo}号楼 ${perBuildingNo}号电梯`;
    case 'manhole':
      return `${ZONE_NAMES[zone]}井盖 ${num}`;
    case 'fire_lane':
      return `${buildingNo}号楼消防通道 ${perBuildingNo}`;
    case 'parking':
      return `地面车位 ${num}`;
  }
}

function checkCounts(where: string, perCompound: PerCompound, buildings: number): void {
  if (!Number.isInteger(buildings) || buildings < 1 || buildings > 99) throw new Error(`${where}buildings: expected 1..99, got ${buildings}`);
  for (const type of DEVICE_TYPES) {
    const count = perCompound[type];
    if (!Number.isInteger(count) || count < 0 || count > MAX_PER_TYPE) {
      throw new Error(`${where}perCompound.${type}: expected a whole number from 0 to ${MAX_PER_TYPE}, got ${count}`);
    }
  }
}

export function buildFleet(spec: FleetSpec): FleetDevice[] {
  const ids = compoundIds(spec.compounds);
  const reportIntervalSec = spec.reportIntervalSec ?? 60;
  if (!Number.isInteger(reportIntervalSec) || reportIntervalSec < 1 || reportIntervalSec > 86_400) {
    throw new Error(`reportIntervalSec: expected a whole number of seconds from 1 to 86400, got ${reportIntervalSec}`);
  }
  const countsOf = (compound: string, index: number) => (typeof spec.perCompound === 'function' ? spec.perCompound(compound, index) : spec.perCompound);
  const buildingsOf = (compound: string, index: number) => (typeof spec.buildings === 'function' ? spec.buildings(compound, index) : (spec.buildings ?? 3));
  ids.forEach((compound, index) => checkCounts(typeof spec.perCompound === 'function' || typeof spec.buildings === 'function' ? `${compound}: ` : '', countsOf(compound, index), buildingsOf(compound, index)));
  const devices: FleetDevice[] = [];
  for (const [index, compound] of ids.entries()) {
    const rng = streamFor(`site-plan/${compound}`, spec.seed ?? 1);
    const buildings = buildingsOf(compound, index);
    const perCompound = countsOf(compound, index);
    const spots = buildingSpots(rng, buildings);
    for (const type of DEVICE_TYPES) {
      const count = perCompound[type];
      const width = Math.max(2, String(count).length);
      for (let n = 1; n <= count; n += 1) {
        const b = (n - 1) % buildings;
        const zone = ZONES[b % ZONES.length]!;
        const ref: DeviceRef = { compound, type, device: `${TYPE_PREFIX[type]}-${String(n).padStart(width, '0')}` };
        const key = deviceKey(ref);
        devices.push({
          ...ref,
          key,
          name: deviceName(type, n, b + 1, Math.floor((n - 1) / buildings) + 1, zone, width),
          building: `b${b + 1}`,
          zone,
          position: placeDevice(rng, type, n, spots[b]!),
          reportIntervalSec,
          secret: deriveDeviceSecret(spec.fleetKey, key),
        });
      }
    }
  }
  return devices;
}

/**
 * Per compound of the demo (and compound-sim's defaults, so that it can join the demo). Over
 * 3 buildings: building b1 has 3 elevators (elev-01, -04, -07) and zone north 3 manholes
 * (mh-01, -04, -07), enough for a power cut or a rainstorm to make one incident of several devices.
 */
export const DEMO_PER_COMPOUND: Readonly<PerCompound> = { elevator: 7, manhole: 7, fire_lane: 3, parking: 12 };

/** The demo: 3 compounds, each with 7 elevators, 7 manhole covers, 3 fire lanes and 12 parking spaces over 3 buildings (87 devices). */
export function demoFleet(fleetKey: string, reportIntervalSec = 5): FleetDevice[] {
  return buildFleet({ compounds: 3, perCompound: DEMO_PER_COMPOUND, fleetKey, reportIntervalSec, seed: 2026 });
}

export interface Place {
  id: string;
  name: string;
}

/** Where the fleet sits in the place hierarchy, and what its compounds are called. */
export interface RegistryMeta {
  district?: Place;
  street?: Place;
  community?: Place;
  /** Compound id → name; unnamed compounds get names from the built-in list. */
  compoundNames?: Readonly<Record<string, string>>;
  /** Compounds per grid worker's grid (`grid-01`, …); default 2; 0 leaves grids out. */
  compoundsPerGrid?: number;
  /** Per compound id: its street and community (instead of the one above), where it is and its area. */
  sites?: Readonly<Record<string, CompoundSite>>;
}

/** Where one compound is: in the place hierarchy and on the map. */
export interface CompoundSite {
  street: Place;
  community: Place;
  /** WGS-84 degrees. */
  location?: { lat: number; lon: number };
  area?: CompoundArea;
}

export const DEFAULT_PLACES = {
  district: { id: 'xihu', name: '西湖区' },
  street: { id: 'wenxin', name: '文新街道' },
  community: { id: 'cuiyuan', name: '翠苑社区' },
} as const satisfies Record<'district' | 'street' | 'community', Place>;

/** What the fleet's building and zone tags are called: `b2` → 2号楼, `north` → 北区. */
function placeNames(devices: readonly FleetDevice[]): { buildings: Record<string, string>; zones: Record<string, string> } {
  const buildings: Record<string, string> = {};
  const zones: Record<string, string> = {};
  for (const d of devices) {
    buildings[d.building] ??= /^b\d+$/.test(d.building) ? `${d.building.slice(1)}号楼` : d.building;
    zones[d.zone] ??= ZONE_NAMES[d.zone as (typeof ZONES)[number]] ?? d.zone;
  }
  return { buildings, zones };
}

/** The registry file (hashes only, never secrets) that registers a fleet with the hub. */
export function fleetToRegistry(devices: readonly FleetDevice[], meta: RegistryMeta = {}): RegistryFile {
  const byCompound = new Map<string, FleetDevice[]>();
  for (const d of devices) {
    const list = byCompound.get(d.compound);
    if (list) list.push(d);
    else byCompound.set(d.compound, [d]);
  }
  const perGrid = meta.compoundsPerGrid ?? 2;
  const district = meta.district ?? DEFAULT_PLACES.district;
  const fallback: CompoundSite = { street: meta.street ?? DEFAULT_PLACES.street, community: meta.community ?? DEFAULT_PLACES.community };
  // Streets and communities in the order their first compound comes.
  const streets = new Map<string, { street: Place; communities: Map<string, { community: Place; ids: Array<[string, number]> }> }>();
  [...byCompound.keys()].forEach((id, index) => {
    const site = meta.sites?.[id] ?? fallback;
    let street = streets.get(site.street.id);
    if (!street) streets.set(site.street.id, (street = { street: site.street, communities: new Map() }));
    let community = street.communities.get(site.community.id);
    if (!community) street.communities.set(site.community.id, (community = { community: site.community, ids: [] }));
    community.ids.push([id, index]);
  });
  return {
    districts: [
      {
        ...district,
        streets: [...streets.values()].map(({ street, communities }) => ({
          ...street,
          communities: [...communities.values()].map(({ community, ids }) => ({
            ...community,
            compounds: ids.map(([id, index]) => {
              const site = meta.sites?.[id];
              return {
                id,
                name: meta.compoundNames?.[id] ?? compoundName(index),
                ...(perGrid > 0 ? { grid: `grid-${String(Math.floor(index / perGrid) + 1).padStart(2, '0')}` } : {}),
                ...(site?.area ? { area: site.area } : {}),
                ...(site?.location ? { location: site.location } : {}),
                ...placeNames(byCompound.get(id)!),
                devices: byCompound.get(id)!.map((d) => ({
                  id: d.device,
                  type: d.type,
                  name: d.name,
                  building: d.building,
                  zone: d.zone,
                  secretSha256: hashDeviceSecret(d.secret),
                  reportIntervalSec: d.reportIntervalSec,
                  position: d.position,
                })),
              };
            }),
          })),
        })),
      },
    ],
  };
}
