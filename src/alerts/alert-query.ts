/**
 * The alert desk's query (issue 16) over alerts wherever they are kept: the open ones in the
 * alert book (memory, always current), the closed ones in the operational database (the
 * archive, which survives restarts). Both are reduced to the same key records, filtered and
 * ordered by the same functions here, so that one page and one total come out of the two.
 * Nothing here speaks SQL or HTTP.
 */
import { SEVERITIES, type Severity } from '../rules/rule.schema.ts';
import { WORKFLOW_STATES, type Alert, type WorkflowState } from './alert.types.ts';
import type { DeskQuery, DeskSort, DeskState } from '../contracts/alert-desk.ts';

/** What the desk filters and sorts on: columns of the archive, fields of an alert in memory. */
export interface DeskKey {
  id: string;
  compound: string;
  deviceKey: string;
  ruleId: string;
  severity: Severity;
  workflow: WorkflowState;
  assignee?: string | undefined;
  raisedAt: number;
  /** The alert's own name (in memory: an incident's name counts its devices). */
  name?: { zh: string; en: string } | undefined;
}

/** What the filters of the archive can say to the database (the rest is judged on the keys). */
export interface ArchiveFilter {
  /** In these compounds only; undefined: any. */
  compounds?: readonly string[] | undefined;
  ruleId?: string | undefined;
  severity?: Severity | undefined;
  assignee?: string | undefined;
  /** Raised at or after. */
  from?: number | undefined;
  /** Raised before. */
  to?: number | undefined;
}

/** The closed alerts kept in the operational database (AlertsRepo), and a way to write what is pending first. */
export interface AlertArchive {
  archived(filter: ArchiveFilter): Promise<DeskKey[]>;
  getMany(ids: readonly string[]): Promise<Alert[]>;
  get(id: string): Promise<Alert | undefined>;
  /** Writes the alert changes still pending, so that the archive holds every alert closed so far. */
  flush(): Promise<void>;
}

/** The archive over the operational database's alerts (AlertsRepo), writing the alert book's pending changes first (`flush`). */
export function archiveOf(repo: Pick<AlertArchive, 'archived' | 'getMany' | 'get'>, flush: () => Promise<void>): AlertArchive {
  return { archived: (filter) => repo.archived(filter), getMany: (ids) => repo.getMany(ids), get: (id) => repo.get(id), flush };
}

/** What the query needs to know of the hub: scope, and names by id. */
export interface DeskNames {
  inScope(compound: string): boolean;
  compoundName(id: string): string | undefined;
  deviceName(deviceKey: string): string | undefined;
  /** The building tag of the device (registry), or of an incident of a building. */
  buildingOf(deviceKey: string): string | undefined;
  ruleName(ruleId: string): { zh: string; en: string } | undefined;
}

export const keyOf = (a: Alert): DeskKey => ({
  id: a.id,
  compound: a.compound,
  deviceKey: a.deviceKey,
  ruleId: a.ruleId,
  severity: a.severity,
  workflow: a.workflow,
  assignee: a.assignee,
  raisedAt: a.raisedAt,
  name: a.name,
});

/** Which sources a state filter reads: open alerts (memory), the archive (closed), and which workflow state, if one. */
export function sourcesOf(state: DeskState = 'open'): { open: boolean; closed: boolean; workflow?: WorkflowState } {
  if (state === 'open') return { open: true, closed: false };
  if (state === 'closed') return { open: false, closed: true, workflow: 'closed' };
  if (state === 'all') return { open: true, closed: true };
  return { open: true, closed: false, workflow: state };
}

/** `{compound}/incident/{group}@{place}`: the place of an incident, or undefined for a device's key. */
export function incidentPlace(deviceKey: string): string | undefined {
  const [, kind, device] = deviceKey.split('/');
  if (kind !== 'incident' || !device) return undefined;
  const at = device.lastIndexOf('@');
  return at < 0 ? undefined : device.slice(at + 1);
}

/** The query's filters as the archive can take them. */
export function archiveFilterOf(query: DeskQuery, scope: 'all' | readonly string[]): ArchiveFilter {
  const compounds = query.compound ? [query.compound] : scope === 'all' ? undefined : scope;
  return { compounds, ruleId: query.rule, severity: query.severity, assignee: query.assignee, from: query.from, to: query.to };
}

/** Whether a key meets every filter of the query (and the user's scope). */
export function deskMatcher(query: DeskQuery, names: DeskNames): (k: DeskKey) => boolean {
  const { workflow } = sourcesOf(query.state);
  const text = query.q?.trim().toLowerCase();
  const hasText = (k: DeskKey) => {
    if (!text) return true;
    const rule = names.ruleName(k.ruleId);
    const said = [k.id, k.deviceKey, k.ruleId, names.deviceName(k.deviceKey), rule?.zh, rule?.en, k.name?.zh, k.name?.en];
    return said.some((s) => s !== undefined && s.toLowerCase().includes(text));
  };
  return (k) =>
    names.inScope(k.compound) &&
    (!workflow || k.workflow === workflow) &&
    (!query.compound || k.compound === query.compound) &&
    (!query.severity || k.severity === query.severity) &&
    (!query.rule || k.ruleId === query.rule) &&
    (!query.assignee || k.assignee === query.assignee) &&
    (query.from === undefined || k.raisedAt >= query.from) &&
    (query.to === undefined || k.raisedAt < query.to) &&
    (!query.building || names.buildingOf(k.deviceKey) === query.building) &&
    hasText(k);
}

const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;
const WORKFLOW_RANK = Object.fromEntries(WORKFLOW_STATES.map((s, i) => [s, i])) as Record<WorkflowState, number>;

/**
 * The desk's order: by the sort column (severity most severe first, workflow in its order,
 * compound by name) in the direction asked, then newest first, then by id: a total order, so
 * pages never overlap or skip.
 */
export function deskOrder(sort: DeskSort = 'raisedAt', dir: 'asc' | 'desc' = 'desc', names: Pick<DeskNames, 'compoundName'>): (a: DeskKey, b: DeskKey) => number {
  const sign = dir === 'asc' ? 1 : -1;
  const collator = new Intl.Collator('zh-CN');
  const primary: (a: DeskKey, b: DeskKey) => number =
    sort === 'severity'
      ? (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
      : sort === 'workflow'
        ? (a, b) => WORKFLOW_RANK[a.workflow] - WORKFLOW_RANK[b.workflow]
        : sort === 'compound'
          ? (a, b) => collator.compare(names.compoundName(a.compound) ?? a.compound, names.compoundName(b.compound) ?? b.compound) || (a.compound < b.compound ? -1 : a.compound > b.compound ? 1 : 0)
          : (a, b) => a.raisedAt - b.raisedAt;
  return (a, b) => sign * primary(a, b) || b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Open alerts (memory) and archived ones (their keys), filtered, ordered, and one page of them:
 * the keys of the page and how many match in all. An alert in both (closed since it was read)
 * counts once, as memory has it.
 */
export function deskPage(open: readonly DeskKey[], archived: readonly DeskKey[], query: DeskQuery, names: DeskNames): { page: DeskKey[]; total: number } {
  const matches = deskMatcher(query, names);
  const seen = new Set(open.map((k) => k.id));
  const all = [...open, ...archived.filter((k) => !seen.has(k.id))].filter(matches);
  all.sort(deskOrder(query.sort, query.dir, names));
  const offset = query.offset ?? 0;
  return { page: all.slice(offset, offset + (query.limit ?? 50)), total: all.length };
}
