/**
 * Builds a building's public notice from the alert book and the registry, as a pure function:
 * the alerts of the compound whose device the registry places in the building, each as the
 * rule's name, the device's registry name, its type, since when and a coarse state. It copies
 * field by field into new objects (never spreads an alert), so nothing personal (assignee,
 * actor, notes, photos, ids, history) can reach the answer, whatever the alert carries.
 */
import type { Alert, WorkflowState } from '../alerts/alert.types.ts';
import type { Registry } from '../registry/registry.ts';
import { HubError } from '../errors.ts';
import { NOTICE_FIXED_WINDOW_MS, type NoticeAnswer, type NoticeItem, type NoticeState } from '../contracts/notice.ts';

/** At most this many items in each list (a building has a few devices; a bound keeps the answer small anyway). */
export const NOTICE_MAX_ITEMS = 100;

export interface NoticeInput {
  alerts: readonly Alert[];
  registry: Registry;
  compound: string;
  building: string;
  now: number;
}

const STATE_OF: Record<WorkflowState, NoticeState> = {
  new: 'reported',
  dispatched: 'reported',
  accepted: 'in_progress',
  resolved: 'fixed',
  closed: 'fixed',
};

/** When it was fixed: the first resolve (or close) since it was last reopened. */
function fixedAtOf(alert: Alert): number {
  let fixedAt: number | undefined;
  for (const event of alert.history) {
    if (event.kind === 'reopened') fixedAt = undefined;
    else if ((event.kind === 'resolved' || event.kind === 'closed') && fixedAt === undefined) fixedAt = event.at;
  }
  return fixedAt ?? alert.clearedAt ?? alert.lastSeenAt;
}

/** The building's name: the registry's `buildings` entry, or the tag when only devices name it. Undefined: no such building. */
export function buildingName(registry: Registry, compound: string, building: string): string | undefined {
  const named = registry.siteOf(compound)?.buildings[building];
  if (named) return named;
  return registry.devicesOf(compound).some((d) => d.tags.building === building) ? building : undefined;
}

/** The devices of the alert in the building: its own, or an incident's members there (active ones while it is open). */
function devicesInBuilding(alert: Alert, input: NoticeInput, open: boolean): Array<{ name: string | undefined; since: number }> {
  const inBuilding = (key: string) => {
    const device = input.registry.getByKey(key);
    return device && device.compound === input.compound && device.tags.building === input.building ? device : undefined;
  };
  if (!alert.incident) {
    const device = inBuilding(alert.deviceKey);
    return device ? [{ name: device.name, since: alert.raisedAt }] : [];
  }
  const members = alert.incident.members.filter((m) => !open || m.leftAt === undefined);
  const found = members.flatMap((m) => {
    const device = inBuilding(m.deviceKey);
    return device ? [{ name: device.name, since: m.since }] : [];
  });
  // Rebuilt from the event log an incident has no members: a building-wide one still names its building.
  if (!found.length && !alert.incident.members.length && alert.incident.scope === 'building' && alert.incident.place === input.building) {
    return [{ name: undefined, since: alert.raisedAt }];
  }
  return found;
}

export function buildNotice(input: NoticeInput): NoticeAnswer {
  const compound = input.registry.compound(input.compound);
  if (!compound) throw new HubError('NOT_FOUND', `compound ${input.compound} does not exist`, { params: { compound: input.compound } });
  const name = buildingName(input.registry, compound.id, input.building);
  if (name === undefined) throw new HubError('NOT_FOUND', `compound ${compound.id} has no building ${input.building}`, { params: { compound: compound.id, building: input.building } });

  const open: NoticeItem[] = [];
  const fixed: NoticeItem[] = [];
  for (const alert of input.alerts) {
    // A resident's report is that resident's words: never shown to the others.
    if (alert.compound !== compound.id || alert.report) continue;
    const state = STATE_OF[alert.workflow];
    const fixedAt = state === 'fixed' ? fixedAtOf(alert) : undefined;
    if (fixedAt !== undefined && fixedAt < input.now - NOTICE_FIXED_WINDOW_MS) continue;
    for (const device of devicesInBuilding(alert, input, state !== 'fixed')) {
      const item: NoticeItem = {
        what: { zh: alert.name.zh, en: alert.name.en },
        ...(device.name ? { device: device.name } : {}),
        type: alert.type,
        since: device.since,
        state,
        ...(fixedAt !== undefined ? { fixedAt } : {}),
      };
      (fixedAt === undefined ? open : fixed).push(item);
    }
  }
  open.sort((a, b) => b.since - a.since);
  fixed.sort((a, b) => b.fixedAt! - a.fixedAt!);
  return {
    compound: { id: compound.id, name: compound.name },
    building: { id: input.building, name },
    at: input.now,
    open: open.slice(0, NOTICE_MAX_ITEMS),
    fixed: fixed.slice(0, NOTICE_MAX_ITEMS),
  };
}
