import { describe, expect, it } from 'vitest';
import type { CompoundSummary } from '../../../src/contracts/live-events.ts';
import { deviceAlert, incidentAlert, member, stubBrowser, T0 } from './incident.fixture.ts';

// Before the modules that load i18n.ts.
stubBrowser();
const { overdueWhere } = await import('./overdue-list.ts');
const { alertWhere } = await import('./alert-where.ts');

const compounds = new Map([['c01', { id: 'c01', name: '翠苑一区' } as CompoundSummary]]);
const devices = { name: (key: string) => (key === 'c01/manhole/mh-1' ? '井盖 北区1号井' : `? ${key}`), version: 0 };

describe('overdue and escalated list: where an alert is', () => {
  it('says an incident as its cards do: how many devices, in which compound (its key names no device)', () => {
    const incident = incidentAlert('i1', [member('mh-1'), member('mh-2'), member('mh-3'), member('mh-4', { leftAt: T0 + 1 })], { escalationLevel: 1 });
    expect(overdueWhere(incident, { compounds, devices })).toBe('3 台设备 · 翠苑一区');
    expect(overdueWhere(incident, { compounds, devices })).toBe(alertWhere(incident, undefined, '翠苑一区'));
    expect(overdueWhere(incident, { compounds, devices })).not.toMatch(/incident|water-zone/);
  });

  it('names a device’s own alert by its compound and device, as before', () => {
    expect(overdueWhere(deviceAlert('a1', 'mh-1'), { compounds, devices })).toBe('翠苑一区 · 井盖 北区1号井');
  });
});
