import { describe, expect, it } from 'vitest';
import { DeviceStates } from './device-state.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import type { Reading } from '../contracts/readings.ts';

const registry = fixtureRegistry();
const elevator = registry.getByKey('c01/elevator/elev-1')!;
const base = { compound: 'c01', type: 'elevator' as const, device: 'elev-1', tags: {} };

describe('DeviceStates', () => {
  it('tracks online state, latest fields and last event', () => {
    const states = new DeviceStates();
    const apply = (r: Reading) => states.apply(r, elevator.key);
    expect(states.get(elevator)).toEqual({ online: false, fields: {}, fieldSince: {} });
    apply({ ...base, kind: 'status', online: true, ts: 1, receivedAt: 1 });
    apply({ ...base, kind: 'telemetry', ts: 10, receivedAt: 10, fields: { floor: 3, moving: false } });
    apply({ ...base, kind: 'telemetry', ts: 5, receivedAt: 11, fields: { floor: 1 } }); // older sample arrives late
    apply({ ...base, kind: 'event', ts: 12, receivedAt: 12, event: 'trapped' });
    expect(states.get(elevator)).toEqual({
      online: true, lastSeen: 12, lastTelemetryTs: 10, fields: { floor: 3, moving: false }, fieldSince: { floor: 10, moving: 10 }, lastEvent: { event: 'trapped', ts: 12 },
    });
    expect(states.onlineCount).toBe(1);
    apply({ ...base, kind: 'status', online: false, ts: 13, receivedAt: 13 });
    expect(states.onlineCount).toBe(0);
    expect(states.onlineIn('c01')).toBe(0);
  });

  it('counts a device the rules found silent as offline until its next message, so online figures and offline alerts agree', () => {
    const states = new DeviceStates();
    states.apply({ ...base, kind: 'telemetry', ts: 10, receivedAt: 10, fields: { floor: 3 } }, elevator.key);
    expect(states.onlineIn('c01')).toBe(1);
    expect(states.markSilent(elevator)).toBe(true);
    expect(states.markSilent(elevator)).toBe(false);
    expect(states.get(elevator).online).toBe(false);
    expect(states.onlineIn('c01')).toBe(0);
    states.apply({ ...base, kind: 'telemetry', ts: 20, receivedAt: 20, fields: { floor: 4 } }, elevator.key);
    expect(states.onlineIn('c01')).toBe(1);
    // A device never heard of is not online to begin with.
    expect(new DeviceStates().markSilent(elevator)).toBe(false);
  });

  it('knows since when each field has had its value (how long a fire lane is blocked)', () => {
    const states = new DeviceStates();
    const lane = { compound: 'c01', type: 'fire_lane' as const, device: 'fl-1', tags: {} };
    const key = 'c01/fire_lane/fl-1';
    const report = (ts: number, occupied: boolean) => states.apply({ ...lane, kind: 'telemetry', ts, receivedAt: ts, fields: { occupied } }, key);
    report(100, false);
    report(200, true);
    report(300, true);
    report(400, true);
    const snapshot = states.get({ key } as never);
    expect(snapshot.fieldSince.occupied).toBe(200);
    report(500, false);
    expect(states.get({ key } as never).fieldSince.occupied).toBe(500);
    expect(states.onlineIn('c01')).toBe(1);
  });
});
