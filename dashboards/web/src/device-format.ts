/** How a device's live state reads to people, and the colour class it gets on the plan. */
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { duration, t, tOf } from './i18n.ts';

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

const num = (v: unknown, digits = 1) => (typeof v === 'number' ? v.toFixed(digits).replace(/\.0$/, '') : '–');

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
        ['tiltDeg', `${t('f.tilt')} ${num(f.tiltDeg)}°`],
        ['waterLevelCm', `${t('f.water')} ${num(f.waterLevelCm, 0)} cm`],
        ['gasPpm', `CH₄ ${num(f.gasPpm, 0)} ppm`],
        ['batteryPct', `${t('f.battery')} ${num(f.batteryPct, 0)}%`],
      ];
    case 'fire_lane': {
      const since = d.fieldSince.occupied;
      return f.occupied === true
        ? [['occupied', `${t('blocked')}${since ? ` · ${t('blocked.for', { d: duration(now - since) })}` : ''}`], ['objectType', String(f.objectType ?? '')]]
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
