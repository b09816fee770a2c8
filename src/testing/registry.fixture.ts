/** A small registry for unit tests, built through the real schema and index. */
import { hashDeviceSecret } from '../contracts/credentials.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry, type Registry } from '../registry/registry.ts';
import type { RegistryFile } from '../config/registry.schema.ts';

export const FIXTURE_SECRET = 's3cret-device-password';

/** The fixture's registry file: c01 (grid g1: elevator elev-1 in b1, manhole mh-1 in zone north) and c02 (parking park-1), every device with `secret`. */
export function fixtureRegistryFile(secret: string = FIXTURE_SECRET): RegistryFile {
  const secretSha256 = hashDeviceSecret(secret);
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
                compounds: [
                  {
                    id: 'c01',
                    name: '翠苑一区',
                    grid: 'g1',
                    devices: [
                      { id: 'elev-1', type: 'elevator', building: 'b1', secretSha256 },
                      { id: 'mh-1', type: 'manhole', zone: 'north', secretSha256 },
                    ],
                  },
                  { id: 'c02', name: '翠苑二区', devices: [{ id: 'park-1', type: 'parking', secretSha256 }] },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function fixtureRegistry(): Registry {
  return buildRegistry(parseRegistry(fixtureRegistryFile(), 'fixture'));
}
