import { describe, expect, it } from 'vitest';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { buildRegistry } from './registry.ts';
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
});
