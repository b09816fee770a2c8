/**
 * Open alerts survive a restart even while InfluxDB, which holds the alert event log, is down
 * or has not yet received the newest events (they wait in the store's spool): every open alert
 * is kept in DATA_DIR/open-alerts.json, rewritten atomically shortly after each change. At
 * start the hub takes them back from there; without the file (a first start) it rebuilds them
 * from the event log.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readStateFile } from '../util/state-file.ts';
import { alertSchema } from './alert.schema.ts';
import type { Alert } from './alert.types.ts';
import type { AlertBook } from './alert-book.ts';

/** Longest a change waits before the file is rewritten (changes in between are written together). */
export const OPEN_ALERTS_WRITE_DELAY_MS = 100;

/** The open alerts kept in `file`; undefined when there is no usable file (rebuild from the event log instead). */
export async function loadOpenAlerts(file: string, logger: Logger): Promise<Alert[] | undefined> {
  return (await readStateFile(file, z.array(alertSchema), logger, 'open alerts', 'OPEN ALERTS REBUILT FROM THE EVENT LOG')) as Alert[] | undefined;
}

export interface KeptOpenAlerts {
  /** Writes what changed since the last write, and waits for it (at stop). */
  flush(): Promise<void>;
}

/** Rewrites `file` with the open alerts after each change (coalesced, one write at a time). A failed write is logged once, retried at the next change. */
export function keepOpenAlerts(alerts: AlertBook, file: string, logger: Logger, delayMs = OPEN_ALERTS_WRITE_DELAY_MS): KeptOpenAlerts {
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing
      .then(() => writeFileAtomic(file, `${JSON.stringify(alerts.list({ open: true }))}\n`, 0o600))
      .then(
        () => {
          if (failing) logger.info({ file }, 'open alerts saved again');
          failing = false;
        },
        (error: unknown) => {
          if (!failing) logger.error({ err: (error as Error).message, file }, 'OPEN ALERTS NOT SAVED: a restart while InfluxDB is unreachable would raise them again');
          failing = true;
        },
      );
    return writing;
  };
  alerts.onEvent(() => {
    timer ??= setTimeout(write, delayMs);
  });
  return {
    flush: () => (timer ? write() : writing),
  };
}
