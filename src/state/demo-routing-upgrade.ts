/**
 * The demo's routing grows between versions (issue 18: street departments and hand-over rules),
 * but a demo data dir keeps the routing its first start imported. At each later demo start the
 * parties (groups) and hand-over rules the demo has and the stored routing lacks, by id, are
 * added (after the demo's missing logins, so every party reaches someone); nothing stored is
 * changed or removed. A routing an admin saved is left as it is.
 */
import type { AlertsConfig } from '../alerts/sla.config.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import type { StateStore } from './state.types.ts';

export interface DemoRoutingUpgrade {
  groups: number;
  handovers: number;
}

export async function addMissingDemoRouting(state: StateStore, demo: Pick<AlertsConfig, 'groups' | 'handovers'>, seedBy: string, at: number): Promise<DemoRoutingUpgrade> {
  const doc = await state.docs.get('alerts');
  if (!doc || doc.updatedBy !== seedBy) return { groups: 0, handovers: 0 };
  const body = doc.body as Partial<AlertsConfig>;
  const groups = body.groups ?? [];
  const handovers = body.handovers ?? [];
  const newGroups = demo.groups.filter((g) => !groups.some((s) => s.id === g.id));
  const newHandovers = demo.handovers.filter((h) => !handovers.some((s) => s.id === h.id));
  if (!newGroups.length && !newHandovers.length) return { groups: 0, handovers: 0 };
  const next = { ...body, groups: [...groups, ...newGroups], handovers: [...handovers, ...newHandovers] };
  // Written only when the whole routing still parses; over the version read (CONFLICT if it changed meanwhile).
  alertsConfigSchema.parse(next);
  await state.docs.put('alerts', next, { expectedVersion: doc.version, by: seedBy, at });
  return { groups: newGroups.length, handovers: newHandovers.length };
}
