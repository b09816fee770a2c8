/**
 * A compound's site plan (总平面图): outlines of buildings and zones, roads and gates, in the
 * plan's own coordinates (0..100 on both axes, x to the right, y down: the same as device
 * positions), and whether an admin uploaded a plan image. Shared by the hub and the dashboards.
 */

/** [x, y], 0..100 both. */
export type PlanPoint = [number, number];

export interface PlanBuilding {
  /** The building id the devices' `building` tag names (`b1`): its name comes from the compound's `buildings` map unless given. */
  id: string;
  name?: string | undefined;
  /** A closed polygon (at least 3 points). */
  outline: PlanPoint[];
}

export interface PlanZone {
  /** The zone id the devices' `zone` tag names (`north`). */
  id: string;
  name?: string | undefined;
  outline: PlanPoint[];
}

export interface PlanRoad {
  name?: string | undefined;
  /** A polyline (at least 2 points). */
  line: PlanPoint[];
  /** Drawn width in plan units; default 3. */
  width: number;
}

export interface PlanGate {
  name: string;
  at: { x: number; y: number };
}

export interface SitePlan {
  buildings: PlanBuilding[];
  zones: PlanZone[];
  roads: PlanRoad[];
  gates: PlanGate[];
}

/** Plan images an admin may upload: at most this many bytes, PNG or SVG (checked by their first bytes). */
export const PLAN_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const PLAN_IMAGE_TYPES = ['image/png', 'image/svg+xml'] as const;
export type PlanImageType = (typeof PLAN_IMAGE_TYPES)[number];

export interface PlanImageInfo {
  type: PlanImageType;
  bytes: number;
  updatedAt: number;
}

/** GET /api/compounds/:id/site-plan */
export interface SitePlanAnswer {
  compound: string;
  /** The registry's geometry; none when it has none. */
  plan?: SitePlan | undefined;
  /** The buildings' and zones' names (the registry's maps). */
  buildings: Record<string, string>;
  zones: Record<string, string>;
  /** An uploaded image, served at GET /api/compounds/:id/plan-image. */
  image?: PlanImageInfo | undefined;
}
