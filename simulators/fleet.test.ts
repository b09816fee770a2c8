import { describe, expect, it } from 'vitest';
import { buildFleet, demoFleet, fleetToRegistry } from './fleet.ts';
import { parseRegistry } from '../src/config/registry.loader.ts';
import { buildRegistry } from '../src/registry/registry.ts';
import { verifyDeviceSecret } from '../src/contracts/credentials.ts';
import { isValidId } from '../src/contracts/ids.ts';

describe('fleet', () => {
  it('builds valid, unique ids for every compound and type', () => {
    const fleet = buildFleet({ compounds: 12, perCompound: { elevator: 3, manhole: 120, fire_lane: 0, parking: 2 }, fleetKey: 'k' });
    expect(fleet).toHaveLength(12 * 125);
    expect(new Set(fleet.map((d) => d.key)).size).toBe(fleet.length);
    expect(fleet.every((d) => isValidId(d.compound) && isValidId(d.device))).toBe(true);
    expect(fleet.find((d) => d.type === 'manhole')?.device).toBe('mh-001');
  });

  it('writes a registry the hub accepts, whose hashes verify the derived secrets', () => {
    const fleet = demoFleet('demo-key');
    const registry = buildRegistry(parseRegistry(fleetToRegistry(fleet), 'fleet'));
    expect(registry.size).toBe(75);
    expect(registry.compounds().map((c) => c.name)).toEqual(['翠苑一区', '翠苑二区', '文鼎苑']);
    for (const d of fleet) {
      const registered = registry.getByKey(d.key)!;
      expect(verifyDeviceSecret(d.secret, registered.secretSha256)).toBe(true);
      expect(registered.tags).toEqual({ building: d.building, zone: d.zone });
    }
    expect(JSON.stringify(fleetToRegistry(fleet))).not.toContain(fleet[0]!.secret);
  });

  it('derives different secrets for different fleet keys', () => {
    expect(demoFleet('a')[0]!.secret).not.toBe(demoFleet('b')[0]!.secret);
    expect(demoFleet('a')[0]!.secret).toBe(demoFleet('a')[0]!.secret);
  });

  it('refuses compound ids outside the id grammar', () => {
    expect(() => buildFleet({ compounds: ['Bad Id'], perCompound: { elevator: 1, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: 'k' })).toThrow(/must match/);
  });
});
