/**
 * Abuse limits of resident reports (随手拍): token buckets per client address (an IPv6 /64 counts
 * as one) and per building, refilled evenly over the window (REPORTS_PER_ADDRESS_PER_HOUR,
 * REPORTS_PER_BUILDING_PER_HOUR of src/contracts/reports.ts). `take` checks both buckets and takes
 * from both in one synchronous call, so concurrent requests in the one process cannot race past a
 * limit. At most `maxKeys` buckets of each kind are remembered (the oldest forgotten: a full bucket
 * again, which only forgives).
 */
import { addressKey } from '../broker/address-limits.ts';
import { REPORTS_PER_ADDRESS_PER_HOUR, REPORTS_PER_BUILDING_PER_HOUR } from '../contracts/reports.ts';

export interface ReportLimitSettings {
  perAddress: number;
  perBuilding: number;
  /** Over how long each bucket refills from empty. */
  windowMs: number;
  maxKeys: number;
}

export const REPORT_LIMITS: ReportLimitSettings = { perAddress: REPORTS_PER_ADDRESS_PER_HOUR, perBuilding: REPORTS_PER_BUILDING_PER_HOUR, windowMs: 3_600_000, maxKeys: 10_000 };

export type ReportLimitAnswer = { ok: true } | { ok: false; limit: 'address' | 'building'; retryAfterSec: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** One kind of bucket (addresses, or buildings). */
class Buckets {
  readonly #map = new Map<string, Bucket>();
  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** The bucket refilled up to `now` (not stored). */
  peek(key: string, now: number): Bucket {
    const b = this.#map.get(key);
    if (!b) return { tokens: this.capacity, at: now };
    const refill = ((now - b.at) / this.windowMs) * this.capacity;
    return { tokens: Math.min(this.capacity, b.tokens + Math.max(0, refill)), at: now };
  }

  /** Seconds until one whole token is there. */
  waitSec(bucket: Bucket): number {
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * this.windowMs) / this.capacity / 1000));
  }

  take(key: string, bucket: Bucket): void {
    this.#map.delete(key);
    if (this.#map.size >= this.maxKeys) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, { tokens: bucket.tokens - 1, at: bucket.at });
  }
}

export class ReportLimiter {
  readonly #addresses: Buckets;
  readonly #buildings: Buckets;

  constructor(
    settings: ReportLimitSettings = REPORT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.#addresses = new Buckets(settings.perAddress, settings.windowMs, settings.maxKeys);
    this.#buildings = new Buckets(settings.perBuilding, settings.windowMs, settings.maxKeys);
  }

  /** Takes one report from the address's and the building's buckets, or neither when either is empty. */
  take(address: string, compound: string, building: string): ReportLimitAnswer {
    const at = this.now();
    const addressId = addressKey(address);
    const buildingId = `${compound}\u0000${building}`;
    const a = this.#addresses.peek(addressId, at);
    if (a.tokens < 1) return { ok: false, limit: 'address', retryAfterSec: this.#addresses.waitSec(a) };
    const b = this.#buildings.peek(buildingId, at);
    if (b.tokens < 1) return { ok: false, limit: 'building', retryAfterSec: this.#buildings.waitSec(b) };
    this.#addresses.take(addressId, a);
    this.#buildings.take(buildingId, b);
    return { ok: true };
  }
}
