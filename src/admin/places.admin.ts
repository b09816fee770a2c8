/**
 * Places (admin): districts → streets → communities, and compounds with their names for
 * buildings and zones; a compound's contacts (the property desk …) are kept by its managers.
 * Every change goes to the state, then the registry is rebuilt from it (hooks.registryChanged).
 */
import { z } from 'zod';
import { HubError } from '../errors.ts';
import { compoundSchema, type RegistryCompound } from '../config/registry.schema.ts';
import { inScope, type Me } from '../contracts/access.ts';
import type { CompoundBody, CompoundView, Contact, ContactsBody, PlaceBody, PlaceKind, PlacesAnswer, PlaceView } from '../contracts/admin.ts';
import type { Place, StateStore, StoredCompound } from '../state/state.types.ts';
import type { AuditActor } from '../audit/audit.log.ts';
import type { AdminDeps } from './admin.types.ts';
import { parseWith, ValidationError } from './issues.ts';
import { changedAnything, changes, entry } from './audit.diff.ts';

const name = z.string().min(1).max(100);
export const placeBodySchema = z.strictObject({ name, parent: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional() });
export const contactSchema = z.strictObject({
  name,
  phone: z.string().regex(/^[0-9+()\- ]{3,32}$/, 'digits, spaces, + - ( ), 3 to 32 characters').optional(),
  role: z.string().min(1).max(50).optional(),
});
export const contactsBodySchema = z.strictObject({ contacts: z.array(contactSchema).max(20) });
const storedCompoundSchema = compoundSchema.omit({ devices: true }).extend({ community: compoundSchema.shape.id });

const PARENT_KIND: Record<PlaceKind, PlaceKind | undefined> = { district: undefined, street: 'district', community: 'street' };

/** Every place and compound the state keeps (compounds with their community and live device count). */
export async function placesOf(state: StateStore): Promise<{ places: Place[]; compounds: Array<RegistryCompound & { community: string }> }> {
  const registry = await state.places.registry();
  const places: Place[] = [];
  const compounds: Array<RegistryCompound & { community: string }> = [];
  for (const d of registry.districts) {
    places.push({ kind: 'district', id: d.id, name: d.name });
    for (const s of d.streets) {
      places.push({ kind: 'street', id: s.id, name: s.name, parent: d.id });
      for (const c of s.communities) {
        places.push({ kind: 'community', id: c.id, name: c.name, parent: s.id });
        for (const compound of c.compounds) compounds.push({ ...compound, community: c.id });
      }
    }
  }
  return { places, compounds };
}

function compoundView(compound: StoredCompound, deviceCount: number): CompoundView {
  return {
    id: compound.id,
    name: compound.name,
    community: compound.community,
    ...(compound.grid ? { grid: compound.grid } : {}),
    ...(compound.buildings ? { buildings: compound.buildings } : {}),
    ...(compound.zones ? { zones: compound.zones } : {}),
    ...(compound.contacts ? { contacts: compound.contacts as Contact[] } : {}),
    area: compound.area ?? 'city',
    ...(compound.location ? { location: compound.location } : {}),
    ...(compound.deskPhone ? { deskPhone: compound.deskPhone } : {}),
    deviceCount,
  };
}

const placeView = (p: Place): PlaceView => ({ kind: p.kind, id: p.id, name: p.name, ...(p.parent ? { parent: p.parent } : {}) });

export class PlacesAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  /** What a user may see: an admin (or anyone with every compound) all; a manager their compounds and the places above them. */
  async overview(scope: Pick<Me, 'compounds'>): Promise<PlacesAnswer> {
    const { places, compounds } = await placesOf(this.#deps.state);
    const visible = compounds.filter((c) => inScope(scope, c.id));
    const views = await Promise.all(
      visible.map(async (c) => compoundView((await this.#deps.state.places.getCompound(c.id)) ?? { ...c }, c.devices.length)),
    );
    let shown = places;
    if (scope.compounds !== 'all') {
      const byKey = new Map(places.map((p) => [`${p.kind}:${p.id}`, p]));
      const keep = new Set<Place>();
      for (const c of visible) {
        let place = byKey.get(`community:${c.community}`);
        while (place) {
          keep.add(place);
          const parentKind = PARENT_KIND[place.kind];
          place = parentKind && place.parent ? byKey.get(`${parentKind}:${place.parent}`) : undefined;
        }
      }
      shown = places.filter((p) => keep.has(p));
    }
    return { places: shown.map(placeView), compounds: views.sort((a, b) => a.id.localeCompare(b.id)) };
  }

  async putPlace(kind: PlaceKind, id: string, body: PlaceBody, by: AuditActor): Promise<PlaceView> {
    const { state, hooks, audit, now } = this.#deps;
    const valid = parseWith(placeBodySchema, body, 'BAD_REQUEST', kind);
    const { places } = await placesOf(state);
    const parentKind = PARENT_KIND[kind];
    if (!parentKind && valid.parent) throw new ValidationError('BAD_REQUEST', kind, [{ path: 'parent', message: 'a district has no parent' }]);
    if (parentKind) {
      if (!valid.parent) throw new ValidationError('BAD_REQUEST', kind, [{ path: 'parent', message: `a ${kind} needs its ${parentKind}` }]);
      if (!places.some((p) => p.kind === parentKind && p.id === valid.parent)) {
        throw new ValidationError('BAD_REQUEST', kind, [{ path: 'parent', message: `there is no ${parentKind} "${valid.parent}"` }]);
      }
    }
    const place: Place = { kind, id, name: valid.name, ...(valid.parent ? { parent: valid.parent } : {}) };
    const before = places.find((p) => p.kind === kind && p.id === id);
    const diff = changes(before, place);
    if (before && !changedAnything(diff)) return placeView(before);
    await state.places.upsertPlace(place, now());
    await hooks.registryChanged([]);
    audit.record(entry(by, { action: before ? 'place_updated' : 'place_created', target: `${kind}:${id}`, ...diff }));
    return placeView(place);
  }

  async putCompound(id: string, body: CompoundBody, by: AuditActor): Promise<CompoundView> {
    const { state, hooks, audit, now } = this.#deps;
    const valid = parseWith(storedCompoundSchema, { ...body, id }, 'BAD_REQUEST', 'compound');
    const { places } = await placesOf(state);
    if (!places.some((p) => p.kind === 'community' && p.id === valid.community)) {
      throw new ValidationError('BAD_REQUEST', 'compound', [{ path: 'community', message: `there is no community "${valid.community}"` }]);
    }
    const before = await state.places.getCompound(id);
    // Kept as the repository gives it back: a city compound has no `area` (city is the default).
    const { area, ...fields } = valid;
    // The site plan's geometry has its own route (PUT /api/admin/compounds/:id/site-plan): kept as it is.
    const { sitePlan: _plan, ...own } = fields;
    const compound: StoredCompound = { ...own, ...(area === 'county' ? { area } : {}), ...(before?.contacts ? { contacts: before.contacts } : {}), ...(before?.sitePlan ? { sitePlan: before.sitePlan } : {}) };
    const diff = changes(before, compound);
    const count = (await state.places.devicesOf(id)).filter((d) => d.retiredAt === undefined).length;
    if (before && !changedAnything(diff)) return compoundView(before, count);
    await state.places.upsertCompound(compound, now());
    await hooks.registryChanged([]);
    audit.record(entry(by, { action: before ? 'compound_updated' : 'compound_created', target: `compound:${id}`, compound: id, ...diff }));
    return compoundView(compound, count);
  }

  async putContacts(id: string, body: ContactsBody, by: AuditActor): Promise<CompoundView> {
    const { state, hooks, audit, now } = this.#deps;
    const { contacts } = parseWith(contactsBodySchema, body, 'BAD_REQUEST', 'contacts');
    const before = await state.places.getCompound(id);
    if (!before) throw new HubError('NOT_FOUND', `compound ${id} does not exist`, { params: { compound: id } });
    const compound: StoredCompound = { ...before, contacts };
    const count = (await state.places.devicesOf(id)).filter((d) => d.retiredAt === undefined).length;
    const diff = changes({ contacts: before.contacts ?? [] }, { contacts });
    if (!changedAnything(diff)) return compoundView(before, count);
    await state.places.upsertCompound(compound, now());
    await hooks.registryChanged([]);
    audit.record(entry(by, { action: 'compound_contacts_updated', target: `compound:${id}`, compound: id, ...diff }));
    return compoundView(compound, count);
  }
}
