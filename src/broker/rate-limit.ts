/**
 * One device cannot degrade the others: a message budget per device (a token bucket of
 * `burst` messages refilled at `ratePerSec`), kept by device key, so reconnecting does not
 * refill it. Accounting is synchronous: the broker asks at authorisation, packet by packet,
 * and the answer is final before the next packet of any connection is looked at, so
 * concurrent packets (a whole socket read is authorised at once) cannot race past it.
 *
 * - QoS 0 over the budget is dropped (at most once allows it) and counted. Reading a flood costs
 *   the hub as much as taking it, so dropped messages also run up a debt on a second budget of
 *   the same size and rate: once it is spent, the broker reads nothing more from the device
 *   until it is paid back (`pauseMs`; at most burst / rate). A flood then reaches the hub at
 *   about twice the device's rate, half of it taken, the rest dropped; the device's socket and
 *   TCP hold the rest back.
 * - QoS 1 and 2 over the budget wait for it (the device gets its PUBACK later, and the broker
 *   reads nothing more from it meanwhile): a device that would be told "delivered" is never
 *   dropped, only slowed to its rate.
 * - A device that keeps having QoS 0 dropped for `floodDisconnectMs` (no second without a
 *   drop, the pauses the broker imposed aside) is a persistent offender: its connection is ended.
 */

export interface RateLimitSettings {
  /** Sustained messages per second per device. */
  ratePerSec: number;
  /** Messages a device may send at once above its rate (a modem flushing its buffer). */
  burst: number;
  /** A device dropping messages this long without a pause is disconnected; undefined: never. */
  floodDisconnectMs?: number;
}

/** What happens to a QoS 0 message; a dropped one also says how long to read nothing more from the device. */
export type Verdict = { verdict: 'pass' } | { verdict: 'drop' | 'disconnect'; pauseMs: number };

interface Bucket {
  tokens: number;
  /** The budget dropped messages are read on; below 0 the device's reading pauses. */
  readTokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  /** Start of the current run of drops (no second without one, not counting pauses), if in one. */
  floodSince?: number;
  /** The last drop, or the end of the pause it caused if later: silence counts from then. */
  quietFrom: number;
}

/** A gap this long without a drop ends a flood. */
const FLOOD_GAP_MS = 1000;

export class DeviceRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly settings: RateLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A QoS 0 message of `key`: passes if the budget has a message left, else is dropped. */
  take(key: string): Verdict {
    const now = this.now();
    const { ratePerSec, burst } = this.settings;
    const bucket = this.#refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (bucket.floodSince !== undefined && now - bucket.quietFrom >= FLOOD_GAP_MS) bucket.floodSince = undefined;
      return { verdict: 'pass' };
    }
    if (bucket.floodSince === undefined || now - bucket.quietFrom >= FLOOD_GAP_MS) bucket.floodSince = now;
    bucket.readTokens = Math.max(-burst, bucket.readTokens - 1);
    const pauseMs = bucket.readTokens >= 0 ? 0 : (-bucket.readTokens * 1000) / ratePerSec;
    bucket.quietFrom = Math.max(bucket.quietFrom, now + pauseMs);
    const limit = this.settings.floodDisconnectMs;
    if (limit !== undefined && now - bucket.floodSince >= limit) {
      // The next connection gets a new grace period; the budget stays spent.
      bucket.floodSince = undefined;
      return { verdict: 'disconnect', pauseMs };
    }
    return { verdict: 'drop', pauseMs };
  }

  /**
   * A QoS 1/2 message of `key`: takes a message of the budget, borrowing against the future
   * if it is spent; returns how many milliseconds to hold the message (0: none).
   */
  reserve(key: string): number {
    const now = this.now();
    const bucket = this.#refill(key, now);
    bucket.tokens -= 1;
    return bucket.tokens >= 0 ? 0 : (-bucket.tokens * 1000) / this.settings.ratePerSec;
  }

  /** Devices with a budget kept (tests). */
  get size(): number {
    return this.#buckets.size;
  }

  #refill(key: string, now: number): Bucket {
    const { ratePerSec, burst } = this.settings;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, readTokens: burst, at: now, quietFrom: -Infinity };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    if (now > bucket.at) {
      const refill = ((now - bucket.at) * ratePerSec) / 1000;
      bucket.tokens = Math.min(burst, bucket.tokens + refill);
      bucket.readTokens = Math.min(burst, bucket.readTokens + refill);
      bucket.at = now;
    }
    return bucket;
  }
}
