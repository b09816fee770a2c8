import { describe, expect, it } from 'vitest';
import { sitePlanSchema } from './site-plan.schema.ts';
import { compoundSchema } from './registry.schema.ts';

describe('sitePlanSchema', () => {
  it('takes buildings and zones as polygons, roads as polylines (default width 3) and named gates', () => {
    const plan = sitePlanSchema.parse({
      buildings: [{ id: 'b1', outline: [[10, 10], [20, 10], [20, 20]] }],
      roads: [{ name: '主路', line: [[0, 50], [100, 50]] }],
      gates: [{ name: '东门', at: { x: 100, y: 50 } }],
    });
    expect(plan).toEqual({
      buildings: [{ id: 'b1', outline: [[10, 10], [20, 10], [20, 20]] }],
      zones: [],
      roads: [{ name: '主路', line: [[0, 50], [100, 50]], width: 3 }],
      gates: [{ name: '东门', at: { x: 100, y: 50 } }],
    });
  });

  it('refuses points off the plan, outlines of fewer than 3 points, roads of one point, ids listed twice and unknown keys', () => {
    const bad = [
      { buildings: [{ id: 'b1', outline: [[10, 10], [120, 10], [20, 20]] }] },
      { zones: [{ id: 'n', outline: [[10, 10], [20, 10]] }] },
      { roads: [{ line: [[0, 0]] }] },
      { buildings: [{ id: 'b1', outline: [[1, 1], [2, 1], [2, 2]] }, { id: 'b1', outline: [[1, 1], [2, 1], [2, 2]] }] },
      { gates: [{ name: '', at: { x: 1, y: 1 } }] },
      { buildings: [], colour: 'red' },
    ];
    for (const plan of bad) expect(sitePlanSchema.safeParse(plan).success, JSON.stringify(plan)).toBe(false);
    const twice = sitePlanSchema.safeParse(bad[3]);
    expect(twice.error?.issues[0]).toMatchObject({ path: ['buildings', 1, 'id'] });
  });

  it('is the registry compound’s optional sitePlan', () => {
    const compound = { id: 'c1', name: '翠苑一区', devices: [] };
    expect(compoundSchema.parse(compound).sitePlan).toBeUndefined();
    expect(compoundSchema.parse({ ...compound, sitePlan: { gates: [{ name: '南门', at: { x: 50, y: 100 } }] } }).sitePlan?.gates).toHaveLength(1);
    expect(compoundSchema.safeParse({ ...compound, sitePlan: { roads: 'none' } }).success).toBe(false);
  });
});
