/**
 * Where an alert is, for people: 1号楼 1号电梯 · 翠苑一区 · 北区 (a building or zone the device's name
 * already says is not said twice); an incident: 5 台设备 · 翠苑一区 (its name says the building or zone).
 */
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { deviceLabel, placeParts } from './device-format.ts';
import { t } from './i18n.ts';

export function alertWhere(alert: Pick<Alert, 'type' | 'device' | 'compound' | 'incident'>, device: Pick<DeviceView, 'name' | 'building' | 'zone' | 'buildingName' | 'zoneName'> | undefined, compoundName: string | undefined): string {
  if (alert.incident) return t('incident.where', { n: alert.incident.members.filter((m) => m.leftAt === undefined).length, place: compoundName ?? alert.compound });
  const label = deviceLabel(alert.type, alert.device, device);
  const place = [compoundName ?? alert.compound, ...placeParts(device).filter((part) => !label.includes(part))].join(' · ');
  return `${label} · ${place}`;
}
