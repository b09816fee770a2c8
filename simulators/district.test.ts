import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES } from '../src/contracts/device-types.ts';
import { registrySchema } from '../src/config/registry.schema.ts';
import { buildRegistry } from '../src/registry/registry.ts';
import { districtCompoundName, districtFleet, districtMix } from './district.ts';
import { fleetToRegistry } from './fleet.ts';
import { parseCli, UsageError } from './cli-options.ts';
import { fleetOf } from './cli.command.ts';

describe('district preset', () => {
  const district = districtFleet({ compounds: 300, fleetKey: 'k' });
  const registry = buildRegistry(registrySchema.parse(fleetToRegistry(district.devices, district.meta)));

  it('300 compounds and exactly 27,000 devices of every type, in 12 streets of 3 communities', () => {
    expect(district.devices).toHaveLength(27_000);
    expect(registry.size).toBe(27_000);
    const compounds = registry.compounds();
    expect(compounds).toHaveLength(300);
    expect(compounds[0]!.id).toBe('c001');
    expect(new Set(compounds.map((c) => c.street.id)).size).toBe(12);
    expect(new Set(compounds.map((c) => c.community.id)).size).toBe(36);
    for (const type of DEVICE_TYPES) expect(district.devices.some((d) => d.type === type)).toBe(true);
    const sizes = compounds.map((c) => c.deviceCount);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(120);
    expect(new Set(sizes).size).toBeGreaterThan(10);
  });

  it('names every compound in Chinese, once, and places it on the map, some in a county', () => {
    const compounds = registry.compounds();
    expect(new Set(compounds.map((c) => c.name)).size).toBe(300);
    for (const c of compounds) {
      expect(c.name).toMatch(/^[\u4e00-\u9fff]+$/);
      expect(c.location!.lat).toBeGreaterThan(30);
      expect(c.location!.lat).toBeLessThan(30.5);
      expect(c.location!.lon).toBeGreaterThan(119.9);
      expect(c.location!.lon).toBeLessThan(120.4);
    }
    const lats = compounds.map((c) => c.location!.lat);
    expect(Math.max(...lats) - Math.min(...lats)).toBeGreaterThan(0.15);
    expect(compounds.filter((c) => c.area === 'county').length).toBe(50);
    expect(districtCompoundName(0)).toBe('翠苑花园');
    expect(districtCompoundName(300)).toBe('翠苑花园二期');
    // Buildings are named as people say them.
    const c1 = registry.devicesOf('c001');
    expect(c1.find((d) => d.type === 'elevator')!.placeNames).toMatchObject({ building: '1号楼' });
  });

  it('is the same every time; another layout seed moves sizes and places', () => {
    const again = districtFleet({ compounds: 300, fleetKey: 'k' });
    expect(again.devices.map((d) => `${d.key}@${d.position.x},${d.position.y}`)).toEqual(district.devices.map((d) => `${d.key}@${d.position.x},${d.position.y}`));
    expect(again.meta).toEqual(district.meta);
    const other = districtFleet({ compounds: 300, fleetKey: 'k', layoutSeed: 2 });
    expect(other.devices).toHaveLength(27_000);
    expect(other.meta.sites!.c001!.location).not.toEqual(district.meta.sites!.c001!.location);
  });

  it('compound-sim --seed changes behaviour only: the same device ids and registry for any seed', () => {
    const registryFor = (seed: string) => {
      const options = parseCli(['--district', '10', '--fleet-key', 'k', '--seed', seed]);
      expect(options.seed).toBe(Number(seed));
      const { devices, meta } = fleetOf(options, 'k');
      return { ids: devices.map((d) => d.key), registry: fleetToRegistry(devices, meta) };
    };
    const one = registryFor('1');
    expect(one.ids.length).toBeGreaterThan(800);
    for (const seed of ['2', '7']) {
      const other = registryFor(seed);
      expect(other.ids).toEqual(one.ids);
      expect(other.registry).toEqual(one.registry);
    }
    // A registry written without --seed is the one any seed runs.
    const { devices, meta } = fleetOf(parseCli(['--district', '10', '--fleet-key', 'k']), 'k');
    expect(fleetToRegistry(devices, meta)).toEqual(one.registry);
  });

  it('one large compound in place of the first', () => {
    const big = districtFleet({ compounds: 3, fleetKey: 'k', large: 2000 });
    expect(big.devices.filter((d) => d.compound === 'c001')).toHaveLength(2000);
    expect(districtMix(2000)).toEqual({ elevator: 240, manhole: 400, fire_lane: 160, parking: 1200 });
    expect(new Set(big.devices.filter((d) => d.compound === 'c001').map((d) => d.building)).size).toBe(60);
  });

  it('compound-sim --district, alone', () => {
    expect(parseCli(['--district', '300', '--large', '2000', '--fleet-key', 'k']).district).toEqual({ compounds: 300, large: 2000 });
    expect(() => parseCli(['--district', '300', '--compounds', '3', '--fleet-key', 'k'])).toThrow(UsageError);
    expect(() => parseCli(['--district', '300', '--elevators', '3', '--fleet-key', 'k'])).toThrow(/--elevators: not used with --district/);
    expect(() => parseCli(['--large', '2000', '--fleet-key', 'k'])).toThrow(/--large: only used with --district/);
  });
});
