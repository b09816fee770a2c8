/**
 * The district's compounds as rows (pure: no DOM): live totals (online, open alerts by
 * severity, overdue now) beside the period's closed-loop figures, each compound's worst state
 * (critical / major / offline / ok) for the map and the table, and the table's filter, sort
 * and paging.
 */
import type { Figures } from '../../../src/contracts/api.ts';
import type { CompoundSummary } from '../../../src/contracts/live-events.ts';

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Worst first: an open critical alert, a major one, no device online at all, or fine. */
export const COMPOUND_STATES = ['critical', 'major', 'offline', 'ok'] as const;
export type CompoundState = (typeof COMPOUND_STATES)[number];

export interface CompoundRow {
  id: string;
  name: string;
  street: { id: string; name: string };
  community: { id: string; name: string };
  location?: { lat: number; lon: number };
  deviceCount: number;
  online: number;
  /** online / deviceCount; null for a compound without devices. */
  onlineShare: number | null;
  open: Record<Severity, number>;
  openTotal: number;
  /** Open alerts overdue or escalated now (live). */
  overdue: number;
  /** Seconds; null when nothing was accepted / resolved in the period. */
  mtta: number | null;
  mttr: number | null;
  slaKept: number | null;
  arrivalRate: number | null;
  /** Mean rating after closing (评价, 1–5); null without ratings. */
  satisfaction: number | null;
  /** Alerts raised in the period. */
  alerts: number;
  state: CompoundState;
}

export function worstState(c: Pick<CompoundSummary, 'openAlerts' | 'online' | 'deviceCount'>): CompoundState {
  if (c.openAlerts.critical > 0) return 'critical';
  if (c.openAlerts.major > 0) return 'major';
  if (c.deviceCount > 0 && c.online === 0) return 'offline';
  return 'ok';
}

export function compoundRow(c: CompoundSummary, figures: Figures | undefined, overdue: number): CompoundRow {
  const open = { critical: c.openAlerts.critical ?? 0, major: c.openAlerts.major ?? 0, minor: c.openAlerts.minor ?? 0, info: c.openAlerts.info ?? 0 };
  return {
    id: c.id,
    name: c.name,
    street: c.street,
    community: c.community,
    ...(c.location ? { location: c.location } : {}),
    deviceCount: c.deviceCount,
    online: c.online,
    onlineShare: c.deviceCount > 0 ? c.online / c.deviceCount : null,
    open,
    openTotal: open.critical + open.major + open.minor + open.info,
    overdue,
    mtta: figures?.timeToAccept.mean ?? null,
    mttr: figures?.timeToResolve.mean ?? null,
    slaKept: figures?.slaKept ?? null,
    arrivalRate: figures?.arrivalRate ?? null,
    satisfaction: figures?.satisfaction?.mean ?? null,
    alerts: figures?.alerts ?? 0,
    state: worstState(c),
  };
}

/** Every compound's row; `overdueBy`: open alerts overdue or escalated now, per compound id. */
export function compoundRows(compounds: Iterable<CompoundSummary>, byCompound: Record<string, Figures> | undefined, overdueBy: ReadonlyMap<string, number>): CompoundRow[] {
  return [...compounds].map((c) => compoundRow(c, byCompound?.[c.id], overdueBy.get(c.id) ?? 0));
}

export const SORT_KEYS = ['state', 'name', 'street', 'online', 'critical', 'major', 'minor', 'info', 'overdue', 'mtta', 'mttr', 'sla', 'arrival', 'satisfaction'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface SortOrder {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** The sort a column starts with when first clicked: the worst first (most alerts, lowest share kept, slowest). */
export const FIRST_DIR: Record<SortKey, 'asc' | 'desc'> = {
  state: 'asc', name: 'asc', street: 'asc', online: 'asc', critical: 'desc', major: 'desc', minor: 'desc', info: 'desc',
  overdue: 'desc', mtta: 'desc', mttr: 'desc', sla: 'asc', arrival: 'asc', satisfaction: 'asc',
};

const STATE_RANK: Record<CompoundState, number> = { critical: 0, major: 1, offline: 2, ok: 3 };
const collator = new Intl.Collator('zh-CN');

function value(row: CompoundRow, key: SortKey): number | string | null {
  switch (key) {
    case 'state': return STATE_RANK[row.state];
    case 'name': return row.name;
    case 'street': return row.street.name;
    case 'online': return row.onlineShare;
    case 'critical': case 'major': case 'minor': case 'info': return row.open[key];
    case 'overdue': return row.overdue;
    case 'mtta': return row.mtta;
    case 'mttr': return row.mttr;
    case 'sla': return row.slaKept;
    case 'arrival': return row.arrivalRate;
    case 'satisfaction': return row.satisfaction;
  }
}

/**
 * Sorted by `order`; rows without a value (no figures yet) last in either direction; ties by
 * worst state, then open alerts (most first), then name, so the order is stable across updates.
 */
export function sortRows(rows: readonly CompoundRow[], order: SortOrder): CompoundRow[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a, order.key);
    const vb = value(b, order.key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return sign * (typeof va === 'string' ? collator.compare(va, vb as string) : (va as number) - (vb as number));
    }
    return STATE_RANK[a.state] - STATE_RANK[b.state] || b.openTotal - a.openTotal || collator.compare(a.name, b.name) || a.id.localeCompare(b.id);
  });
}

export interface RowFilter {
  /** Matched, case-insensitive, against the compound's name and id, its street and community. */
  q?: string;
  /** Street id; empty or unset: all. */
  street?: string;
  /** Only compounds in this state. */
  state?: CompoundState;
}

export function filterRows(rows: readonly CompoundRow[], filter: RowFilter): CompoundRow[] {
  const q = filter.q?.trim().toLowerCase() ?? '';
  return rows.filter(
    (r) =>
      (!filter.street || r.street.id === filter.street) &&
      (!filter.state || r.state === filter.state) &&
      (!q || [r.name, r.id, r.street.name, r.community.name].some((text) => text.toLowerCase().includes(q))),
  );
}

export interface RowPage {
  rows: CompoundRow[];
  /** 0-based page shown (clamped into range). */
  page: number;
  pages: number;
  total: number;
  /** 1-based positions of the first and last row shown (0, 0 when none). */
  first: number;
  last: number;
}

export function pageRows(rows: readonly CompoundRow[], page: number, size: number): RowPage {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const at = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const shown = rows.slice(at * size, at * size + size);
  return { rows: shown, page: at, pages, total: rows.length, first: shown.length ? at * size + 1 : 0, last: at * size + shown.length };
}

/** Streets of the compounds, by name, each once. */
export function streetsOf(rows: Iterable<Pick<CompoundRow, 'street'>>): Array<{ id: string; name: string }> {
  const byId = new Map<string, string>();
  for (const r of rows) byId.set(r.street.id, r.street.name);
  return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => collator.compare(a.name, b.name));
}

/** How many compounds are in each state. */
export function stateCounts(rows: Iterable<Pick<CompoundRow, 'state'>>): Record<CompoundState, number> {
  const counts: Record<CompoundState, number> = { critical: 0, major: 0, offline: 0, ok: 0 };
  for (const r of rows) counts[r.state] += 1;
  return counts;
}
