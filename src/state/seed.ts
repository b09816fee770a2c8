/**
 * The JSON files (REGISTRY_FILE, ALERTS_FILE, RULES_FILE, USERS_FILE) as declarative seeds
 * (design.md §11): imported at the first start, and afterwards synced on demand
 * (`compound-hub seed`), with a dry-run diff first (`--dry-run`). The files are read and
 * validated by their own loaders; this module gets their content.
 *
 * A sync makes the database say what the files say, except: devices left out are retired,
 * not deleted; logins are never deleted, and a login that exists keeps its password, its
 * must-change flag and whether it is disabled (only name, role, scope and contact follow the file).
 */
import type { RegistryData, RegistryDevice } from '../config/registry.schema.ts';
import type { User } from '../auth/users.schema.ts';
import { isHubError } from '../errors.ts';
import type { DocName, StateStore, StoredCompound } from './state.types.ts';

export interface Seeds {
  registry?: RegistryData;
  /** The ALERTS_FILE's JSON as written (validated by its loader). */
  alerts?: unknown;
  /** The RULES_FILE's JSON as written (validated by its loader). */
  rules?: unknown;
  users?: User[];
}

export interface SeedSummary {
  places: number;
  compounds: number;
  devices: number;
  users: number;
  /** The documents written. */
  docs: string[];
}

export interface SeedDiff {
  /** One line per change: `+ device c1/elevator/e9`, `~ user li-qiang: role worker → manager`, `- device c1/parking/p3 (retired)`. */
  lines: string[];
}

const DOCS: DocName[] = ['alerts', 'rules'];

/** JSON with object keys sorted: two documents that say the same compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.length ? value.join(',') : '(none)';
  return canonical(value);
}

const PERSONAL = new Set(['contact']);

/** A site plan in a diff line: what it holds (`4 buildings, 2 roads`), not its geometry. */
function showPlan(value: unknown): string {
  if (!value || typeof value !== 'object') return '(none)';
  const plan = value as Partial<Record<'buildings' | 'zones' | 'roads' | 'gates', unknown[]>>;
  const parts = (['buildings', 'zones', 'roads', 'gates'] as const).flatMap((k) => (plan[k]?.length ? [`${plan[k].length} ${k}`] : []));
  return parts.length ? parts.join(', ') : 'empty';
}

/** `name A → B, grid (none) → g1` for the fields that differ. */
function changes(before: object, after: object, fields: readonly string[]): string[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return fields
    .filter((f) => canonical(b[f]) !== canonical(a[f]))
    .map((f) => {
      // A contact is personal data: the diff (logged, audited) says that it changes, not what it says.
      if (PERSONAL.has(f)) return `${f} (changed)`;
      if (f === 'sitePlan') {
        const from = showPlan(b[f]);
        const to = showPlan(a[f]);
        return from === to ? `${f} ${from} (geometry changed)` : `${f} ${from} → ${to}`;
      }
      return `${f} ${show(b[f])} → ${show(a[f])}`;
    });
}

interface Flat {
  places: Map<string, { name: string; parent?: string | undefined }>;
  compounds: Map<string, Omit<StoredCompound, 'id' | 'contacts'>>;
  devices: Map<string, RegistryDevice>;
}

function flatten(data: RegistryData): Flat {
  const flat: Flat = { places: new Map(), compounds: new Map(), devices: new Map() };
  for (const d of data.districts) {
    flat.places.set(`district ${d.id}`, { name: d.name });
    for (const s of d.streets) {
      flat.places.set(`street ${s.id}`, { name: s.name, parent: d.id });
      for (const m of s.communities) {
        flat.places.set(`community ${m.id}`, { name: m.name, parent: s.id });
        for (const { devices, ...c } of m.compounds) {
          flat.compounds.set(c.id, { ...c, community: m.id });
          for (const dev of devices) flat.devices.set(`${c.id}/${dev.type}/${dev.id}`, dev);
        }
      }
    }
  }
  return flat;
}

function deviceView(d: RegistryDevice): Record<string, unknown> {
  return { name: d.name, building: d.building, zone: d.zone, reportIntervalSec: d.reportIntervalSec, position: d.position ? `(${d.position.x},${d.position.y})` : undefined };
}

async function registryLines(state: StateStore, seed: RegistryData): Promise<string[]> {
  const now = flatten(await state.places.registry());
  const want = flatten(seed);
  const lines: string[] = [];
  for (const [key, p] of want.places) {
    const stored = now.places.get(key);
    if (!stored) lines.push(`+ ${key}`);
    else {
      const diff = changes(stored, p, ['name', 'parent']);
      if (diff.length) lines.push(`~ ${key}: ${diff.join(', ')}`);
    }
  }
  for (const key of now.places.keys()) if (!want.places.has(key)) lines.push(`- ${key}`);

  for (const [id, c] of want.compounds) {
    const stored = now.compounds.get(id);
    if (!stored) lines.push(`+ compound ${id}`);
    else {
      const diff = changes(stored, c, ['name', 'community', 'grid', 'buildings', 'zones', 'area', 'location', 'deskPhone', 'sitePlan']);
      if (diff.length) lines.push(`~ compound ${id}: ${diff.join(', ')}`);
    }
  }
  for (const id of now.compounds.keys()) if (!want.compounds.has(id)) lines.push(`- compound ${id}`);

  for (const [key, d] of want.devices) {
    const stored = now.devices.get(key);
    if (!stored) {
      const [compound = '', type = '', id = ''] = key.split('/');
      const retired = await state.places.getDevice(compound, type, id);
      lines.push(`+ device ${key}${retired ? ' (back from retirement)' : ''}`);
      continue;
    }
    const diff = changes(deviceView(stored), deviceView(d), ['name', 'building', 'zone', 'reportIntervalSec', 'position']);
    if (stored.secretSha256 !== d.secretSha256) diff.push('secret changed');
    if (diff.length) lines.push(`~ device ${key}: ${diff.join(', ')}`);
  }
  for (const key of now.devices.keys()) if (!want.devices.has(key)) lines.push(`- device ${key} (retired)`);
  return lines;
}

const USER_FIELDS = ['name', 'role', 'compounds', 'grids', 'contact'] as const;

/** What `applySeeds` would change, one line per change; no lines when the database says what the seeds say. */
export async function diffSeeds(state: StateStore, seeds: Seeds): Promise<SeedDiff> {
  const lines: string[] = [];
  if (seeds.registry) lines.push(...(await registryLines(state, seeds.registry)));
  for (const name of DOCS) {
    if (seeds[name] === undefined) continue;
    const stored = await state.docs.get(name);
    if (!stored) lines.push(`+ ${name} (new document)`);
    else if (canonical(stored.body) !== canonical(seeds[name])) lines.push(`~ ${name} (document differs)`);
  }
  for (const user of seeds.users ?? []) {
    const stored = await state.users.get(user.id);
    if (!stored) lines.push(`+ user ${user.id}`);
    else {
      const diff = changes(stored, user, USER_FIELDS);
      if (diff.length) lines.push(`~ user ${user.id}: ${diff.join(', ')}`);
    }
  }
  return { lines };
}

/** Makes the database say what the seeds say (see the top of this file); returns what changed. */
export async function applySeeds(state: StateStore, seeds: Seeds, by: string, at: number): Promise<SeedDiff> {
  const diff = await diffSeeds(state, seeds);
  if (seeds.registry) await state.places.replaceRegistry(seeds.registry, at);
  for (const name of DOCS) {
    const body = seeds[name];
    if (body === undefined) continue;
    const stored = await state.docs.get(name);
    // Conditional on the version just read: an edit made meanwhile is not overwritten (CONFLICT).
    if (!stored || canonical(stored.body) !== canonical(body)) await state.docs.put(name, body, { expectedVersion: stored?.version ?? 0, by, at });
  }
  for (const user of seeds.users ?? []) {
    const stored = await state.users.get(user.id);
    if (!stored) {
      await state.users.insert(user, at);
      continue;
    }
    if (!changes(stored, user, USER_FIELDS).length) continue;
    const { name: _name, compounds: _compounds, grids: _grids, contact: _contact, createdAt: _c, updatedAt: _u, ...kept } = stored;
    await state.users.update(
      {
        ...kept,
        role: user.role,
        ...(user.name !== undefined ? { name: user.name } : {}),
        ...(user.compounds ? { compounds: user.compounds } : {}),
        ...(user.grids ? { grids: user.grids } : {}),
        ...(user.contact ? { contact: user.contact } : {}),
      },
      at,
    );
  }
  if (diff.lines.length) {
    await state.audit.append({ at, actor: by, action: 'seed_applied', note: `${diff.lines.length} change(s) from the seed files`, after: { changes: diff.lines } });
  }
  return diff;
}

/** The first start: writes the seeds into an empty database; returns what was written. */
export async function importSeeds(state: StateStore, seeds: Seeds, by: string, at: number): Promise<SeedSummary> {
  const summary: SeedSummary = { places: 0, compounds: 0, devices: 0, users: 0, docs: [] };
  if (seeds.registry) {
    await state.places.replaceRegistry(seeds.registry, at);
    const flat = flatten(seeds.registry);
    summary.places = flat.places.size;
    summary.compounds = flat.compounds.size;
    summary.devices = flat.devices.size;
  }
  for (const name of DOCS) {
    if (seeds[name] === undefined) continue;
    await state.docs.put(name, seeds[name], { by, at });
    summary.docs.push(name);
  }
  for (const user of seeds.users ?? []) {
    try {
      await state.users.insert(user, at);
      summary.users += 1;
    } catch (error) {
      // Kept already (an import run twice): a first start never changes an existing login.
      if (!isHubError(error, 'CONFLICT')) throw error;
    }
  }
  await state.audit.append({ at, actor: by, action: 'seed_imported', note: 'first start: seed files imported', after: { ...summary } });
  return summary;
}
