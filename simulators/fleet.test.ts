import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES, deviceKey } from '../src/contracts/device-types.ts';
import { deriveDeviceSecret, verifyDeviceSecret } from '../src/contracts/credentials.ts';
import { isValidId } from '../src/contracts/ids.ts';
import { registrySchema } from '../src/config/registry.schema.ts';
import { parseRegistry } from '../src/config/registry.loader.ts';
import { buildRegistry } from '../src/registry/registry.ts';
import { buildFleet, compoundIds, compoundName, demoFleet, fleetToRegistry } from './fleet.ts';

const none = { elevator: 0, manhole: 0, fire_lane: 0, parking: 0 };

describe('fleet', () => {
  it('builds valid, unique ids for every compound and type', () => {
    const fleet = buildFleet({ compounds: 12, perCompound: { elevator: 3, manhole: 120, fire_lane: 0, parking: 2 }, fleetKey: 'k' });
    expect(fleet).toHaveLength(12 * 125);
    expect(new Set(fleet.map((d) => d.key)).size).toBe(fleet.length);
    for (const d of fleet) {
      expect(isValidId(d.compound) && isValidId(d.device)).toBe(true);
      expect(d.key).toBe(deviceKey(d));
      expect(d.position.x).toBeGreaterThanOrEqual(0);
      expect(d.position.x).toBeLessThanOrEqual(100);
      expect(d.position.y).toBeGreaterThanOrEqual(0);
      expect(d.position.y).toBeLessThanOrEqual(100);
      expect(d.secret).toBe(deriveDeviceSecret('k', d.key));
    }
    expect(fleet[0]).toMatchObject({ compound: 'c01', type: 'elevator', device: 'elev-01', building: 'b1', name: '1号楼 1号电梯' });
    expect(fleet.find((d) => d.type === 'manhole')?.device).toBe('mh-001');
    expect(fleet.at(-1)).toMatchObject({ compound: 'c12', type: 'parking', device: 'park-02' });
    expect(compoundIds(120)[119]).toBe('c120');
  });

  it('the demo: 3 compounds of 7 elevators, 7 covers, 3 fire lanes and 12 spaces over 3 buildings', () => {
    const fleet = demoFleet('demo-key');
    expect(fleet).toHaveLength(87);
    for (const compound of ['c01', 'c02', 'c03']) {
      const mine = fleet.filter((d) => d.compound === compound);
      expect(Object.fromEntries(DEVICE_TYPES.map((t) => [t, mine.filter((d) => d.type === t).length]))).toEqual({ elevator: 7, manhole: 7, fire_lane: 3, parking: 12 });
      expect(new Set(mine.map((d) => d.building))).toEqual(new Set(['b1', 'b2', 'b3']));
      expect(new Set(mine.map((d) => d.zone)).size).toBe(3);
    }
    expect(fleet.every((d) => d.reportIntervalSec === 5)).toBe(true);
  });

  it('writes a registry that validates, whose hashes verify the derived secrets and hold no secret', () => {
    const fleet = demoFleet('demo-key');
    const file = fleetToRegistry(fleet);
    const parsed = registrySchema.safeParse(JSON.parse(JSON.stringify(file)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const registry = buildRegistry(parseRegistry(file, 'fleet'));
    expect(registry.size).toBe(87);
    expect(registry.compounds().map((c) => c.name)).toEqual(['翠苑一区', '翠苑二区', '文鼎苑']);
    for (const d of fleet) {
      const registered = registry.getByKey(d.key)!;
      expect(verifyDeviceSecret(d.secret, registered.secretSha256)).toBe(true);
      expect(verifyDeviceSecret(deriveDeviceSecret('other-key', d.key), registered.secretSha256)).toBe(false);
      expect(registered.tags).toEqual({ building: d.building, zone: d.zone });
    }
    const text = JSON.stringify(file);
    expect(fleet.some((d) => text.includes(d.secret))).toBe(false);
  });

  it('places the fleet where asked in the hierarchy and names compounds beyond the built-in list', () => {
    const fleet = buildFleet({ compounds: 25, perCompound: { ...none, parking: 1 }, fleetKey: 'k' });
    const file = fleetToRegistry(fleet, {
      district: { id: 'gongshu', name: '拱墅区' },
      street: { id: 'mishiqiao', name: '米市巷街道' },
      community: { id: 'huancheng', name: '环城社区' },
      compoundNames: { c02: '东方花园' },
      compoundsPerGrid: 5,
    });
    expect(registrySchema.safeParse(file).success).toBe(true);
    const district = file.districts[0]!;
    expect(district).toMatchObject({ id: 'gongshu', name: '拱墅区', streets: [{ id: 'mishiqiao', communities: [{ id: 'huancheng' }] }] });
    const compounds = district.streets[0]!.communities[0]!.compounds;
    expect(compounds[1]).toMatchObject({ id: 'c02', name: '东方花园', grid: 'grid-01' });
    expect(compounds[24]).toMatchObject({ id: 'c25', grid: 'grid-05' });
    expect(new Set(compounds.map((c) => c.name)).size).toBe(25);
    expect(compoundName(20)).toBe('翠苑一区二期');
  });

  it('the seed moves devices on the site plan but keeps ids and secrets', () => {
    const spec = { compounds: 2, perCompound: { elevator: 2, manhole: 2, fire_lane: 2, parking: 2 }, fleetKey: 'k' };
    const a = buildFleet({ ...spec, seed: 1 });
    const b = buildFleet({ ...spec, seed: 2 });
    expect(buildFleet({ ...spec, seed: 1 })).toEqual(a);
    expect(b.map((d) => [d.key, d.secret, d.building])).toEqual(a.map((d) => [d.key, d.secret, d.building]));
    expect(b.map((d) => d.position)).not.toEqual(a.map((d) => d.position));
    expect(demoFleet('a')[0]!.secret).not.toBe(demoFleet('b')[0]!.secret);
  });

  it('refuses what would make a bad registry', () => {
    const fleet = (over: object) => () => buildFleet({ compounds: 1, perCompound: { ...none, elevator: 1 }, fleetKey: 'k', ...over });
    expect(fleet({ compounds: ['Bad Id'] })).toThrow(/compound id "Bad Id" must match/);
    expect(fleet({ compounds: ['a1', 'a1'] })).toThrow(/listed twice/);
    expect(fleet({ compounds: 0 })).toThrow(/compounds: expected a whole number ≥ 1/);
    expect(fleet({ perCompound: { ...none, parking: -1 } })).toThrow(/perCompound.parking/);
    expect(fleet({ reportIntervalSec: 0.5 })).toThrow(/reportIntervalSec/);
  });
});
