/**
 * The compound's totals, each counting what its label says: elevators in fault are online
 * elevators with an open alert about a fault (not the ones offline, not an e-bike sighting),
 * offline devices on their own tile, free parking by every space kind (fire-engine spaces too).
 */
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { deviceKey } from './live-state.ts';

/** Rules of the built-in pack whose alerts say a device is unreachable or someone misbehaved, not that the device is faulty. */
export const NOT_FAULT_RULES: ReadonlySet<string> = new Set(['device-offline', 'offline-building', 'offline-compound', 'elevator-ebike']);
export const PARKING_KINDS = ['resident', 'visitor', 'charging', 'fire'] as const;

export interface CompoundCounts {
  devices: number;
  online: number;
  offline: number;
  elevators: number;
  /** Online elevators with an open fault alert. */
  elevatorFault: number;
  elevatorOffline: number;
  /** In maintenance or inspection mode (online). */
  elevatorMaint: number;
  manholes: number;
  /** Online manholes with an open alert (that is not about being offline). */
  manholeAbnormal: number;
  fireLanes: number;
  laneBlocked: number;
  parking: number;
  parkingFree: number;
  /** Per space kind: free of all. */
  parkingByKind: Record<(typeof PARKING_KINDS)[number], { free: number; all: number }>;
}

/** `ruleKinds`: rule id → condition kind (GET /api/rules), when known: an `absence` rule is about being offline. */
export function isFaultAlert(alert: Alert, ruleKinds: ReadonlyMap<string, string> = new Map()): boolean {
  return !NOT_FAULT_RULES.has(alert.ruleId) && ruleKinds.get(alert.ruleId) !== 'absence';
}

export function compoundCounts(devices: Iterable<DeviceView>, alertsOf: (key: string) => Alert[], ruleKinds?: ReadonlyMap<string, string>): CompoundCounts {
  const kinds = Object.fromEntries(PARKING_KINDS.map((k) => [k, { free: 0, all: 0 }])) as CompoundCounts['parkingByKind'];
  const c: CompoundCounts = { devices: 0, online: 0, offline: 0, elevators: 0, elevatorFault: 0, elevatorOffline: 0, elevatorMaint: 0, manholes: 0, manholeAbnormal: 0, fireLanes: 0, laneBlocked: 0, parking: 0, parkingFree: 0, parkingByKind: kinds };
  for (const d of devices) {
    c.devices += 1;
    if (d.online) c.online += 1;
    else c.offline += 1;
    const faults = () => alertsOf(deviceKey(d)).filter((a) => isFaultAlert(a, ruleKinds)).length > 0;
    switch (d.type) {
      case 'elevator':
        c.elevators += 1;
        if (!d.online) c.elevatorOffline += 1;
        else if (faults()) c.elevatorFault += 1;
        if (d.online && (d.fields.mode === 'maintenance' || d.fields.mode === 'inspection')) c.elevatorMaint += 1;
        break;
      case 'manhole':
        c.manholes += 1;
        if (d.online && faults()) c.manholeAbnormal += 1;
        break;
      case 'fire_lane':
        c.fireLanes += 1;
        if (d.fields.occupied === true) c.laneBlocked += 1;
        break;
      case 'parking': {
        c.parking += 1;
        const free = d.fields.occupied !== true;
        if (free) c.parkingFree += 1;
        const kind = kinds[String(d.fields.spaceKind) as keyof typeof kinds];
        if (kind) {
          kind.all += 1;
          if (free) kind.free += 1;
        }
        break;
      }
    }
  }
  return c;
}
