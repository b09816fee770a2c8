import { describe, expect, it } from 'vitest';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { buildRegistry, liveRegistry } from './registry.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { isHubError } from '../errors.ts';

describe('registry', () => {
  it('indexes devices by ref and key with their tags and place', () => {
    const r = fixtureRegistry();
    expect(r.size).toBe(3);
    const d = r.get({ compound: 'c01', type: 'elevator', device: 'elev-1' });
    expect(d).toMatchObject({ key: 'c01/elevator/elev-1', tags: { building: 'b1' }, reportIntervalSec: 60 });
    expect(r.getByKey('c01/manhole/mh-1')?.tags).toEqual({ zone: 'north' });
    expect(r.get({ compound: 'c01', type: 'manhole', device: 'elev-1' })).toBeUndefined();
    expect(r.compound('c02')).toMatchObject({ name: '翠苑二区', community: { name: '翠苑社区' }, deviceCount: 1 });
  });

  it('reports schema errors as path: message lines', () => {
    try {
      parseRegistry({ districts: [{ id: 'X', name: '', streets: [] }] }, 'r.json');
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'REGISTRY_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/^districts\.0\.id: must match/m);
      expect((error as Error).message).toMatch(/^districts\.0\.name: /m);
    }
  });

  it('refuses duplicate compounds and devices', () => {
    const secretSha256 = 'a'.repeat(64);
    const compound = { id: 'c1', name: 'C', devices: [{ id: 'd', type: 'parking', secretSha256 }, { id: 'd', type: 'manhole', secretSha256 }] };
    const data = parseRegistry(
      { districts: [{ id: 'd', name: 'D', streets: [{ id: 's', name: 'S', communities: [{ id: 'm', name: 'M', compounds: [compound, compound] }] }] }] },
      'dup',
    );
    expect(() => buildRegistry(data)).toThrow(/compound c1: defined twice[\s\S]*device d defined twice/);
  });

  it('a live registry takes a changed registry whole and says which devices were added, changed and retired', () => {
    const secretSha256 = 'a'.repeat(64);
    const data = (devices: Array<{ id: string; name?: string }>) =>
      parseRegistry(
        { districts: [{ id: 'd', name: '区', streets: [{ id: 's', name: '街道', communities: [{ id: 'c', name: '社区', compounds: [{ id: 'c01', name: '一区', devices: devices.map((d) => ({ ...d, type: 'parking', secretSha256 })) }] }] }] }] },
        'live',
      );
    const registry = liveRegistry(data([{ id: 'p1' }, { id: 'p2' }]));
    const change = registry.replace(data([{ id: 'p1', name: '1号车位' }, { id: 'p3' }]));
    expect(change.added.map((d) => d.key)).toEqual(['c01/parking/p3']);
    expect(change.changed.map((d) => d.key)).toEqual(['c01/parking/p1']);
    expect(change.removed).toEqual(['c01/parking/p2']);
    expect(registry.getByKey('c01/parking/p1')?.name).toBe('1号车位');
    expect(registry.getByKey('c01/parking/p2')).toBeUndefined();
    expect(registry.size).toBe(2);
    expect(registry.compound('c01')?.deviceCount).toBe(2);
    // A registry that does not hold together is refused, and the old one stays.
    expect(() => registry.replace(data([{ id: 'p1' }, { id: 'p1' }]))).toThrow(/defined twice/);
    expect(registry.size).toBe(2);
  });
});
