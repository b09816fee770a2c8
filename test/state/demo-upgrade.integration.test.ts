/**
 * A demo data dir of an earlier version (fewer demo devices, compounds without a location or site plan) gains
 * what the demo has since, at its next start; what an admin changed stays as it is.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoRouting, prepareDemo } from '../../src/demo/demo.ts';
import { addMissingDemo } from '../../src/state/demo-upgrade.ts';
import { addMissingDemoRouting } from '../../src/state/demo-routing-upgrade.ts';
import { alertsConfigSchema } from '../../src/alerts/sla.config.ts';
import { importSeeds } from '../../src/state/seed.ts';
import { stateFixture } from '../../src/testing/access.fixture.ts';
import type { RegistryData } from '../../src/config/registry.schema.ts';
import type { StateStore } from '../../src/state/state.types.ts';

const AT = Date.UTC(2026, 11, 1);

/** The demo registry as an earlier version made it: without `drop` devices of c01, without locations and site plans. */
function earlierDemo(demo: RegistryData, drop: string[]): RegistryData {
  return {
    districts: demo.districts.map((d) => ({
      ...d,
      streets: d.streets.map((s) => ({
        ...s,
        communities: s.communities.map((c) => ({
          ...c,
          compounds: c.compounds.map(({ location: _location, sitePlan: _sitePlan, ...compound }) => ({
            ...compound,
            area: 'city' as const,
            devices: compound.devices.filter((dev) => compound.id !== 'c01' || !drop.includes(dev.id)),
          })),
        })),
      })),
    })),
  };
}

const deviceIds = async (state: StateStore, compound: string) => (await state.places.devicesOf(compound)).filter((d) => !d.retiredAt).map((d) => `${d.type}/${d.id}`).sort();

describe('demo data dir of an earlier version', () => {
  let state: StateStore | undefined;
  afterEach(async () => state?.close());

  it('gains the demo devices and compound sites it lacks, once, and keeps what an admin changed', async () => {
    const demo = (await prepareDemo(await mkdtemp(path.join(os.tmpdir(), 'demo-upgrade-')), 'normal')).registry;
    state = await stateFixture();
    await importSeeds(state, { registry: earlierDemo(demo, ['elev-07', 'mh-07']) }, 'seed', AT);
    // An admin retired a device the earlier demo had, and noted the property desk of c01.
    const retired = (await state.places.getDevice('c01', 'parking', 'park-01'))!;
    await state.places.updateDevice({ ...retired, retiredAt: AT }, AT);
    const c01 = (await state.places.getCompound('c01'))!;
    await state.places.upsertCompound({ ...c01, contacts: [{ name: '物业前台', phone: '0571-88880000' }] }, AT);
    const before = await deviceIds(state, 'c01');

    const upgrade = await addMissingDemo(state, demo, AT + 1);
    expect(upgrade.devices).toBe(2);
    const after = await deviceIds(state, 'c01');
    expect(after.filter((d) => !before.includes(d))).toEqual(['elevator/elev-07', 'manhole/mh-07']);
    expect(after).not.toContain('parking/park-01'); // retired stays retired
    const upgraded = (await state.places.getCompound('c01'))!;
    const demoC01 = demo.districts.flatMap((d) => d.streets.flatMap((s) => s.communities.flatMap((c) => c.compounds))).find((c) => c.id === 'c01')!;
    expect(upgraded.location).toEqual(demoC01.location);
    expect(upgraded.sitePlan).toEqual(demoC01.sitePlan);
    expect(upgraded.sitePlan?.gates.map((g) => g.name)).toEqual(['东门', '南门']);
    expect(upgraded.contacts).toEqual([{ name: '物业前台', phone: '0571-88880000' }]);

    expect(await addMissingDemo(state, demo, AT + 2)).toEqual({ places: 0, compounds: 0, sites: 0, devices: 0 });
  });

  it('gains the parties and hand-over rules of the demo routing it lacks, once, unless an admin saved the routing', async () => {
    const demo = (await prepareDemo(await mkdtemp(path.join(os.tmpdir(), 'demo-upgrade-')), 'normal')).registry;
    const routing = demoRouting(demo);
    state = await stateFixture();
    // The routing an earlier version imported: its two escalation desks, no departments, no hand-over rules.
    const earlier = { grids: routing.grids, groups: routing.groups.filter((g) => g.kind !== 'department' || g.id === 'street-desk'), escalation: routing.escalation };
    await importSeeds(state, { alerts: earlier }, 'seed', AT);
    const added = await addMissingDemoRouting(state, routing, 'seed', AT + 1);
    expect(added).toEqual({ groups: 2, handovers: 2 });
    const stored = alertsConfigSchema.parse((await state.docs.get('alerts'))!.body);
    expect(stored.groups.map((g) => g.id)).toEqual(['community-duty', 'street-desk', 'street-fire', 'street-lift']);
    expect(stored.handovers.map((h) => h.to)).toEqual(['street-fire', 'street-lift']);
    expect(await addMissingDemoRouting(state, routing, 'seed', AT + 2)).toEqual({ groups: 0, handovers: 0 });
    // Saved by an admin: left as it is.
    await state.docs.put('alerts', earlier, { by: 'admin', at: AT + 3 });
    expect(await addMissingDemoRouting(state, routing, 'seed', AT + 4)).toEqual({ groups: 0, handovers: 0 });
    expect(alertsConfigSchema.parse((await state.docs.get('alerts'))!.body).handovers).toEqual([]);
  });
});
