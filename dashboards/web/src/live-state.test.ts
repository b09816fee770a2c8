import { describe, expect, it } from 'vitest';
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { T0, deviceAlert, incidentAlert, member, stubBrowser } from './incident.fixture.ts';

// Before the modules that load i18n.ts.
stubBrowser();
const { LiveState } = await import('./live-state.ts');
const { deviceLook } = await import('./device-format.ts');

const manhole = (device: string): DeviceView => ({ compound: 'c01', type: 'manhole', device, reportIntervalSec: 60, online: true, fields: { waterLevelCm: 180 }, fieldSince: {} });
const stateWith = (...alerts: Alert[]) => {
  const state = new LiveState();
  state.replace({ at: T0, compounds: [], devices: [], alerts });
  return state;
};

describe('LiveState.alertsOf: a device’s open alerts, incidents it is a member of included', () => {
  it('gives an open incident to each of its active members (its own key names no device), so they are marked faulty', () => {
    const incident = incidentAlert('i1', [member('mh-1'), member('mh-2'), member('mh-3', { leftAt: T0 + 60_000 })]);
    const state = stateWith(incident);
    expect(state.alertsOf('c01/manhole/mh-1').map((a) => a.id)).toEqual(['i1']);
    expect(state.alertsOf('c01/manhole/mh-2').map((a) => a.id)).toEqual(['i1']);
    expect(deviceLook(manhole('mh-1'), state.alertsOf('c01/manhole/mh-1'))).toBe('warning');
    // A member that left (its condition cleared) is not faulty because of the incident; nor is a device outside it.
    expect(state.alertsOf('c01/manhole/mh-3')).toEqual([]);
    expect(state.alertsOf('c01/manhole/mh-4')).toEqual([]);
    expect(deviceLook(manhole('mh-3'), state.alertsOf('c01/manhole/mh-3'))).toBe('ok');
  });

  it('each alert once: a device with two conditions in one incident, or with its own alert besides, is one faulty device', () => {
    const twice = incidentAlert('i1', [member('mh-1'), member('mh-1', { ruleId: 'manhole-gas-high' }), member('mh-2')]);
    const own = deviceAlert('a1', 'mh-1');
    const state = stateWith(twice, own);
    expect(state.alertsOf('c01/manhole/mh-1').map((a) => a.id).sort()).toEqual(['a1', 'i1']);
    // The compound tiles count devices with any open alert: mh-1 and mh-2, not three.
    expect(['mh-1', 'mh-2', 'mh-3'].filter((d) => state.alertsOf(`c01/manhole/${d}`).length > 0)).toEqual(['mh-1', 'mh-2']);
  });

  it('leaves out closed incidents and cleared ones (every member left), and puts the most severe first', () => {
    const closed = incidentAlert('i1', [member('mh-1')], { workflow: 'closed' });
    const cleared = incidentAlert('i2', [member('mh-2', { leftAt: T0 + 1 })], { condition: 'cleared' });
    const critical = deviceAlert('a1', 'mh-3', { severity: 'critical' });
    const state = stateWith(closed, cleared, incidentAlert('i3', [member('mh-3')]), critical);
    expect(state.alertsOf('c01/manhole/mh-1')).toEqual([]);
    expect(state.alertsOf('c01/manhole/mh-2')).toEqual([]);
    expect(state.alertsOf('c01/manhole/mh-3').map((a) => a.id)).toEqual(['a1', 'i3']);
  });

  it('follows live batches: a member that leaves is green again', () => {
    const state = stateWith(incidentAlert('i1', [member('mh-1'), member('mh-2')]));
    state.merge({ at: T0 + 1, devices: [], compounds: [], alerts: [incidentAlert('i1', [member('mh-1', { leftAt: T0 + 1 }), member('mh-2')])] });
    expect(state.alertsOf('c01/manhole/mh-1')).toEqual([]);
    expect(state.alertsOf('c01/manhole/mh-2')).toHaveLength(1);
  });
});
