/** How a device's live state reads to people, and the colour class it gets on the plan. */
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { duration, t, tOf } from './i18n.ts';
import { fieldLabel, valueText, withUnit } from './field-format.ts';

export type DeviceLook = 'offline' | 'critical' | 'warning' | 'maintenance' | 'busy' | 'ok';

export function deviceLook(d: DeviceView, openAlerts: Alert[]): DeviceLook {
  if (!d.online) return 'offline';
  if (openAlerts.some((a) => a.severity === 'critical')) return 'critical';
  if (openAlerts.length) return 'warning';
  const f = d.fields;
  if (d.type === 'elevator' && (f.mode === 'maintenance' || f.mode === 'inspection')) return 'maintenance';
  if (d.type === 'fire_lane' && f.occupied === true) return 'warning';
  if (d.type === 'parking' && f.occupied === true) return 'busy';
  return 'ok';
}

/** 倾角 29.3° */
const measured = (f: Record<string, unknown>, field: string, digits: number) => {
  const v = f[field];
  return `${fieldLabel(field)} ${typeof v === 'number' ? withUnit(field, v, digits) : '–'}`;
};

/** The fields a person looks at first, as [field, label, text]. */
export function keyFields(d: DeviceView, now = Date.now()): Array<[string, string]> {
  const f = d.fields;
  switch (d.type) {
    case 'elevator':
      return [
        ['floor', typeof f.floor === 'number' ? t('floor', { n: f.floor }) : '–'],
        ['direction', `${f.direction === 'up' ? '↑' : f.direction === 'down' ? '↓' : '·'} ${tOf('dir', String(f.direction ?? 'idle'))}`],
        ['doorOpen', f.doorOpen ? t('door.open') : t('door.closed')],
        ['mode', tOf('mode', String(f.mode ?? 'normal'))],
      ];
    case 'manhole':
      return [
        ['tiltDeg', measured(f, 'tiltDeg', 1)],
        ['waterLevelCm', measured(f, 'waterLevelCm', 0)],
        ['gasPpm', measured(f, 'gasPpm', 0)],
        ['batteryPct', measured(f, 'batteryPct', 0)],
      ];
    case 'fire_lane': {
      const since = d.fieldSince.occupied;
      return f.occupied === true
        ? [['occupied', `${t('blocked')}${since ? ` · ${t('blocked.for', { d: duration(now - since) })}` : ''}`], ['objectType', tOf('object', String(f.objectType ?? 'unknown'))]]
        : [['occupied', t('clear')]];
    }
    case 'parking':
      return [
        ['occupied', f.occupied === true ? t('occupied') : t('free')],
        ['spaceKind', tOf('parking', String(f.spaceKind ?? ''))],
      ];
  }
}

/** Numeric and yes/no fields a chart can draw, from what the device reports. */
export function chartableFields(d: DeviceView): string[] {
  return Object.entries(d.fields)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean')
    .map(([k]) => k);
}

/** Building and zone by their registry names (1号楼 · 北区), the raw tags only when the registry has no names. */
export function placeParts(d: Pick<DeviceView, 'building' | 'zone' | 'buildingName' | 'zoneName'> | undefined): string[] {
  if (!d) return [];
  return [d.buildingName ?? d.building, d.zoneName ?? d.zone].filter((x): x is string => Boolean(x));
}

/** 电梯 elev-01, 2号楼 1号电梯: the device's name with its type, unless the name says it already (its id when the registry gives no name). */
export function deviceLabel(type: DeviceView['type'], id: string, d?: Pick<DeviceView, 'name'>): string {
  const kind = tOf('type', type);
  const name = d?.name ?? id;
  return name.includes(kind) ? name : `${kind} ${name}`;
}

/** Which translated set a field's text values belong to (`mode` normal → 正常). */
const VALUE_SETS: Record<string, string> = { direction: 'dir', mode: 'mode', objectType: 'object', spaceKind: 'parking' };

/** A field's value for people: numbers with units, yes/no, known values translated (运行方向 上行, 模式 检修). */
export function fieldText(field: string, value: DeviceView['fields'][string] | null | undefined): string {
  const set = VALUE_SETS[field];
  return set && typeof value === 'string' ? tOf(set, value) : valueText(field, value);
}
