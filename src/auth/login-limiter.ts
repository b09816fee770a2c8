/**
 * Login brute-force limit: failed attempts are counted per (user, client address) and per
 * client address in a sliding window; over the limit, logins from there are refused until
 * the window has passed. A success clears the (user, address) count. Memory is bounded.
 */
export interface LoginLimits {
  windowMs: number;
  /** Failures per user and address. */
  perUser: number;
  /** Failures per address, whatever the user. */
  perAddress: number;
  /** Keys tracked at most (oldest forgotten first). */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 5, perAddress: 30, maxKeys: 50_000 };

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limits: LoginLimits;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed now. */
  retryAfterSec(user: string, address: string, now: number): number {
    const wait = Math.max(
      this.#wait(`u:${user}|${address}`, this.#limits.perUser, now),
      this.#wait(`a:${address}`, this.#limits.perAddress, now),
    );
    return Math.ceil(wait / 1000);
  }

  failed(user: string, address: string, now: number): void {
    this.#add(`u:${user}|${address}`, now);
    this.#add(`a:${address}`, now);
  }

  succeeded(user: string, address: string): void {
    this.#failures.delete(`u:${user}|${address}`);
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.#limits.windowMs);
    if (times.length) this.#failures.set(key, times);
    else this.#failures.delete(key);
    return times;
  }

  #wait(key: string, limit: number, now: number): number {
    const times = this.#recent(key, now);
    return times.length >= limit ? times[times.length - limit]! + this.#limits.windowMs - now : 0;
  }

  #add(key: string, now: number): void {
    const times = this.#recent(key, now);
    this.#failures.delete(key);
    this.#failures.set(key, [...times, now].slice(-Math.max(this.#limits.perUser, this.#limits.perAddress)));
    if (this.#failures.size > this.#limits.maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }
}
