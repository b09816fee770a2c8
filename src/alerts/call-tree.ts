/**
 * Reminders and call trees (design.md §7): what the clock owes an alert nobody has accepted
 * yet. Reminders re-notify the assignee every `remindMin`; the call tree rings the next people
 * in the call order every `ringMin` (serial: one more; parallel: the rest of the grid at once).
 * Everything is read from the alert itself (its history and fields), so a restarted hub owes
 * exactly what the stopped one did. Escalation (the accept deadline) is the alert book's.
 */
import type { Alert, AlertEvent } from './alert.types.ts';
import type { AlertsConfig } from './sla.config.ts';

const MINUTE = 60_000;

/** One notification due: a `reminded` or `called` event for `assignee`. */
export interface NotificationDue {
  kind: 'reminded' | 'called';
  assignee: string;
}

/** The people a call tree may ring, read only when a ring is due. */
export interface CallOrder {
  /** Routing.chain: grid workers in call order, then the escalation chain (for an alert handed over: its party's members). */
  chain(): string[];
  /** Routing.grid: the grid's workers in call order. */
  grid(): string[];
}

/** Events that hand an alert not yet accepted to someone (its current assignee got it then). */
const HANDOVERS: ReadonlySet<AlertEvent['kind']> = new Set(['dispatched', 'reassigned', 'escalated', 'handed_over']);

function lastAt(alert: Alert, match: (e: AlertEvent) => boolean): number | undefined {
  for (let i = alert.history.length - 1; i >= 0; i -= 1) if (match(alert.history[i]!)) return alert.history[i]!.at;
  return undefined;
}

/** The people the next ring calls: serial, the first in the chain after the assignee not rung yet; parallel, every other grid worker not rung yet. */
function nextToCall(alert: Alert, mode: 'serial' | 'parallel', order: CallOrder): string[] {
  // Whoever held it or was rung already has been told.
  const rung = new Set([alert.assignee, ...(alert.called ?? []), ...alert.history.filter((e) => HANDOVERS.has(e.kind)).map((e) => e.assignee)]);
  if (mode === 'parallel') return order.grid().filter((p) => !rung.has(p));
  const chain = order.chain();
  const after = chain.slice(chain.indexOf(alert.assignee ?? '') + 1);
  const next = after.find((p) => !rung.has(p));
  return next ? [next] : [];
}

/** What is due at `now` for an alert: nothing once it is accepted (or before anyone holds it). */
export function notificationsDue(alert: Alert, now: number, config: Pick<AlertsConfig, 'remindMin' | 'callTree'>, order: CallOrder): NotificationDue[] {
  if (alert.workflow !== 'dispatched' || !alert.assignee) return [];
  const handedAt = lastAt(alert, (e) => HANDOVERS.has(e.kind)) ?? alert.raisedAt;
  const due: NotificationDue[] = [];
  const remindMin = config.remindMin[alert.severity];
  // One reminder per interval, counted from the handover or the last reminder: a hub that was down owes one, not a burst.
  // None once the accept deadline has passed: the escalation hands the alert on (and notifies) instead.
  const escalating = alert.dueAt !== undefined && now >= alert.dueAt;
  if (remindMin !== undefined && !escalating && now >= Math.max(handedAt, alert.remindedAt ?? -Infinity) + remindMin * MINUTE) {
    due.push({ kind: 'reminded', assignee: alert.assignee });
  }
  const tree = config.callTree[alert.severity];
  if (tree) {
    const lastRing = lastAt(alert, (e) => e.kind === 'called') ?? -Infinity;
    if (now >= Math.max(handedAt, lastRing) + tree.ringMin * MINUTE) {
      for (const person of nextToCall(alert, tree.mode, order)) due.push({ kind: 'called', assignee: person });
    }
  }
  return due;
}

