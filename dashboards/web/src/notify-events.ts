/**
 * Which changes to a worker's alerts call for a system notification: events that hand an alert
 * to them, or ring them for it — dispatched, escalated, reassigned, reminded, called with
 * `assignee` = this person, not done by themselves — that the page has not seen yet. The first
 * list the page gets (the kept copy, or the first snapshot) counts as seen: a reload or a
 * reconnect does not notify again what was notified before.
 */
import type { Alert, AlertEvent } from '../../../src/alerts/alert.types.ts';

export const NOTIFY_KINDS: ReadonlySet<AlertEvent['kind']> = new Set(['dispatched', 'escalated', 'reassigned', 'reminded', 'called']);

export interface AlertNews {
  alert: Alert;
  /** The latest event that calls for it. */
  event: AlertEvent;
}

export class AlertNewsWatch {
  /** Alert id → how many of its events have been looked at. */
  #seen = new Map<string, number>();
  #started = false;

  constructor(readonly person: string) {}

  /** What is new for the person in `alerts` (the whole list the view holds) since the last call; nothing on the first call. */
  news(alerts: Iterable<Alert>): AlertNews[] {
    const found: AlertNews[] = [];
    const seen = new Map<string, number>();
    for (const alert of alerts) {
      seen.set(alert.id, alert.history.length);
      if (!this.#started) continue;
      const unseen = alert.history.slice(this.#seen.get(alert.id) ?? 0);
      const event = unseen.findLast((e) => NOTIFY_KINDS.has(e.kind) && e.assignee === this.person && e.actor !== this.person);
      if (event) found.push({ alert, event });
    }
    this.#seen = seen;
    this.#started = true;
    return found;
  }
}
