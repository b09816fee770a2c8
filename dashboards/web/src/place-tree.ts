/**
 * The places page's pure parts (no DOM, no i18n): the tree district → street → community →
 * compounds from `GET /api/admin/places`, sorted by name; the choices of a kind of place; the
 * rows of a compound's buildings or zones to and from their `{ id: name }` record; a location.
 */
import type { CompoundView, PlaceKind, PlacesAnswer, PlaceView } from '../../../src/contracts/admin.ts';

/** The kind a place of this kind sits in (a district sits in none). */
export const PARENT_KIND: Record<PlaceKind, PlaceKind | undefined> = { district: undefined, street: 'district', community: 'street' };

export interface TreeCommunity {
  place: PlaceView;
  compounds: CompoundView[];
}
export interface TreeStreet {
  place: PlaceView;
  communities: TreeCommunity[];
}
export interface TreeDistrict {
  place: PlaceView;
  streets: TreeStreet[];
}

const byName = (locale: string) => (a: { name: string; id: string }, b: { name: string; id: string }) =>
  a.name.localeCompare(b.name, locale, { numeric: true }) || a.id.localeCompare(b.id);

/** The places as a tree, every level by name (`locale`: how names sort, zh-CN or en). */
export function placeTree(answer: PlacesAnswer, locale: string): TreeDistrict[] {
  const sort = byName(locale);
  const of = (kind: PlaceKind, parent?: string) => answer.places.filter((p) => p.kind === kind && (parent === undefined || p.parent === parent)).sort(sort);
  return of('district').map((d) => ({
    place: d,
    streets: of('street', d.id).map((s) => ({
      place: s,
      communities: of('community', s.id).map((c) => ({ place: c, compounds: answer.compounds.filter((x) => x.community === c.id).sort(sort) })),
    })),
  }));
}

export interface PlaceChoice {
  id: string;
  name: string;
  /** The name of the place it sits in, to tell two of the same name apart. */
  parentName?: string;
}

/** The places of a kind to pick from, by name. */
export function placeChoices(places: readonly PlaceView[], kind: PlaceKind, locale: string): PlaceChoice[] {
  const parentKind = PARENT_KIND[kind];
  const parentName = (id: string | undefined) => places.find((p) => p.kind === parentKind && p.id === id)?.name;
  return places
    .filter((p) => p.kind === kind)
    .map((p) => ({ id: p.id, name: p.name, ...(parentKind && parentName(p.parent) ? { parentName: parentName(p.parent) } : {}) }))
    .sort(byName(locale));
}

/** One row of a compound's buildings or zones. */
export interface NameRow {
  id: string;
  name: string;
}

/** The rows of a `{ b1: "1号楼" }` record, in the order the ids sort (b2 before b10). */
export const rowsOf = (names: Record<string, string> | undefined): NameRow[] =>
  Object.entries(names ?? {})
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

export type NamesRead =
  | { ok: true; names: Record<string, string> | undefined }
  | { ok: false; problem: 'missingId' | 'missingName' | 'duplicate'; row: number };

/** The record of filled rows (trimmed; rows left wholly empty skipped; none: undefined), or the first row that is wrong (1-based). */
export function namesOf(rows: readonly NameRow[]): NamesRead {
  const names: Record<string, string> = {};
  let n = 0;
  for (const raw of rows) {
    n += 1;
    const id = raw.id.trim();
    const name = raw.name.trim();
    if (!id && !name) continue;
    if (!id) return { ok: false, problem: 'missingId', row: n };
    if (!name) return { ok: false, problem: 'missingName', row: n };
    if (Object.hasOwn(names, id)) return { ok: false, problem: 'duplicate', row: n };
    names[id] = name;
  }
  return { ok: true, names: Object.keys(names).length ? names : undefined };
}

export type LocationRead = { ok: true; location: { lat: number; lon: number } | undefined } | { ok: false };

/** A location from what was typed in its two boxes: both numbers, or both empty. */
export function locationOf(lat: string, lon: string): LocationRead {
  const a = lat.trim();
  const b = lon.trim();
  if (!a && !b) return { ok: true, location: undefined };
  const la = Number(a);
  const lo = Number(b);
  if (!a || !b || !Number.isFinite(la) || !Number.isFinite(lo)) return { ok: false };
  return { ok: true, location: { lat: la, lon: lo } };
}
