/**
 * Sessions on several instances (docs/access.md "Logins on several instances"): the database is
 * the truth, each instance's memory a cache of it (sessions.ts). Here: how a token this instance
 * does not know is looked up in the database, bounded so that a flood of made-up tokens does not
 * become a flood of queries; and the bus message `sessions-ended` that makes a session ended on
 * one instance stop working on every other at once.
 *
 * - A lookup costs one query by primary key; the same digest asked twice at once is asked once.
 *   At most LOOKUP_BURST lookups at once, refilled at LOOKUP_PER_SECOND (an instance that took
 *   over the phones of one that died has a burst to serve; an attacker gets a trickle). Beyond
 *   that a token unknown here is refused without a query (401: the client may try again).
 * - A digest the database did not have is not asked again for MISS_MS (a stale cookie polled).
 * - A session ended (here or elsewhere) is not taken back from the database for ENDED_MS, should
 *   its row still be there (the delete is on its way): nobody resurrects an ended session; after
 *   that the row is gone. And a touch is written as an update that never inserts (sessions.keeper.ts).
 */
import type { Logger } from 'pino';
import type { ClusterBus } from '../cluster/cluster.bus.ts';
import type { SessionsRepo } from '../state/state.types.ts';
import { SESSIONS_WRITE_DELAY_MS } from './sessions.keeper.ts';
import type { Session, SessionPeers, Sessions } from './sessions.ts';

export const LOOKUP_BURST = 1000;
export const LOOKUP_PER_SECOND = 100;
export const MISS_MS = 5000;
export const ENDED_MS = 60_000;
const MAX_MISSES = 10_000;
const MAX_ENDED = 100_000;

/** Ids remembered for a while, at most `max` (the oldest forgotten first). */
class RecentIds {
  readonly #until = new Map<string, number>();
  constructor(
    readonly ttlMs: number,
    readonly max: number,
  ) {}

  add(id: string, now: number): void {
    this.#until.delete(id);
    this.#until.set(id, now + this.ttlMs);
    for (const [old, until] of this.#until) {
      if (this.#until.size <= this.max && until > now) break;
      this.#until.delete(old);
    }
  }

  has(id: string, now: number): boolean {
    const until = this.#until.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(id);
    return false;
  }
}

export interface SharedSessionsOptions {
  /** Whether a login exists and may log in (a session of one that may not is not taken). */
  isUser: (userId: string) => boolean;
  logger: Logger;
  /** The clock of the lookup budget and the caches (tests move it). */
  clock?: () => number;
}

/** Makes `sessions` one of several instances' over `repo`, telling and told over `bus`. */
export function shareSessions(sessions: Sessions, repo: SessionsRepo, bus: ClusterBus, options: SharedSessionsOptions): SessionPeers {
  const clock = options.clock ?? Date.now;
  const misses = new RecentIds(MISS_MS, MAX_MISSES);
  const ended = new RecentIds(ENDED_MS, MAX_ENDED);
  const asking = new Map<string, Promise<Session | undefined>>();
  let tokens = LOOKUP_BURST;
  let filledAt = clock();
  let refusedSince = 0;

  const take = (): boolean => {
    const now = clock();
    tokens = Math.min(LOOKUP_BURST, tokens + ((now - filledAt) / 1000) * LOOKUP_PER_SECOND);
    filledAt = now;
    if (tokens < 1) {
      if (!refusedSince++) options.logger.warn({ perSecond: LOOKUP_PER_SECOND }, 'too many tokens unknown here: some are refused without asking the database');
      return false;
    }
    refusedSince = 0;
    tokens -= 1;
    return true;
  };

  const ask = async (id: string, now: number): Promise<Session | undefined> => {
    let found: Session | undefined;
    try {
      [found] = await repo.find([id]);
    } catch (error) {
      options.logger.warn({ err: (error as Error).message }, 'a session could not be looked up in the database: refused');
      return undefined;
    }
    if (found && found.expiresAt > now && options.isUser(found.userId) && !ended.has(id, clock())) return found;
    misses.add(id, clock());
    return undefined;
  };

  const peers: SessionPeers = {
    graceMs: SESSIONS_WRITE_DELAY_MS,
    lookUp(id, now) {
      const t = clock();
      if (ended.has(id, t) || misses.has(id, t)) return Promise.resolve(undefined);
      const already = asking.get(id);
      if (already) return already;
      if (!take()) return Promise.resolve(undefined);
      const asked = ask(id, now).finally(() => asking.delete(id));
      asking.set(id, asked);
      return asked;
    },
    current: (ids) => repo.find(ids),
    store: (session) => repo.save([session]),
    async endUser(userId, except) {
      try {
        const ids = await repo.removeOfUser(userId, except);
        const now = clock();
        for (const id of ids) ended.add(id, now);
        if (ids.length) bus.publish('sessions-ended', { ids });
      } catch (error) {
        options.logger.error({ user: userId, err: (error as Error).message }, 'sessions of a login kept by other instances could not be ended: they end at their expiry or when the database is back');
      }
    },
  };

  // Sessions ended here are told to the others at once (one message for those ended together).
  let told: string[] = [];
  sessions.onEnded((session, how) => {
    ended.add(session.id, clock());
    if (how !== 'ended') return;
    if (!told.length) {
      queueMicrotask(() => {
        const ids = told;
        told = [];
        bus.publish('sessions-ended', { ids });
      });
    }
    told.push(session.id);
  });
  bus.on('sessions-ended', ({ ids }) => {
    if (!Array.isArray(ids)) return;
    const now = clock();
    for (const id of ids) ended.add(id, now);
    sessions.drop(ids);
  });
  sessions.share(peers);
  return peers;
}
