/**
 * Markers that would overlap on the site plan become one cluster: greedy, most urgent first, so a
 * cluster sits where its most urgent member is and says the worst state of its members. `radius`
 * is in plan units (0..100) and shrinks as the plan is zoomed in, so clusters come apart.
 */

export interface PlanMarker {
  key: string;
  x: number;
  y: number;
  /** Lower is more urgent (drawn on top, anchors its cluster). */
  rank: number;
}

export interface PlanCluster<M extends PlanMarker = PlanMarker> {
  /** The anchor member's key: stable while that member stays the most urgent. */
  id: string;
  x: number;
  y: number;
  members: M[];
}

export function clusterMarkers<M extends PlanMarker>(markers: readonly M[], radius: number): Array<PlanCluster<M>> {
  const sorted = [...markers].sort((a, b) => a.rank - b.rank || a.key.localeCompare(b.key));
  const clusters: Array<PlanCluster<M>> = [];
  const r2 = radius * radius;
  // Anchors by grid cell of the radius' size: a marker looks at its cell and the 8 around it only.
  const cells = new Map<string, Array<PlanCluster<M>>>();
  const cell = (v: number) => Math.floor(v / radius);
  for (const m of sorted) {
    const cx = cell(m.x);
    const cy = cell(m.y);
    let near: PlanCluster<M> | undefined;
    for (let dx = -1; dx <= 1 && !near; dx += 1) {
      for (let dy = -1; dy <= 1 && !near; dy += 1) {
        near = cells.get(`${cx + dx},${cy + dy}`)?.find((c) => (c.x - m.x) ** 2 + (c.y - m.y) ** 2 < r2);
      }
    }
    if (near) near.members.push(m);
    else {
      const created: PlanCluster<M> = { id: m.key, x: m.x, y: m.y, members: [m] };
      clusters.push(created);
      const key = `${cx},${cy}`;
      cells.set(key, [...(cells.get(key) ?? []), created]);
    }
  }
  return clusters;
}

/** Where the members of an opened cluster are drawn: on a ring around it, far enough apart to tell them. */
export function fanOut(cluster: PlanCluster, spacing: number): Map<string, { x: number; y: number }> {
  const n = cluster.members.length;
  const ring = Math.max(spacing * 1.2, (spacing * n) / (2 * Math.PI));
  return new Map(
    cluster.members.map((m, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
      return [m.key, { x: cluster.x + ring * Math.cos(angle), y: cluster.y + ring * Math.sin(angle) }];
    }),
  );
}
