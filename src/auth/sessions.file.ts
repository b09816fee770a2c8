/**
 * Sessions survive a restart, so a phone stays logged in: kept in DATA_DIR/sessions.json
 * (mode 0600) with only what identifies and limits each one: the SHA-256 of its token (never
 * the token), the user, when it began and when it ends. The file is rewritten atomically, at
 * most once a second for logins and requests (they push idle expiries forward), at once when a
 * session ends (a logout, a password change), and on stop. At start, sessions that are over,
 * and those of users no longer in the users file, are dropped; a broken or unreadable file is
 * reported and set aside (everyone logs in again; it is replaced at the next change).
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readStateFile } from '../util/state-file.ts';
import type { Session, Sessions } from './sessions.ts';

/** Longest a login or a request waits before the file is rewritten (changes in between are written together). */
export const SESSIONS_WRITE_DELAY_MS = 1000;

const storedSession = z.strictObject({
  id: z.string().min(1).max(100),
  userId: z.string().min(1).max(200),
  createdAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
});

const sessionsFileSchema = z.strictObject({
  version: z.literal(1),
  sessions: z.array(storedSession),
});

/** The sessions kept in `file` that are not over at `now` and whose user is still known; none when there is no usable file. */
export async function loadSessions(file: string, options: { now: number; isUser: (userId: string) => boolean }, logger: Logger): Promise<Session[]> {
  const stored = (await readStateFile(file, sessionsFileSchema, logger, 'sessions', 'SESSIONS NOT RESTORED'))?.sessions ?? [];
  const kept = stored.filter((s) => s.expiresAt > options.now && options.isUser(s.userId));
  const gone = stored.filter((s) => s.expiresAt > options.now && !options.isUser(s.userId)).length;
  if (gone) logger.info({ file, sessions: gone }, 'sessions of users no longer in the users file dropped');
  return kept;
}

/** The file's text for these sessions. */
export function sessionsText(sessions: readonly Session[]): string {
  const stored = sessions.map(({ id, userId, createdAt, expiresAt }) => ({ id, userId, createdAt, expiresAt }));
  return `${JSON.stringify({ version: 1, sessions: stored })}\n`;
}

export interface KeptSessions {
  /** Writes what changed since the last write, and waits for it (at stop). */
  flush(): Promise<void>;
}

/** Rewrites `file` after changes of `sessions` (see the module comment), one write at a time. A failed write is logged once, retried at the next change. */
export function keepSessions(sessions: Sessions, file: string, logger: Logger, delayMs = SESSIONS_WRITE_DELAY_MS): KeptSessions {
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  /** A write waits for the one before it: it takes the sessions as they are when it begins, so one waiting write is enough. */
  let queued = false;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queued) return writing;
    queued = true;
    writing = writing
      .then(() => {
        queued = false;
        return writeFileAtomic(file, sessionsText(sessions.list()), 0o600);
      })
      .then(
        () => {
          if (failing) logger.info({ file }, 'sessions saved again');
          failing = false;
        },
        (error: unknown) => {
          if (!failing) logger.error({ err: (error as Error).message, file }, 'sessions not saved: a restart would log out or keep logged in what changed since');
          failing = true;
        },
      );
    return writing;
  };
  sessions.onChange((change) => {
    // An ended session is written at once: a logout must hold even if the hub is killed right after.
    if (change === 'ended') void write();
    else timer ??= setTimeout(write, delayMs);
  });
  return {
    flush: () => (timer ? write() : writing),
  };
}
