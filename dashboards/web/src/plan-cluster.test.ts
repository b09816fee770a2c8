import { describe, expect, it } from 'vitest';
import { clusterMarkers, fanOut } from './plan-cluster.ts';

const m = (key: string, x: number, y: number, rank = 5) => ({ key, x, y, rank });

describe('clusterMarkers', () => {
  it('puts markers closer than the radius into one cluster, anchored at the most urgent member', () => {
    const clusters = clusterMarkers([m('a', 30, 30, 5), m('b', 30.4, 30.3, 0), m('c', 60, 60)], 3);
    expect(clusters.map((c) => [c.id, c.members.map((x) => x.key)])).toEqual([['b', ['b', 'a']], ['c', ['c']]]);
    expect(clusters[0]).toMatchObject({ x: 30.4, y: 30.3 });
  });

  it('keeps markers apart once the radius (zoomed in) is smaller than their distance', () => {
    const markers = [m('a', 30, 30), m('b', 32, 30)];
    expect(clusterMarkers(markers, 3)).toHaveLength(1);
    expect(clusterMarkers(markers, 1.5)).toHaveLength(2);
  });

  it('gives every marker exactly one cluster', () => {
    const markers = Array.from({ length: 50 }, (_, i) => m(`k${i}`, (i * 7) % 100, (i * 13) % 100, i % 6));
    const keys = clusterMarkers(markers, 8).flatMap((c) => c.members.map((x) => x.key));
    expect(keys.sort()).toEqual(markers.map((x) => x.key).sort());
  });
});

describe('fanOut', () => {
  it('spreads an opened cluster’s members on a ring, at least `spacing` apart', () => {
    const [cluster] = clusterMarkers([m('a', 50, 50), m('b', 50, 50), m('c', 50.1, 50), m('d', 50, 50.2)], 3);
    const spots = [...fanOut(cluster!, 5).values()];
    expect(spots).toHaveLength(4);
    for (let i = 0; i < spots.length; i += 1) {
      for (let j = i + 1; j < spots.length; j += 1) expect(Math.hypot(spots[i]!.x - spots[j]!.x, spots[i]!.y - spots[j]!.y)).toBeGreaterThanOrEqual(5);
    }
  });
});
