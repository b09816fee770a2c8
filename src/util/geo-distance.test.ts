import { describe, expect, it } from 'vitest';
import { distanceM } from './geo-distance.ts';

describe('distanceM', () => {
  it('is zero for one point and symmetric', () => {
    const p = { lat: 30.2905, lon: 120.1229 };
    expect(distanceM(p, p)).toBe(0);
    const q = { lat: 30.2878, lon: 120.1262 };
    expect(distanceM(p, q)).toBeCloseTo(distanceM(q, p), 9);
  });

  it('measures a degree of latitude as about 111.2 km and a quarter meridian as about 10,008 km', () => {
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, 0);
    expect(distanceM({ lat: 0, lon: 120 }, { lat: 90, lon: 120 })).toBeCloseTo(10_007_557, 0);
  });

  it('gives the distance between two Hangzhou compounds and from Xihu to Qiandao Lake', () => {
    // Flat-map check: 0.0027° of latitude = 300.2 m, 0.0033° of longitude × cos 30.29° = 316.8 m: √(300.2² + 316.8²) = 436.4 m.
    expect(Math.round(distanceM({ lat: 30.2905, lon: 120.1229 }, { lat: 30.2878, lon: 120.1262 }))).toBe(436);
    // 0.6853° = 76.2 km south, 1.0808° × cos 29.95° = 104.1 km west: √(76.2² + 104.1²) = 129.0 km.
    expect(Math.round(distanceM({ lat: 30.2905, lon: 120.1229 }, { lat: 29.6052, lon: 119.0421 }) / 1000)).toBe(129);
  });
});
