import { describe, expect, it } from 'vitest';
import { createRng, exponential, intBetween, pick, seedFrom, streamFor, weighted } from './prng.ts';

const draw = (rng: () => number, n = 1000) => Array.from({ length: n }, rng);

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draw(createRng(42))).toEqual(draw(createRng(42)));
    expect(draw(createRng(42))).not.toEqual(draw(createRng(43)));
    // A known value pins the algorithm: a changed generator changes every recorded run.
    expect(createRng(1)()).toBeCloseTo(0.6270739405881613, 15);
  });

  it('draws uniformly in [0, 1)', () => {
    const values = draw(createRng(7), 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const buckets = Array.from({ length: 10 }, (_, b) => values.filter((v) => Math.floor(v * 10) === b).length);
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('derives independent streams from labels', () => {
    expect(seedFrom('c01/elevator/elev-01', 1)).toBe(seedFrom('c01/elevator/elev-01', 1));
    expect(seedFrom('c01/elevator/elev-01', 1)).not.toBe(seedFrom('c01/elevator/elev-02', 1));
    expect(seedFrom('c01/elevator/elev-01', 1)).not.toBe(seedFrom('c01/elevator/elev-01', 2));
    expect(draw(streamFor('a', 1), 10)).not.toEqual(draw(streamFor('b', 1), 10));
  });

  it('has helpers that stay in range', () => {
    const rng = createRng(3);
    const ints = Array.from({ length: 2000 }, () => intBetween(rng, -2, 2));
    expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(new Set(Array.from({ length: 200 }, () => pick(rng, ['a', 'b'])))).toEqual(new Set(['a', 'b']));
    const picks = Array.from({ length: 5000 }, () => weighted(rng, [['x', 9], ['y', 1]] as const));
    expect(picks.filter((p) => p === 'y').length).toBeGreaterThan(350);
    expect(picks.filter((p) => p === 'y').length).toBeLessThan(650);
    const waits = Array.from({ length: 20_000 }, () => exponential(rng, 100));
    expect(waits.every((w) => w >= 0)).toBe(true);
    expect(waits.reduce((a, b) => a + b, 0) / waits.length).toBeGreaterThan(95);
    expect(waits.reduce((a, b) => a + b, 0) / waits.length).toBeLessThan(105);
  });
});
