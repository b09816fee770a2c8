/**
 * Seeded pseudo-random numbers (mulberry32) and the few distributions the behaviours
 * need. Every simulation is reproducible from its seed: nothing in `simulators/` calls
 * Math.random.
 */
export type Rng = () => number;

/** mulberry32: a 32-bit state, uniform floats in [0, 1). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A stable 32-bit seed from a label (a device key, a stream name) and a run seed (FNV-1a),
 * so each device and each purpose draws from its own independent stream.
 */
export function seedFrom(label: string, seed: number): number {
  let h = (2_166_136_261 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 16_777_619) >>> 0;
  // Final avalanche so that neighbouring labels give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** A new generator for `label`, derived from a run seed. */
export const streamFor = (label: string, seed: number): Rng => createRng(seedFrom(label, seed));

export const between = (rng: Rng, min: number, max: number): number => min + rng() * (max - min);
/** A whole number in [min, max], both included. */
export const intBetween = (rng: Rng, min: number, max: number): number => Math.floor(between(rng, min, max + 1));
export const chance = (rng: Rng, p: number): boolean => rng() < p;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: no items');
  return items[Math.floor(rng() * items.length)]!;
}

/** Picks by weight: `[['car', 5], ['ebike', 2]]`. */
export function weighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Exponentially distributed waiting time with the given mean (Poisson arrivals). */
export const exponential = (rng: Rng, mean: number): number => -mean * Math.log(1 - rng());

/** Standard normal deviate (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
export const round = (value: number, digits: number): number => Number(value.toFixed(digits));
