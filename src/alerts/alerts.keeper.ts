/**
 * Alerts survive a restart with their workflow and history, even while InfluxDB (which holds the
 * alert event log for analytics) is down: every alert that changes is written to the operational
 * database (AlertsRepo) shortly after, the changes of a moment together, and at stop.
 */
import type { Logger } from 'pino';
import type { AlertsRepo } from '../state/state.types.ts';
import { writeBehind, type WriteBehind } from '../util/write-behind.ts';
import type { AlertBook } from './alert-book.ts';
import type { Alert } from './alert.types.ts';

/** Longest a change waits before it is written (changes in between are written together). */
export const ALERTS_WRITE_DELAY_MS = 100;

export function keepAlerts(alerts: AlertBook, repo: AlertsRepo, logger: Logger, delayMs = ALERTS_WRITE_DELAY_MS): WriteBehind {
  /** The alerts changed since the last write (the book changes them in place: they are written as they are then). */
  let dirty = new Map<string, Alert>();
  const kept = writeBehind(
    async () => {
      const changed = dirty;
      dirty = new Map();
      try {
        if (changed.size) await repo.save([...changed.values()]);
      } catch (error) {
        for (const [id, alert] of changed) if (!dirty.has(id)) dirty.set(id, alert);
        throw error;
      }
    },
    { delayMs, logger, what: 'alerts', failure: 'a restart would raise or forget what changed since' },
  );
  alerts.onEvent((_event, alert) => {
    dirty.set(alert.id, alert);
    kept.changed();
  });
  return kept;
}
