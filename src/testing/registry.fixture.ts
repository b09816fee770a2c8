/** A small registry for unit tests, built through the real schema and index. */
import { hashDeviceSecret } from '../contracts/credentials.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry, type Registry } from '../registry/registry.ts';

export const FIXTURE_SECRET = 's3cret-device-password';

export function fixtureRegistry(): Registry {
  const secretSha256 = hashDeviceSecret(FIXTURE_SECRET);
  return buildRegistry(
    parseRegistry(
      {
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
      },
      'fixture',
    ),
  );
}
