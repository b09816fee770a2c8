/**
 * A small bounded cache of building notices: each (compound, building) answer is kept for a
 * few seconds, so a crowd scanning the lift's QR code costs one build per building per TTL.
 * At most `max` entries: the oldest goes first. Only answers that were built are kept (an
 * unknown building throws and is not cached, so made-up paths cannot fill it).
 */
export interface NoticeCacheOptions {
  ttlMs: number;
  max: number;
  now?: () => number;
}

export class NoticeCache<T> {
  readonly #entries = new Map<string, { value: T; until: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: NoticeCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#max = Math.max(1, options.max);
    this.#now = options.now ?? Date.now;
  }

  /** The kept value of `key` while it is fresh, else `make()`'s (kept for the TTL; an error is not kept). */
  get(key: string, make: () => T): T {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry && entry.until > now) return entry.value;
    this.#entries.delete(key);
    const value = make();
    // Room for it: expired entries first, then the oldest (a Map iterates in insertion order).
    if (this.#entries.size >= this.#max) {
      for (const [k, e] of this.#entries) if (e.until <= now) this.#entries.delete(k);
      while (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, until: now + this.#ttlMs });
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
