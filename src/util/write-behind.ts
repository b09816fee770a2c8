/**
 * Writes behind changes: a change schedules a write (coalesced: the changes of `delayMs` are
 * written together, one write at a time), `now` writes at once (a logout must hold even if the
 * hub is killed right after), `flush` waits for everything scheduled (at stop). A failed write
 * (the database gone away) is logged once until one succeeds again, and retried every
 * RETRY_MS, at the next change or at flush: what waits is the latest state, kept in memory.
 */
import type { Logger } from 'pino';

/** How soon a failed write is tried again. */
export const RETRY_MS = 5000;

export interface WriteBehind {
  /** Something changed: write soon, or at once. */
  changed(now?: boolean): void;
  /** Writes what is pending, and waits for it. */
  flush(): Promise<void>;
}

export interface WriteBehindOptions {
  delayMs: number;
  logger: Logger;
  /** What is written, for the logs (`sessions`, `open alerts`). */
  what: string;
  /** Logged (error) when a write fails: what a restart would then get wrong. */
  failure: string;
  /** How soon a failed write is tried again (default RETRY_MS). */
  retryMs?: number;
}

export function writeBehind(write: () => Promise<void>, options: WriteBehindOptions): WriteBehind {
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let pending = false;
  let failing = false;
  /** A write takes the state as it is when it begins, so one waiting write is enough. */
  let queued = false;
  const run = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (queued) return writing;
    queued = true;
    writing = writing
      .then(() => {
        queued = false;
        pending = false;
        return write();
      })
      .then(
        () => {
          if (failing) options.logger.info(`${options.what} saved again`);
          failing = false;
        },
        (error: unknown) => {
          pending = true;
          timer ??= setTimeout(run, options.retryMs ?? RETRY_MS);
          timer.unref();
          if (!failing) options.logger.error({ err: (error as Error).message }, `${options.what.toUpperCase()} NOT SAVED: ${options.failure}`);
          failing = true;
        },
      );
    return writing;
  };
  return {
    changed(now = false) {
      pending = true;
      if (now) void run();
      else timer ??= setTimeout(run, options.delayMs);
    },
    flush: () => (pending || timer ? run() : writing),
  };
}
