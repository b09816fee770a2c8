/**
 * For the dashboards' unit tests: browser globals i18n.ts reads when it loads, and alerts as the
 * hub sends them (a device's own, and an incident's, whose key names no device: its members are the devices).
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import type { IncidentMember } from '../../../src/alerts/alert.types.ts';

export const T0 = 1_800_000_000_000;

/** What i18n.ts touches at load (run in vi.hoisted, before the modules are imported). */
export function stubBrowser(lang: 'zh' | 'en' = 'zh'): void {
  const g = globalThis as Record<string, unknown>;
  g.localStorage = { getItem: () => lang, setItem: () => undefined };
  g.document = { documentElement: {} };
}

export function deviceAlert(id: string, device: string, extra: Partial<Alert> = {}): Alert {
  return {
    id, ruleId: 'manhole-water-high', name: { zh: '井下水位过高', en: 'High water level in manhole' }, severity: 'major',
    deviceKey: `c01/manhole/${device}`, compound: 'c01', type: 'manhole', device,
    workflow: 'dispatched', condition: 'active', raisedAt: T0, lastSeenAt: T0, count: 1, escalationLevel: 0, assignee: 'wang',
    history: [{ alertId: id, kind: 'raised', at: T0, actor: 'hub' }],
    ...extra,
  };
}

export const member = (device: string, extra: Partial<IncidentMember> = {}): IncidentMember => ({
  deviceKey: `c01/manhole/${device}`, type: 'manhole', device, ruleId: 'manhole-water-high', since: T0, name: `北区${device.replace(/\D/g, '')}号井`, ...extra,
});

/** 北区 N 个井盖水位过高, as the water-zone group of the built-in pack makes it. */
export function incidentAlert(id: string, members: IncidentMember[], extra: Partial<Alert> = {}): Alert {
  const active = members.filter((m) => m.leftAt === undefined).length;
  return deviceAlert(id, 'water-zone@north', {
    ruleId: 'water-zone', deviceKey: 'c01/incident/water-zone@north',
    name: { zh: `北区 ${active} 个井盖水位过高 · 疑似暴雨积水`, en: `北区: ${active} manholes with high water · likely rainstorm` },
    incident: { group: 'water-zone', scope: 'zone', place: 'north', members, peak: members.length },
    ...extra,
  });
}
