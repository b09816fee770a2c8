/**
 * The audit log (design.md §8): who did what, from where, when; before → after for changes.
 * Recording never holds up the action it records: entries are appended to the operational
 * database in order, one write at a time. While the database cannot take them (gone away), they
 * wait in order, bounded, and are tried again every RETRY_MS and at stop (`flush`); beyond the
 * bound the oldest waiting are dropped, counted in `failed` and logged.
 */
import type { Logger } from 'pino';
import type { AuditEntry, AuditRepo } from '../state/state.types.ts';
import { RETRY_MS } from '../util/write-behind.ts';

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

/** Who is acting on a request: the logged-in user (or the login tried) and the client address. */
export interface AuditActor {
  actor: string;
  actorName?: string | undefined;
  address?: string | undefined;
}

export interface AuditLog {
  record(entry: AuditRecord): void;
  /** Tries to write every entry recorded so far, and waits for that. */
  flush(): Promise<void>;
  /** Entries lost since start (dropped while the database was away longer than the bound allows). */
  readonly failed: number;
  /** Entries recorded and not written yet. */
  readonly waiting: number;
}

/** Entries that may wait for the database. */
export const AUDIT_WAITING_MAX = 10_000;

export function createAuditLog(repo: AuditRepo, logger: Logger, now: () => number = Date.now, options: { retryMs?: number; maxWaiting?: number } = {}): AuditLog {
  const waiting: Array<Omit<AuditEntry, 'id'>> = [];
  const maxWaiting = options.maxWaiting ?? AUDIT_WAITING_MAX;
  let writing: Promise<void> = Promise.resolve();
  let busy = false;
  let failed = 0;
  let failing = false;
  let retry: NodeJS.Timeout | undefined;

  const drain = (): Promise<void> => {
    if (busy) return writing;
    busy = true;
    writing = (async () => {
      while (waiting.length) {
        try {
          await repo.append(waiting[0]!);
          waiting.shift();
          if (failing) logger.info({ stage: 'audit' }, 'audit entries written again');
          failing = false;
        } catch (error) {
          if (!failing) logger.error({ stage: 'audit', err: (error as Error).message, waiting: waiting.length }, 'AUDIT ENTRIES NOT WRITTEN: they wait and are tried again');
          failing = true;
          retry ??= setTimeout(() => {
            retry = undefined;
            void drain();
          }, options.retryMs ?? RETRY_MS);
          retry.unref();
          break;
        }
      }
      busy = false;
    })();
    return writing;
  };

  return {
    record(entry) {
      waiting.push(stripUndefined({ ...entry, at: entry.at ?? now() }));
      if (waiting.length > maxWaiting) {
        const dropped = waiting.splice(0, waiting.length - maxWaiting);
        failed += dropped.length;
        logger.error({ stage: 'audit', dropped: dropped.length, action: dropped[0]!.action, at: dropped[0]!.at }, 'AUDIT ENTRIES LOST: the database has been away too long');
      }
      if (!failing) void drain();
    },
    flush: async () => {
      await writing;
      await drain();
    },
    get failed() {
      return failed;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
