/**
 * Assembly of access (design.md §8): the logins (kept in the database, looked up in memory),
 * sessions that survive a restart, the login limiter and the second factor (TOTP, `MFA`).
 */
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import type { AccessDeps } from '../api/api.types.ts';
import type { SessionsRepo, UsersRepo } from '../state/state.types.ts';
import type { WriteBehind } from '../util/write-behind.ts';
import type { UsersStore } from './users.store.ts';
import { Sessions } from './sessions.ts';
import { keepSessions } from './sessions.keeper.ts';
import { LoginLimiter } from './login-limiter.ts';
import { MfaService } from './mfa.service.ts';
import { openSecretBox } from './mfa-secret.box.ts';

export interface AccessStage {
  deps: AccessDeps;
  /** Sessions written behind their changes: flushed at stop. */
  keptSessions: WriteBehind;
}

export async function createAccessStage(config: HubConfig, users: UsersStore, sessionsRepo: SessionsRepo, logger: Logger, usersRepo?: UsersRepo): Promise<AccessStage> {
  const sessions = new Sessions({ idleMs: config.auth.sessionIdleMs, absoluteMs: 7 * 86_400_000, maxPerUser: 20 });
  // Sessions survive a restart, so a phone stays logged in; those of logins gone or disabled are dropped.
  // TOTP secrets are sealed with DATA_DIR/mfa.key (made at the first start, 0600).
  const box = usersRepo ? await openSecretBox(config.dataDir) : undefined;
  if (box?.problem) logger.warn({ stage: 'auth', problem: box.problem }, `two-factor login is unavailable: ${box.problem}`);
  const keptSessions = await keepSessions(sessions, sessionsRepo, { now: Date.now(), isUser: (id) => users.get(id) !== undefined, logger: logger.child({ stage: 'auth' }) });
  return {
    deps: {
      users,
      sessions,
      limiter: new LoginLimiter(),
      cookieSecure: config.auth.cookieSecure,
      sessionIdleMs: config.auth.sessionIdleMs,
      metricsToken: config.auth.metricsToken,
      mfa: usersRepo && box ? await MfaService.load(usersRepo, box, config.auth.mfa) : undefined,
    },
    keptSessions,
  };
}
