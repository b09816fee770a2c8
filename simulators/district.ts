/**
 * The district preset: a street office's whole district as one fleet — N compounds (default
 * 300) of about 90 devices each (27,000 for 300: elevators, manhole covers, fire lanes and
 * parking spaces over 2–12 buildings), named in Chinese, spread over 12 streets of 3 communities
 * each, with WGS-84 locations over a Hangzhou-sized area (about 30 km north–south, 35 km east–west) and the two outer
 * streets counted as county (1 h rescue deadline). Optionally one large compound (`large`
 * devices, e.g. 2,000) in place of the first. Everything depends only on the options and the
 * layout seed (a constant unless a test asks for another), never on compound-sim's `--seed`,
 * which drives behaviour only: the same options write the same registry, whatever the seed.
 */
import type { CompoundArea } from '../src/config/registry.schema.ts';
import { buildFleet, compoundIds, type CompoundSite, type FleetDevice, type PerCompound, type Place, type RegistryMeta } from './fleet.ts';
import { clamp, gaussian, intBetween, round, streamFor } from './prng.ts';

export interface DistrictSpec {
  /** How many compounds (ids c001, c002, …). */
  compounds: number;
  fleetKey: string;
  /** Mean devices per compound; default 90 (every pair of compounds sums to twice this). */
  perCompound?: number;
  /** Devices of the first compound instead (a large compound, e.g. 2000); unset: like the others. */
  large?: number;
  reportIntervalSec?: number;
  /**
   * Sizes, buildings, locations and site-plan positions: everything the ids and the registry
   * hold. Default DISTRICT_LAYOUT_SEED. Not the behaviour seed (`--seed`): a registry written
   * with one seed must take the devices run with another.
   */
  layoutSeed?: number;
}

export interface District {
  devices: FleetDevice[];
  /** Names, streets, communities, locations and areas: `fleetToRegistry(devices, meta)`. */
  meta: RegistryMeta;
}

export const DISTRICT_DEFAULT_PER_COMPOUND = 90;
/** The district's one layout (the layout its registries have had since the preset began). */
export const DISTRICT_LAYOUT_SEED = 1;

/** Streets of the district: id, name, and the centre of their compounds (lat, lon), on a 4 × 3 grid about 10 km apart. The two south-western ones are rural. */
const STREETS: ReadonlyArray<readonly [string, string, number, number]> = [
  ['sandun', '三墩镇', 30.35, 120.06],
  ['wenxin', '文新街道', 30.34, 120.15],
  ['cuiyuan', '翠苑街道', 30.36, 120.24],
  ['gudang', '古荡街道', 30.33, 120.31],
  ['jiangcun', '蒋村街道', 30.26, 120.0],
  ['xixi', '西溪街道', 30.25, 120.1],
  ['beishan', '北山街道', 30.26, 120.19],
  ['lingyin', '灵隐街道', 30.24, 120.28],
  ['shuangpu', '双浦镇', 30.15, 119.99],
  ['zhuantang', '转塘街道', 30.16, 120.08],
  ['liuxia', '留下街道', 30.15, 120.17],
  ['zhijiang', '之江街道', 30.17, 120.26],
];
const COUNTY_STREETS = new Set(['shuangpu', 'zhuantang']);
const COMMUNITY_SUFFIXES = ['一社区', '二社区', '三社区'] as const;

/** 30 × 10 distinct names; beyond 300 they get phase numbers (二期 …). */
const NAME_STEMS = [
  '翠苑', '文鼎', '嘉绿', '古荡', '益乐', '骆家', '蒋村', '西溪', '紫金', '文新',
  '丰潭', '嘉南', '金色', '三墩', '龙章', '桂花', '府新', '竞舟', '申花', '星洲',
  '湖畔', '云栖', '枫华', '兰亭', '绿城', '金沙', '钱塘', '之江', '浙大', '灵峰',
] as const;
const NAME_ENDINGS = ['花园', '新村', '家园', '公寓', '小区', '雅苑', '名邸', '嘉园', '北苑', '南苑'] as const;
const CHINESE_DIGITS = ['', '', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

export function districtCompoundName(index: number): string {
  const stem = NAME_STEMS[index % NAME_STEMS.length]!;
  const ending = NAME_ENDINGS[Math.floor(index / NAME_STEMS.length) % NAME_ENDINGS.length]!;
  const phase = Math.floor(index / (NAME_STEMS.length * NAME_ENDINGS.length)) + 1;
  return `${stem}${ending}${phase === 1 ? '' : `${phase <= 10 ? CHINESE_DIGITS[phase] : phase}期`}`;
}

/** A compound of `n` devices: 12 % elevators, 20 % manhole covers, 8 % fire lanes, the rest parking. */
export function districtMix(n: number): PerCompound {
  const elevator = Math.max(1, Math.round(n * 0.12));
  const manhole = Math.round(n * 0.2);
  const fire_lane = Math.round(n * 0.08);
  return { elevator, manhole, fire_lane, parking: Math.max(0, n - elevator - manhole - fire_lane) };
}

/** Two elevators a building, 2 to 12 buildings (large compounds up to 60). */
const buildingsFor = (mix: PerCompound, large: boolean) => clamp(Math.ceil(mix.elevator / 2), 2, large ? 60 : 12);

export function districtFleet(spec: DistrictSpec): District {
  const mean = spec.perCompound ?? DISTRICT_DEFAULT_PER_COMPOUND;
  if (!Number.isInteger(mean) || mean < 4 || mean > 10_000) throw new Error(`perCompound: expected a whole number from 4 to 10000, got ${mean}`);
  if (spec.large !== undefined && (!Number.isInteger(spec.large) || spec.large < 4 || spec.large > 100_000)) {
    throw new Error(`large: expected a whole number from 4 to 100000, got ${spec.large}`);
  }
  const seed = spec.layoutSeed ?? DISTRICT_LAYOUT_SEED;
  if (!Number.isInteger(spec.compounds) || spec.compounds < 1 || spec.compounds > 10_000) throw new Error(`compounds: expected a whole number from 1 to 10000, got ${spec.compounds}`);
  const width = Math.max(3, String(spec.compounds).length);
  const ids = compoundIds(Array.from({ length: spec.compounds }, (_, i) => `c${String(i + 1).padStart(width, '0')}`));
  const rng = streamFor('district/sizes', seed);
  // Pairs of compounds sum to twice the mean: the district's total is exact.
  const sizes = ids.map(() => mean);
  const spread = Math.floor(mean / 3);
  for (let i = 0; i + 1 < sizes.length; i += 2) {
    const d = intBetween(rng, -spread, spread);
    sizes[i] = mean + d;
    sizes[i + 1] = mean - d;
  }
  if (spec.large !== undefined) sizes[0] = spec.large;
  const mixes = sizes.map(districtMix);
  const devices = buildFleet({
    compounds: ids,
    perCompound: (_, index) => mixes[index]!,
    buildings: (_, index) => buildingsFor(mixes[index]!, index === 0 && spec.large !== undefined),
    fleetKey: spec.fleetKey,
    reportIntervalSec: spec.reportIntervalSec ?? 60,
    seed,
  });

  const where = streamFor('district/sites', seed);
  const sites: Record<string, CompoundSite> = {};
  const compoundNames: Record<string, string> = {};
  ids.forEach((id, index) => {
    const s = Math.min(STREETS.length - 1, Math.floor((index * STREETS.length) / ids.length));
    const [streetId, streetName, lat, lon] = STREETS[s]!;
    const first = Math.ceil((s * ids.length) / STREETS.length);
    const inStreet = Math.max(1, Math.ceil(((s + 1) * ids.length) / STREETS.length) - first);
    const c = Math.min(COMMUNITY_SUFFIXES.length - 1, Math.floor(((index - first) * COMMUNITY_SUFFIXES.length) / inStreet));
    const street: Place = { id: streetId, name: streetName };
    const community: Place = { id: `${streetId}-${c + 1}`, name: `${streetName.replace(/(街道|镇)$/, '')}${COMMUNITY_SUFFIXES[c]}` };
    const area: CompoundArea = COUNTY_STREETS.has(streetId) ? 'county' : 'city';
    // About 1.5 km around the street's centre.
    const location = { lat: round(clamp(lat + gaussian(where) * 0.013, -90, 90), 5), lon: round(clamp(lon + gaussian(where) * 0.015, -180, 180), 5) };
    sites[id] = { street, community, location, area };
    compoundNames[id] = districtCompoundName(index);
  });
  return {
    devices,
    meta: { district: { id: 'xihu', name: '西湖区' }, compoundNames, sites, compoundsPerGrid: 3 },
  };
}
