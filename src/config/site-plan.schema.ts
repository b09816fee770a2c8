/**
 * The site-plan geometry of a compound in the registry (`sitePlan`): buildings and zones as
 * polygons, roads as polylines, gates as points, all in the plan's 0..100 coordinates.
 */
import { z } from 'zod';
import type { SitePlan } from '../contracts/site-plan.ts';

const coordinate = z.number().min(0).max(100);
const point = z.tuple([coordinate, coordinate]);
const label = z.string().min(1).max(100);
/** Building and zone ids are the devices' tag values. */
const tagId = z.string().min(1).max(64).regex(/^[^\\\u0000-\u001f]+$/, 'must not contain backslashes or control characters');

const area = z.strictObject({ id: tagId, name: label.optional(), outline: z.array(point).min(3, 'an outline needs at least 3 points').max(200) });

export const sitePlanSchema = z
  .strictObject({
    buildings: z.array(area).max(500).default([]),
    zones: z.array(area).max(100).default([]),
    roads: z.array(z.strictObject({ name: label.optional(), line: z.array(point).min(2, 'a road needs at least 2 points').max(200), width: z.number().min(0.5).max(10).default(3) })).max(200).default([]),
    gates: z.array(z.strictObject({ name: label, at: z.strictObject({ x: coordinate, y: coordinate }) })).max(50).default([]),
  })
  .superRefine((plan, ctx) => {
    for (const kind of ['buildings', 'zones'] as const) {
      const seen = new Set<string>();
      plan[kind].forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [kind, i, 'id'], message: `${item.id} is listed twice` });
        seen.add(item.id);
      });
    }
  });

// The schema's output is the shared contract.
const _sameShape: z.output<typeof sitePlanSchema> extends SitePlan ? (SitePlan extends z.output<typeof sitePlanSchema> ? true : never) : never = true;
void _sameShape;
