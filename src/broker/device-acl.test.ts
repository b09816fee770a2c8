import { describe, expect, it } from 'vitest';
import { authenticateDevice, mayPublish, maySubscribe } from './device-acl.ts';
import { FIXTURE_SECRET, fixtureRegistry } from '../testing/registry.fixture.ts';

const registry = fixtureRegistry();
const elevator = registry.getByKey('c01/elevator/elev-1')!;

describe('device ACL', () => {
  it('authenticates a registered device with its secret only', () => {
    expect(authenticateDevice(registry, 'c01/elevator/elev-1', Buffer.from(FIXTURE_SECRET))?.key).toBe('c01/elevator/elev-1');
    expect(authenticateDevice(registry, 'c01/elevator/elev-1', Buffer.from('wrong'))).toBeUndefined();
    expect(authenticateDevice(registry, 'c01/elevator/nope', Buffer.from(FIXTURE_SECRET))).toBeUndefined();
    expect(authenticateDevice(registry, undefined, undefined)).toBeUndefined();
    expect(authenticateDevice(registry, '__proto__', Buffer.from(FIXTURE_SECRET))).toBeUndefined();
  });

  it('lets a device publish only its own channel topics', () => {
    for (const channel of ['telemetry', 'event', 'status']) {
      expect(mayPublish('compounds', elevator, `compounds/c01/elevator/elev-1/${channel}`)).toBe(true);
    }
    for (const topic of [
      'compounds/c01/elevator/elev-2/telemetry',
      'compounds/c02/elevator/elev-1/telemetry',
      'compounds/c01/manhole/elev-1/telemetry',
      'compounds/c01/elevator/elev-1/telemetry/x',
      'compounds/c01/alerts/a1',
      'compounds/_hub/status',
      'other/c01/elevator/elev-1/telemetry',
    ]) {
      expect(mayPublish('compounds', elevator, topic)).toBe(false);
    }
  });

  it('lets a device subscribe only under its own prefix', () => {
    expect(maySubscribe('compounds', elevator, 'compounds/c01/elevator/elev-1/command')).toBe(true);
    expect(maySubscribe('compounds', elevator, 'compounds/c01/elevator/elev-1/#')).toBe(true);
    for (const filter of ['#', '$SYS/#', 'compounds/#', 'compounds/c01/+/elev-1/#', 'compounds/c01/elevator/+/telemetry', '$share/g/compounds/c01/elevator/elev-1/#']) {
      expect(maySubscribe('compounds', elevator, filter)).toBe(false);
    }
  });
});
