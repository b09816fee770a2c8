/**
 * Sessions survive a restart, so a phone stays logged in: kept in the operational database
 * (SessionsRepo) with only what identifies and limits each one: the SHA-256 of its token (never
 * the token), the user, when it began and when it ends. Written behind the changes: at most
 * once a second for logins and requests (they push idle expiries forward), at once when a
 * session ends (a logout, a password change, a disabled login), and on stop.
 *
 * A session already kept is written as an update of its expiry that never inserts: a session
 * ended meanwhile by another instance of a cluster is not brought back, and it is dropped here
 * (its row is gone). Sessions the database has as they are (`kept`: written at a login on
 * several instances, or taken from it) and those dropped (ended elsewhere) are not written.
 */
import type { Logger } from 'pino';
import type { SessionsRepo } from '../state/state.types.ts';
import { writeBehind, type WriteBehind } from '../util/write-behind.ts';
import type { Session, Sessions } from './sessions.ts';

/** Longest a login or a request waits before it is written (changes in between are written together). */
export const SESSIONS_WRITE_DELAY_MS = 1000;

/**
 * Gives `sessions` back what the database kept (those over, and those of users no longer able to
 * log in, are dropped, and removed from the database), then keeps every change there.
 */
export async function keepSessions(
  sessions: Sessions,
  repo: SessionsRepo,
  options: { now: number; isUser: (userId: string) => boolean; logger: Logger; delayMs?: number },
): Promise<WriteBehind> {
  const stored = await repo.list();
  sessions.restore(stored.filter((s) => options.isUser(s.userId)), options.now);
  const gone = stored.filter((s) => s.expiresAt > options.now && !options.isUser(s.userId)).length;
  if (gone) options.logger.info({ sessions: gone }, 'sessions of logins that are gone or disabled dropped');

  /** What the database has, as far as this instance knows. */
  const saved = new Map<string, Session>(stored.map((s) => [s.id, s]));
  const kept = writeBehind(
    async () => {
      const current = new Map(sessions.list().map((s) => [s.id, s]));
      const changed = [...current.values()].filter((s) => saved.get(s.id)?.expiresAt !== s.expiresAt);
      const added = changed.filter((s) => !saved.has(s.id));
      const touched = changed.filter((s) => saved.has(s.id));
      const ended = [...saved.keys()].filter((id) => !current.has(id));
      if (added.length) await repo.save(added);
      const endedElsewhere = await repo.touch(touched);
      if (ended.length) await repo.remove(ended);
      for (const s of changed) saved.set(s.id, s);
      for (const id of ended) saved.delete(id);
      if (endedElsewhere.length) sessions.drop(endedElsewhere);
    },
    {
      delayMs: options.delayMs ?? SESSIONS_WRITE_DELAY_MS,
      logger: options.logger,
      what: 'sessions',
      failure: 'a restart would log out or keep logged in what changed since',
    },
  );
  sessions.onChange((change, changed) => {
    if (change === 'kept') for (const s of changed) saved.set(s.id, { ...s });
    else if (change === 'dropped') for (const s of changed) saved.delete(s.id);
    else kept.changed(change === 'ended');
  });
  // What was not taken back is removed now.
  if (saved.size !== sessions.size) kept.changed(true);
  return kept;
}
