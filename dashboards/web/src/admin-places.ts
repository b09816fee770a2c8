/**
 * Names for the administration pages: compounds (`GET /api/admin/places`, a manager's only)
 * and grids (the routing document's; a grid has no name, so it is shown with its compounds').
 */
import type { CompoundView, DocAnswer, PlacesAnswer } from '../../../src/contracts/admin.ts';
import { api } from './api.client.ts';
import { currentLang, t } from './i18n.ts';

export interface Places {
  compounds: CompoundView[];
  compound(id: string): CompoundView | undefined;
  /** The compound's name; its id when unknown. */
  compoundName(id: string): string;
  /** [id, name] choices, by name. */
  compoundChoices(): Array<[string, string]>;
}

export function placesOf(answer: PlacesAnswer): Places {
  const byId = new Map(answer.compounds.map((c) => [c.id, c]));
  const compoundName = (id: string) => byId.get(id)?.name ?? id;
  return {
    compounds: answer.compounds,
    compound: (id) => byId.get(id),
    compoundName,
    compoundChoices: () =>
      answer.compounds.map((c): [string, string] => [c.id, c.name]).sort(([, a], [, b]) => a.localeCompare(b, currentLang() === 'zh' ? 'zh-CN' : 'en')),
  };
}

export const loadPlaces = (): Promise<Places> => api<PlacesAnswer>('GET', '/api/admin/places').then(placesOf);

/** A list of names in the language's way (、 or , ). */
export const nameList = (names: string[]): string => names.join(currentLang() === 'zh' ? '、' : ', ');

export interface GridInfo {
  id: string;
  compounds: string[];
  workers: string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The grids of a routing document (what can be read of them: the document may be mid-edit). */
export function gridsOf(body: unknown): GridInfo[] {
  const grids = (body as { grids?: unknown } | null)?.grids;
  if (!Array.isArray(grids)) return [];
  return grids
    .filter((g): g is Record<string, unknown> => typeof g === 'object' && g !== null && typeof (g as { id?: unknown }).id === 'string')
    .map((g) => ({ id: g.id as string, compounds: strings(g.compounds), workers: strings(g.workers) }));
}

/** The grids routing knows; none when the routing cannot be read (the page then asks for ids). */
export const loadGrids = (): Promise<GridInfo[]> =>
  api<DocAnswer>('GET', '/api/admin/routing').then(({ body }) => gridsOf(body), () => []);

/** grid-a（翠苑一区、翠苑二区）. */
export function gridLabel(id: string, grids: readonly GridInfo[], places: Places): string {
  const grid = grids.find((g) => g.id === id);
  if (!grid?.compounds.length) return id;
  return t('grid.label', { id, compounds: nameList(grid.compounds.map(places.compoundName)) });
}
