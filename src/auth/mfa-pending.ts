/**
 * Logins half done: the password was right, the second factor is still to come. Each is a random
 * token (the `ch_mfa` cookie, 5 minutes), known here only by its SHA-256, bound to one login. It
 * opens nothing but `POST /api/auth/login/mfa`; a completed login ends it. Kept in memory: a
 * restart asks for the password again.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The cookie of a half-done login (HttpOnly, SameSite=Strict, Path=/api/auth/login). */
export const MFA_PENDING_COOKIE = 'ch_mfa';
export const MFA_PENDING_MS = 5 * 60_000;
/** Half-done logins kept at most (the oldest are forgotten first). */
const MAX_PENDING = 10_000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class PendingLogins {
  readonly #byDigest = new Map<string, { userId: string; expiresAt: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = MFA_PENDING_MS) {
    this.#ttlMs = ttlMs;
  }

  create(userId: string, now: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.#ttlMs;
    this.#byDigest.set(digest(token), { userId, expiresAt });
    for (const [key, entry] of this.#byDigest) {
      if (this.#byDigest.size <= MAX_PENDING && entry.expiresAt > now) break;
      this.#byDigest.delete(key);
    }
    return { token, expiresAt };
  }

  /** The login a live token belongs to. */
  userOf(token: string | undefined, now: number): string | undefined {
    if (!token || token.length > 100) return undefined;
    const entry = this.#byDigest.get(digest(token));
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.#byDigest.delete(digest(token));
      return undefined;
    }
    return entry.userId;
  }

  end(token: string | undefined): void {
    if (token) this.#byDigest.delete(digest(token));
  }

  /** Ends every half-done login of a user (MFA reset or disabled, password changed). */
  endUser(userId: string): void {
    for (const [key, entry] of this.#byDigest) if (entry.userId === userId) this.#byDigest.delete(key);
  }
}
