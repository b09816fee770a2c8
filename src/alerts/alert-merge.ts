/**
 * Two changes of one alert made apart (design.md §10): the owner of its partition changed its
 * condition (a repeat, a clear, a reminder) while a person took a workflow step through another
 * instance, and both started from the same stored version (`base`). The merge is three-way, field
 * by field: what only one side changed is taken from that side; where both changed a field the
 * stored one (written first) stands, except the condition's own fields, which only the owner
 * judges; the workflow's fields go together, so a step taken elsewhere keeps its whole workflow;
 * the histories are joined, each event once, in time order.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Alert, AlertEvent } from './alert.types.ts';

/** Fields that follow the device's condition: judged only by the partition's owner. */
const CONDITION_FIELDS = new Set<keyof Alert>(['condition', 'clearedAt', 'lastSeenAt', 'count', 'value', 'field', 'incident', 'flapping', 'name']);
/** Fields of the workflow: they belong together (who holds it, by when, how far escalated), so they are taken from one side whole. */
const WORKFLOW_FIELDS: ReadonlyArray<keyof Alert> = ['workflow', 'assignee', 'dueAt', 'overdue', 'escalationLevel', 'escalatedTo', 'called', 'remindedAt', 'arrival'];

const eventKey = (e: AlertEvent) => `${e.at}|${e.kind}|${e.actor}|${e.assignee ?? ''}|${e.note ?? ''}`;

/** `mine`: the owner's copy (its condition is the truth); `stored`: what another instance wrote since `base`. */
export function mergeAlert(base: Alert, stored: Alert, mine: Alert): Alert {
  const merged: Record<string, unknown> = {};
  // A step taken elsewhere moved the workflow: its workflow stands whole (an accept is not given to whom the owner escalated meanwhile).
  const steppedElsewhere = WORKFLOW_FIELDS.some((key) => !isDeepStrictEqual(stored[key], base[key]));
  const keys = new Set([...Object.keys(base), ...Object.keys(stored), ...Object.keys(mine)] as Array<keyof Alert>);
  for (const key of keys) {
    if (key === 'history') continue;
    if (steppedElsewhere && WORKFLOW_FIELDS.includes(key)) {
      if (stored[key] !== undefined) merged[key] = stored[key];
      continue;
    }
    const b = base[key];
    const s = stored[key];
    const m = mine[key];
    const value = isDeepStrictEqual(s, b) ? m : isDeepStrictEqual(m, b) ? s : CONDITION_FIELDS.has(key) ? m : s;
    if (value !== undefined) merged[key] = value;
  }
  const seen = new Set<string>();
  const history: AlertEvent[] = [];
  for (const e of [...stored.history, ...mine.history]) {
    const key = eventKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    history.push(e);
  }
  // Stable: events of one millisecond keep the order each side gave them.
  merged.history = history.map((e, i) => [e, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([e]) => e);
  return merged as unknown as Alert;
}
