/**
 * The audit log (design.md §8): who did what, from where, when; before → after for changes.
 * Recording never holds up the action it records: entries are appended to the operational
 * database in order, one write at a time; a failed write is logged (error) and counted, and the
 * entries still waiting are written at stop (`flush`).
 */
import type { Logger } from 'pino';
import type { AuditEntry, AuditRepo } from '../state/state.types.ts';

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

/** Who is acting on a request: the logged-in user (or the login tried) and the client address. */
export interface AuditActor {
  actor: string;
  actorName?: string | undefined;
  address?: string | undefined;
}

export interface AuditLog {
  record(entry: AuditRecord): void;
  /** Waits until every entry recorded so far is written. */
  flush(): Promise<void>;
  /** Entries that could not be written since start. */
  readonly failed: number;
}

export function createAuditLog(repo: AuditRepo, logger: Logger, now: () => number = Date.now): AuditLog {
  let writing: Promise<void> = Promise.resolve();
  let failed = 0;
  return {
    record(entry) {
      const full: Omit<AuditEntry, 'id'> = stripUndefined({ ...entry, at: entry.at ?? now() });
      writing = writing.then(
        () =>
          repo.append(full).then(
            () => undefined,
            (error: unknown) => {
              failed += 1;
              logger.error({ stage: 'audit', err: (error as Error).message, action: full.action, actor: full.actor }, 'AUDIT ENTRY NOT WRITTEN');
            },
          ),
      );
    },
    flush: () => writing,
    get failed() {
      return failed;
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
