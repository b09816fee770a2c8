import { describe, expect, it } from 'vitest';
import { AddressLimits, addressKey, type AddressTicket } from './address-limits.ts';

describe('per-address connection caps', () => {
  it('counts IPv4 addresses one by one, IPv6 by /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('refuses connections over the cap of open ones, and of those still waiting for CONNECT', () => {
    const limits = new AddressLimits({ maxConnections: 3, maxPending: 2 });
    const a = limits.admit('10.0.0.1') as AddressTicket;
    const b = limits.admit('10.0.0.1') as AddressTicket;
    expect(limits.admit('10.0.0.1')).toBe('address_pending');
    expect(typeof limits.admit('10.0.0.2')).toBe('object');
    a.connected();
    a.connected(); // idempotent
    const c = limits.admit('10.0.0.1') as AddressTicket;
    expect(limits.of('10.0.0.1')).toEqual({ connections: 3, pending: 2 });
    b.connected();
    expect(limits.admit('10.0.0.1')).toBe('address_connections');
    c.release();
    c.release(); // idempotent
    expect(limits.of('10.0.0.1')).toEqual({ connections: 2, pending: 0 });
    a.release();
    b.release();
    expect(limits.of('10.0.0.1')).toEqual({ connections: 0, pending: 0 });
  });
});
