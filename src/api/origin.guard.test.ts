import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { crossOriginReason, hostAllowed, hostPolicy, originIsHost } from './origin.guard.ts';
import { loadConfig } from '../config/config.loader.ts';

describe('allowed hosts (HTTP_ALLOWED_HOSTS)', () => {
  it('answers localhost and IP addresses on loopback, and nothing else by default', () => {
    const policy = hostPolicy(undefined, '127.0.0.1');
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:8080', '[::1]:8080', '192.168.1.20', 'LOCALHOST']) expect(hostAllowed(policy, host), host).toBe(true);
    for (const host of [undefined, '', 'rebind.evil.example', 'rebind.evil.example:8080', '127.0.0.1.evil.example', 'localhost.evil.example', 'evil@localhost', hostname() === 'localhost' ? 'x' : hostname()]) {
      expect(hostAllowed(policy, host), String(host)).toBe(false);
    }
  });

  it('adds the listed names (a port only when given) and, off loopback and unset, this machine\'s host name', () => {
    const policy = hostPolicy('hub.example.com, ops.example.com:8443', '0.0.0.0');
    expect(hostAllowed(policy, 'hub.example.com:8080')).toBe(true);
    expect(hostAllowed(policy, 'ops.example.com:8443')).toBe(true);
    expect(hostAllowed(policy, 'ops.example.com:8080')).toBe(false);
    expect(hostAllowed(policy, hostname())).toBe(hostname() === 'localhost');
    expect(hostAllowed(hostPolicy(undefined, '0.0.0.0'), hostname())).toBe(true);
    expect(hostAllowed(hostPolicy(undefined, '0.0.0.0'), 'rebind.evil.example')).toBe(false);
  });

  it('refuses a malformed HTTP_ALLOWED_HOSTS at start, naming it', () => {
    expect(() => loadConfig({ HTTP_ALLOWED_HOSTS: 'hub.example.com,http://x/' })).toThrow(/HTTP_ALLOWED_HOSTS: "http:\/\/x\/"/);
    expect(loadConfig({ HTTP_ALLOWED_HOSTS: 'hub.example.com' }).http.allowedHosts.describe).toMatch(/hub\.example\.com/);
  });
});

describe('same-origin proof of changes', () => {
  const host = '127.0.0.1:8080';
  it('takes the hub\'s own Origin, and Sec-Fetch-Site: same-origin without one', () => {
    expect(crossOriginReason('POST', { host, origin: 'http://127.0.0.1:8080' })).toBeUndefined();
    expect(crossOriginReason('DELETE', { host: 'hub.example.com', origin: 'https://hub.example.com' })).toBeUndefined();
    expect(crossOriginReason('PUT', { host, 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(crossOriginReason('GET', { host, origin: 'http://evil.example' })).toBeUndefined();
  });
  it('refuses another port, another site, null, and what a form can send without Origin', () => {
    expect(crossOriginReason('POST', { host, origin: 'http://127.0.0.1:9090' })).toMatch(/Origin/);
    expect(crossOriginReason('PATCH', { host, origin: 'null' })).toMatch(/Origin/);
    expect(crossOriginReason('POST', { host, 'sec-fetch-site': 'same-site' })).toMatch(/same-site/);
    expect(crossOriginReason('POST', { host, 'content-type': 'text/plain;charset=UTF-8' })).toMatch(/text\/plain/);
    expect(crossOriginReason('POST', { host, 'content-type': 'multipart/form-data; boundary=x' })).toMatch(/multipart/);
    expect(crossOriginReason('POST', { host, 'content-length': '3' })).toMatch(/without Content-Type/);
  });
  it('takes scripts without Origin: JSON, CSV, or no body', () => {
    expect(crossOriginReason('POST', { host, 'content-type': 'application/json' })).toBeUndefined();
    expect(crossOriginReason('POST', { host, 'content-type': 'text/csv' })).toBeUndefined();
    expect(crossOriginReason('DELETE', { host })).toBeUndefined();
  });
  it('compares the Origin\'s host and port with Host, default ports included', () => {
    expect(originIsHost('http://localhost', 'localhost:80')).toBe(true);
    expect(originIsHost('http://localhost:8080', 'LOCALHOST:8080')).toBe(true);
    expect(originIsHost('http://[::1]:8080', '[::1]:8080')).toBe(true);
    expect(originIsHost('http://localhost:8081', 'localhost:8080')).toBe(false);
    expect(originIsHost('file://', 'localhost')).toBe(false);
  });
});
