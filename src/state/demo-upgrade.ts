/**
 * The demo fleet grows between versions (issue 14: 75 → 87 devices, compound locations, a county
 * compound), but a demo data dir keeps the registry its first start imported, so a second day's
 * `npm start` on an earlier demo would refuse the new demo devices at CONNECT. At each later demo
 * start, what the demo has and the database lacks is added: compounds (with the places they
 * need) and devices never registered; a compound still where the demo put it gets the demo's area
 * and location when it has none, and its site plan (issue 16) when it has none. Nothing is renamed, moved or removed, and a device an admin
 * retired stays retired.
 */
import type { RegistryData } from '../config/registry.schema.ts';
import type { Place, StateStore } from './state.types.ts';

export interface DemoUpgrade {
  places: number;
  compounds: number;
  sites: number;
  devices: number;
}

export async function addMissingDemo(state: StateStore, demo: RegistryData, at: number): Promise<DemoUpgrade> {
  const done: DemoUpgrade = { places: 0, compounds: 0, sites: 0, devices: 0 };
  const current = await state.places.registry();
  const places = new Set<string>();
  /** Compound id → its community. */
  const compounds = new Map<string, string>();
  for (const d of current.districts) {
    places.add(`district:${d.id}`);
    for (const s of d.streets) {
      places.add(`street:${s.id}`);
      for (const c of s.communities) {
        places.add(`community:${c.id}`);
        for (const compound of c.compounds) compounds.set(compound.id, c.id);
      }
    }
  }
  const ensure = async (place: Place) => {
    const key = `${place.kind}:${place.id}`;
    if (places.has(key)) return;
    await state.places.upsertPlace(place, at);
    places.add(key);
    done.places += 1;
  };

  for (const district of demo.districts) {
    for (const street of district.streets) {
      for (const community of street.communities) {
        for (const { devices, ...compound } of community.compounds) {
          const storedIn = compounds.get(compound.id);
          if (storedIn === undefined) {
            await ensure({ kind: 'district', id: district.id, name: district.name });
            await ensure({ kind: 'street', id: street.id, name: street.name, parent: district.id });
            await ensure({ kind: 'community', id: community.id, name: community.name, parent: street.id });
            await state.places.upsertCompound({ ...compound, community: community.id }, at);
            done.compounds += 1;
          } else if (storedIn === community.id && (compound.location || compound.sitePlan)) {
            // Read whole (with the contacts a manager keeps), so that only the site (location, site plan) is filled in.
            const stored = await state.places.getCompound(compound.id);
            const location = stored && !stored.location && compound.location ? { area: compound.area, location: compound.location } : {};
            const sitePlan = stored && !stored.sitePlan && compound.sitePlan ? { sitePlan: compound.sitePlan } : {};
            if (stored && (Object.keys(location).length || Object.keys(sitePlan).length)) {
              await state.places.upsertCompound({ ...stored, ...location, ...sitePlan }, at);
              done.sites += 1;
            }
          }
          const known = new Set((await state.places.devicesOf(compound.id)).map((d) => `${d.type}/${d.id}`));
          const missing = devices.filter((d) => !known.has(`${d.type}/${d.id}`)).map((d) => ({ ...d, compound: compound.id }));
          if (missing.length) await state.places.insertDevices(missing, at);
          done.devices += missing.length;
        }
      }
    }
  }
  return done;
}
