import { describe, expect, it } from 'vitest';
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { compoundCounts, isFaultAlert } from './plan-counts.ts';

const device = (type: DeviceView['type'], device: string, online: boolean, fields: DeviceView['fields'] = {}): DeviceView =>
  ({ compound: 'h1', type, device, online, fields, fieldSince: {}, reportIntervalSec: 60 });
const alert = (deviceKey: string, ruleId: string): Alert => ({ id: `${deviceKey}:${ruleId}`, ruleId, deviceKey } as Alert);

describe('compoundCounts', () => {
  it('counts an elevator in fault only when it is online with a fault alert: offline and e-bike sightings are not faults', () => {
    const devices = [
      device('elevator', 'e1', true),
      device('elevator', 'e2', false),
      device('elevator', 'e3', true),
      device('elevator', 'e4', true, { mode: 'maintenance' }),
    ];
    const alerts: Record<string, Alert[]> = {
      'h1/elevator/e1': [alert('h1/elevator/e1', 'elevator-trapped')],
      'h1/elevator/e2': [alert('h1/elevator/e2', 'device-offline')],
      'h1/elevator/e3': [alert('h1/elevator/e3', 'elevator-ebike')],
    };
    const c = compoundCounts(devices, (key) => alerts[key] ?? []);
    expect(c).toMatchObject({ elevators: 4, elevatorFault: 1, elevatorOffline: 1, elevatorMaint: 1, online: 3, offline: 1 });
  });

  it('treats a rule of kind absence as offline, not a fault', () => {
    const custom = alert('h1/elevator/e1', 'my-silent-rule');
    expect(isFaultAlert(custom)).toBe(true);
    expect(isFaultAlert(custom, new Map([['my-silent-rule', 'absence']]))).toBe(false);
  });

  it('breaks free parking down by every space kind, fire-engine spaces included', () => {
    const devices = [
      device('parking', 'p1', true, { spaceKind: 'fire', occupied: false }),
      device('parking', 'p2', true, { spaceKind: 'fire', occupied: true }),
      device('parking', 'p3', true, { spaceKind: 'resident', occupied: false }),
      device('parking', 'p4', true, { spaceKind: 'charging', occupied: true }),
    ];
    const c = compoundCounts(devices, () => []);
    expect(c.parkingFree).toBe(2);
    expect(c.parkingByKind).toEqual({ resident: { free: 1, all: 1 }, visitor: { free: 0, all: 0 }, charging: { free: 0, all: 1 }, fire: { free: 1, all: 2 } });
  });

  it('counts manholes abnormal among the online ones with an alert that is not about being offline', () => {
    const devices = [device('manhole', 'm1', true), device('manhole', 'm2', false), device('manhole', 'm3', true)];
    const alerts: Record<string, Alert[]> = { 'h1/manhole/m1': [alert('h1/manhole/m1', 'manhole-water-high')], 'h1/manhole/m2': [alert('h1/manhole/m2', 'device-offline')] };
    expect(compoundCounts(devices, (key) => alerts[key] ?? [])).toMatchObject({ manholes: 3, manholeAbnormal: 1 });
  });
});
