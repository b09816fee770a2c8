import { describe, expect, it } from 'vitest';
import { boundClientId, checkIdentity, checkSession } from './client-id.guard.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';

const elevator = fixtureRegistry().getByKey('c01/elevator/elev-1')!;
const request = (over: Partial<Parameters<typeof checkSession>[0]> = {}) => ({ clientId: 'c01/elevator/elev-1', clean: true, keepaliveSec: 30, ...over });

describe('CONNECT identity checks', () => {
  it('binds the client id to the device key; an empty one with a clean session is the key', () => {
    expect(boundClientId(elevator)).toBe('c01/elevator/elev-1');
    expect(checkIdentity('compounds', elevator, request())).toBeUndefined();
    expect(checkIdentity('compounds', elevator, request({ clientId: '' }))).toBeUndefined();
    for (const clientId of ['c01/elevator/elev-2', 'compound-hub', 'elev-1', 'mqttjs_1234', 'c01/elevator/elev-1 ']) {
      expect(checkIdentity('compounds', elevator, request({ clientId }))).toMatchObject({ returnCode: 2, reason: 'client_id' });
    }
  });

  it("takes a Last Will only on the device's own status topic", () => {
    expect(checkIdentity('compounds', elevator, request({ willTopic: 'compounds/c01/elevator/elev-1/status' }))).toBeUndefined();
    for (const willTopic of ['compounds/c01/elevator/elev-2/status', 'compounds/c01/elevator/elev-1/telemetry', 'compounds/_hub/status', 'compounds/c01/alerts/x', 'other/c01/elevator/elev-1/status']) {
      expect(checkIdentity('compounds', elevator, request({ willTopic }))).toMatchObject({ returnCode: 5, reason: 'will_topic' });
    }
  });

  it('refuses an empty client id without a clean session (MQTT-3.1.3-8), and keepalive 0 or over the maximum', () => {
    expect(checkSession(request({ clientId: '', clean: false }), 900)).toMatchObject({ returnCode: 2, reason: 'empty_client_id' });
    expect(checkSession(request({ clientId: '', clean: true }), 900)).toBeUndefined();
    expect(checkSession(request({ clean: false }), 900)).toBeUndefined();
    expect(checkSession(request({ keepaliveSec: 0 }), 900)).toMatchObject({ returnCode: 2, reason: 'keepalive' });
    expect(checkSession(request({ keepaliveSec: 901 }), 900)).toMatchObject({ returnCode: 2, reason: 'keepalive' });
    expect(checkSession(request({ keepaliveSec: 900 }), 900)).toBeUndefined();
    expect(checkSession(request({ keepaliveSec: 0 }), undefined)).toBeUndefined();
  });
});
