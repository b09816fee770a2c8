/**
 * A plausible site plan for a demo compound, drawn around where the fleet put its devices: each
 * building an outline around its elevators, the two roads the manholes lie along, the car park
 * at the bottom, zones around their buildings, and the east and south gates (东门, 南门).
 */
import type { RegistryFile } from '../config/registry.schema.ts';
import type { PlanPoint, SitePlan } from '../contracts/site-plan.ts';

type FileCompound = RegistryFile['districts'][number]['streets'][number]['communities'][number]['compounds'][number];

const clamp = (v: number) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
const rect = (cx: number, cy: number, hw: number, hh: number): PlanPoint[] => [
  [clamp(cx - hw), clamp(cy - hh)],
  [clamp(cx + hw), clamp(cy - hh)],
  [clamp(cx + hw), clamp(cy + hh)],
  [clamp(cx - hw), clamp(cy + hh)],
];

export function demoSitePlan(compound: FileCompound): SitePlan {
  const devices = compound.devices ?? [];
  const centres = new Map<string, { x: number; y: number; n: number; zone?: string }>();
  for (const d of devices) {
    if (d.type !== 'elevator' || !d.building || !d.position) continue;
    const c = centres.get(d.building) ?? { x: 0, y: 0, n: 0, ...(d.zone ? { zone: d.zone } : {}) };
    centres.set(d.building, { ...c, x: c.x + d.position.x, y: c.y + d.position.y, n: c.n + 1 });
  }
  const buildings = [...centres].map(([id, c]) => ({ id, centre: { x: c.x / c.n, y: c.y / c.n }, zone: c.zone }));
  const zones = new Map<string, Array<{ x: number; y: number }>>();
  for (const b of buildings) if (b.zone) zones.set(b.zone, [...(zones.get(b.zone) ?? []), b.centre]);
  return {
    buildings: buildings.map((b) => ({ id: b.id, outline: rect(b.centre.x, b.centre.y, 6, 8) })),
    zones: [
      ...[...zones].map(([id, spots]) => {
        const xs = spots.map((s) => s.x);
        const ys = spots.map((s) => s.y);
        const [x0, x1, y0, y1] = [Math.min(...xs) - 13, Math.max(...xs) + 13, Math.min(...ys) - 12, Math.max(...ys) + 12];
        return { id, outline: [[clamp(x0), clamp(y0)], [clamp(x1), clamp(y0)], [clamp(x1), clamp(y1)], [clamp(x0), clamp(y1)]] as PlanPoint[] };
      }),
      { id: 'car-park', name: '地面停车场', outline: [[2, 79], [98, 79], [98, 99], [2, 99]] },
    ],
    roads: [
      { name: '环区主路', line: [[0, 75], [100, 75]], width: 3 },
      { name: '中央大道', line: [[50, 0], [50, 100]], width: 3 },
    ],
    gates: [
      { name: '东门', at: { x: 99, y: 75 } },
      { name: '南门', at: { x: 50, y: 99 } },
    ],
  };
}
