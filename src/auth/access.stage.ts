/**
 * Assembly of access (design.md §8): the logins (kept in the database, looked up in memory),
 * sessions that survive a restart, and the login limiter.
 */
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import type { AccessDeps } from '../api/api.types.ts';
import type { SessionsRepo } from '../state/state.types.ts';
import type { WriteBehind } from '../util/write-behind.ts';
import type { UsersStore } from './users.store.ts';
import { Sessions } from './sessions.ts';
import { keepSessions } from './sessions.keeper.ts';
import { LoginLimiter } from './login-limiter.ts';

export interface AccessStage {
  deps: AccessDeps;
  /** Sessions written behind their changes: flushed at stop. */
  keptSessions: WriteBehind;
}

export async function createAccessStage(config: HubConfig, users: UsersStore, sessionsRepo: SessionsRepo, logger: Logger): Promise<AccessStage> {
  const sessions = new Sessions({ idleMs: config.auth.sessionIdleMs, absoluteMs: 7 * 86_400_000, maxPerUser: 20 });
  // Sessions survive a restart, so a phone stays logged in; those of logins gone or disabled are dropped.
  const keptSessions = await keepSessions(sessions, sessionsRepo, { now: Date.now(), isUser: (id) => users.get(id) !== undefined, logger: logger.child({ stage: 'auth' }) });
  return {
    deps: {
      users,
      sessions,
      limiter: new LoginLimiter(),
      cookieSecure: config.auth.cookieSecure,
      sessionIdleMs: config.auth.sessionIdleMs,
      metricsToken: config.auth.metricsToken,
    },
    keptSessions,
  };
}
