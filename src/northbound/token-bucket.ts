/** A token bucket per key (a pull token's id): `rate` requests per minute sustained, `burst` at once. Buckets of keys unseen for a while are forgotten. */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;
  readonly #burst: number;

  constructor(ratePerMinute: number, burst: number = ratePerMinute) {
    this.#perMs = ratePerMinute / 60_000;
    this.#burst = burst;
  }

  /** Takes one token; when there is none, the ms until there is one. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 10_000) this.#sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.#perMs) };
  }

  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) if (b.tokens + (now - b.at) * this.#perMs >= this.#burst) this.#buckets.delete(key);
  }
}
