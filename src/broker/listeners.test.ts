import { describe, expect, it } from 'vitest';
import type tls from 'node:tls';
import { certificateCommonName, certifiedDeviceKey } from './listeners.ts';
import { authenticateByCertificate } from './device-acl.ts';
import { FIXTURE_SECRET, fixtureRegistry } from '../testing/registry.fixture.ts';

const peer = (subject: Record<string, unknown>) => ({ subject }) as unknown as tls.PeerCertificate;

describe('device identity from a client certificate', () => {
  it('is the subject CN, only when there is exactly one', () => {
    expect(certificateCommonName(peer({ CN: 'c01/elevator/elev-1', O: 'x' }))).toBe('c01/elevator/elev-1');
    expect(certificateCommonName(peer({ CN: ['c01/elevator/elev-1', 'c01/elevator/elev-2'] }))).toBeUndefined();
    expect(certificateCommonName(peer({ O: 'no cn' }))).toBeUndefined();
    expect(certificateCommonName(peer({ CN: '' }))).toBeUndefined();
    expect(certificateCommonName(undefined)).toBeUndefined();
  });

  it('is unknown for a connection the listeners did not certify', () => {
    expect(certifiedDeviceKey({ conn: {} as never })).toBeUndefined();
  });

  it('authenticates a registered device; a username must be the same device and a password its secret', () => {
    const registry = fixtureRegistry();
    const key = 'c01/elevator/elev-1';
    expect(authenticateByCertificate(registry, key, undefined, undefined)?.key).toBe(key);
    expect(authenticateByCertificate(registry, key, key, Buffer.from(FIXTURE_SECRET))?.key).toBe(key);
    expect(authenticateByCertificate(registry, key, '', undefined)?.key).toBe(key);
    expect(authenticateByCertificate(registry, key, 'c01/elevator/elev-2', undefined)).toBeUndefined();
    expect(authenticateByCertificate(registry, key, key, Buffer.from('wrong'))).toBeUndefined();
    expect(authenticateByCertificate(registry, 'c01/elevator/nope', undefined, undefined)).toBeUndefined();
    expect(authenticateByCertificate(registry, '__proto__', undefined, undefined)).toBeUndefined();
  });
});
