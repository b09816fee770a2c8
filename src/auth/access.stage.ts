/**
 * Assembly of access (design.md §8): the logins (kept in the database, looked up in memory),
 * sessions that survive a restart, the login limiter and the second factor (TOTP, `MFA`).
 * On several instances (`cluster`, CLUSTER=on) logins hold on every instance: docs/access.md
 * "Logins on several instances".
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import type { AccessDeps } from '../api/api.types.ts';
import type { ClusterBus } from '../cluster/cluster.bus.ts';
import type { SessionsRepo, UsersRepo } from '../state/state.types.ts';
import type { WriteBehind } from '../util/write-behind.ts';
import type { UsersStore } from './users.store.ts';
import { Sessions } from './sessions.ts';
import { keepSessions } from './sessions.keeper.ts';
import { shareSessions } from './sessions.shared.ts';
import { LoginLimiter } from './login-limiter.ts';
import { MfaService } from './mfa.service.ts';
import { MFA_KEY_FILE, openSecretBox } from './mfa-secret.box.ts';
import { checkSharedKey } from './mfa-key.check.ts';

export interface AccessStage {
  deps: AccessDeps;
  /** Sessions written behind their changes: flushed at stop. */
  keptSessions: WriteBehind;
}

/** An instance of a cluster (given only when CLUSTER=on): what its logins share with the other instances. */
export interface AccessCluster {
  bus: ClusterBus;
}

export async function createAccessStage(config: HubConfig, users: UsersStore, sessionsRepo: SessionsRepo, logger: Logger, usersRepo?: UsersRepo, cluster?: AccessCluster): Promise<AccessStage> {
  const log = logger.child({ stage: 'auth' });
  const sessions = new Sessions({ idleMs: config.auth.sessionIdleMs, absoluteMs: 7 * 86_400_000, maxPerUser: 20 });
  const isUser = (id: string) => users.get(id) !== undefined;
  // Sessions survive a restart, so a phone stays logged in: those of logins gone or disabled are dropped.
  const keptSessions = await keepSessions(sessions, sessionsRepo, { now: Date.now(), isUser, logger: log });
  const limiter = new LoginLimiter();
  // TOTP secrets are sealed with DATA_DIR/mfa.key (made at the first start, 0600): the same file on every instance.
  let box = usersRepo ? await openSecretBox(config.dataDir) : undefined;
  if (cluster) {
    // A password or a hold changed through another instance: logins and holds are read from the database.
    users.readThrough();
    shareSessions(sessions, sessionsRepo, cluster.bus, { isUser, logger: log });
    limiter.share(sessionsRepo, (error) => log.warn({ err: error.message }, 'a login attempt was not settled in the database: the account keeps the charge'));
    if (box) box = await checkSharedKey(box, sessionsRepo, path.join(config.dataDir, MFA_KEY_FILE), log);
  }
  if (box?.problem) log.warn({ problem: box.problem }, `two-factor login is unavailable: ${box.problem}`);
  return {
    deps: {
      users,
      sessions,
      limiter,
      cookieSecure: config.auth.cookieSecure,
      sessionIdleMs: config.auth.sessionIdleMs,
      metricsToken: config.auth.metricsToken,
      mfa: usersRepo && box ? await MfaService.load(usersRepo, box, config.auth.mfa, sessionsRepo) : undefined,
    },
    keptSessions,
  };
}
