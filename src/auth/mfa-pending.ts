/**
 * Logins half done: the password was right, the second factor is still to come. Each is a random
 * token (the `ch_mfa` cookie, 5 minutes), bound to one login and kept in the operational database
 * by its SHA-256 only (mfa_pending, migration 0009): the code step may reach another instance of a
 * cluster than the password step, and a restart does not ask for the password again. It opens
 * nothing but `POST /api/auth/login/mfa`; the login completed takes it (single use: one
 * conditional delete, so two code steps at once complete one login).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionsRepo } from '../state/state.types.ts';

/** The cookie of a half-done login (HttpOnly, SameSite=Strict, Path=/api/auth/login). */
export const MFA_PENDING_COOKIE = 'ch_mfa';
export const MFA_PENDING_MS = 5 * 60_000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
/** What `create` makes: 32 random bytes in base64url; anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type PendingLoginsRepo = Pick<SessionsRepo, 'addPending' | 'pendingUser' | 'takePending' | 'removePendingOf'>;

export class PendingLogins {
  readonly #repo: PendingLoginsRepo;
  readonly #ttlMs: number;

  constructor(repo: PendingLoginsRepo, ttlMs = MFA_PENDING_MS) {
    this.#repo = repo;
    this.#ttlMs = ttlMs;
  }

  async create(userId: string, now: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.#ttlMs;
    await this.#repo.addPending({ id: digest(token), userId, expiresAt }, now);
    return { token, expiresAt };
  }

  /** The login a live token belongs to. */
  async userOf(token: string | undefined, now: number): Promise<string | undefined> {
    if (!token || !TOKEN.test(token)) return undefined;
    return this.#repo.pendingUser(digest(token), now);
  }

  /** Ends a live token for the login it completes: false when it was over, or taken by another request first. */
  async take(token: string | undefined, now: number): Promise<boolean> {
    if (!token || !TOKEN.test(token)) return false;
    return this.#repo.takePending(digest(token), now);
  }

  /** Ends every half-done login of a user (MFA reset or disabled, password changed). */
  endUser(userId: string): Promise<void> {
    return this.#repo.removePendingOf(userId);
  }
}
