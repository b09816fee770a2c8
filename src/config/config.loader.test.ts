import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.loader.ts';
import { hostname } from 'node:os';
import { hostAllowed } from '../api/origin.guard.ts';
import { configFailure } from '../testing/config-failure.ts';

const failure = configFailure;

describe('loadConfig', () => {
  it('has sensible defaults: embedded broker, managed storage, demo on', () => {
    const c = loadConfig({});
    expect(c.broker).toEqual({
      kind: 'embedded', host: '127.0.0.1', port: 1883, maxPacketBytes: 65_536, connectTimeoutMs: 10_000,
      limits: {
        deviceRate: { ratePerSec: 200, burst: 2000, floodDisconnectMs: 10_000 },
        maxKeepaliveSec: 900,
        maxConnectionsPerAddress: 10_000,
        maxPendingPerAddress: 1000,
      },
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: [], allowedHosts: { entries: [{ host: 'localhost' }], describe: 'localhost and IP addresses' } });
    expect(c.state).toEqual({ auditRetentionMs: 365 * 86_400_000 });
    expect(c.storage).toEqual({ kind: 'managed' });
    expect(c.demo.enabled).toBe(true);
    expect(c.topicRoot).toBe('compounds');
  });

  it('picks v1 or v2 for an external InfluxDB by whether a token is given', () => {
    expect(loadConfig({ INFLUX_URL: 'http://db:8086/' }).storage).toMatchObject({
      kind: 'external', settings: { api: 'v1', url: 'http://db:8086', database: 'compound_hub' },
    });
    expect(loadConfig({ INFLUX_URL: 'http://db:8086', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' }).storage).toMatchObject({
      kind: 'external', settings: { api: 'v2', token: 't', org: 'o', bucket: 'b' },
    });
  });

  it('takes a user and password out of INFLUX_URL, so that no URL carries them', () => {
    expect(loadConfig({ INFLUX_URL: 'http://hub:p%40ss%3Aword@db:8086/' }).storage).toEqual({
      kind: 'external', settings: expect.objectContaining({ url: 'http://db:8086', username: 'hub', password: 'p@ss:word' }),
    });
    const message = failure({ INFLUX_URL: 'http://hub:url-secret@db:8086', INFLUX_PASSWORD: 'env-secret' });
    expect(message).toMatch(/^INFLUX_URL: holds a user and password, and INFLUX_USERNAME\/INFLUX_PASSWORD are set too/);
    expect(message).not.toMatch(/secret/);
  });

  it('uses an external broker and turns the demo off', () => {
    const c = loadConfig({ MQTT_URL: 'mqtt://broker:1883', REGISTRY_FILE: 'r.json' });
    expect(c.broker).toMatchObject({ kind: 'external', url: 'mqtt://broker:1883', clientId: 'compound-hub' });
    expect(c.demo.enabled).toBe(false);
  });

  it('treats empty variables as unset and parses durations', () => {
    const c = loadConfig({ INFLUX_URL: '', DEMO_INTERVAL: '2s', INFLUX_FLUSH_INTERVAL: '250ms' });
    expect(c.storage.kind).toBe('managed');
    expect(c.demo.intervalMs).toBe(2000);
    expect(c.influx.flushIntervalMs).toBe(250);
  });

  it('bounds MQTT packets to what a payload may be, and sets how long a CONNECT may take', () => {
    expect(loadConfig({ MAX_PAYLOAD_BYTES: '1048576', MQTT_CONNECT_TIMEOUT: '2s' }).broker).toMatchObject({ maxPacketBytes: 1_048_576 + 1024, connectTimeoutMs: 2000 });
    expect(loadConfig({ MQTT_MAX_PACKET_BYTES: '20000' }).broker).toMatchObject({ maxPacketBytes: 20_000 });
    expect(failure({ MQTT_MAX_PACKET_BYTES: '16384' })).toMatch(/^MQTT_MAX_PACKET_BYTES: must be at least MAX_PAYLOAD_BYTES \+ 1024 \(17408\)/);
  });

  it('limits each device and address, and keepalives, unless turned off', () => {
    const c = loadConfig({ MQTT_DEVICE_RATE: '0.5', MQTT_DEVICE_BURST: '10', MQTT_FLOOD_DISCONNECT: 'off', MQTT_MAX_KEEPALIVE: '2m', MQTT_MAX_CONNECTIONS_PER_ADDRESS: '50', MQTT_MAX_PENDING_PER_ADDRESS: '5' });
    expect(c.broker).toMatchObject({ limits: { deviceRate: { ratePerSec: 0.5, burst: 10 }, maxKeepaliveSec: 120, maxConnectionsPerAddress: 50, maxPendingPerAddress: 5 } });
    expect(c.broker.kind === 'embedded' && c.broker.limits.deviceRate).not.toHaveProperty('floodDisconnectMs');
    const off = loadConfig({ MQTT_DEVICE_RATE: 'off', MQTT_MAX_KEEPALIVE: 'off' });
    expect(off.broker.kind === 'embedded' && off.broker.limits).toEqual({ maxConnectionsPerAddress: 10_000, maxPendingPerAddress: 1000 });
    expect(failure({ MQTT_MAX_KEEPALIVE: '500ms' })).toMatch(/^MQTT_MAX_KEEPALIVE: must be between 1s and 65535s/);
    expect(failure({ MQTT_MAX_KEEPALIVE: '19h' })).toMatch(/^MQTT_MAX_KEEPALIVE: /);
    expect(failure({ MQTT_DEVICE_RATE: 'lots' })).toMatch(/^MQTT_DEVICE_RATE: /);
  });

  it('takes the operational database by DATABASE_URL and the proxies to believe by TRUST_PROXY', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://hub:pw@db.internal:5432/hub', TRUST_PROXY: '10.0.0.2, 192.168.1.0/24', AUDIT_RETENTION_DAYS: '30' });
    expect(c.state).toEqual({ databaseUrl: 'postgres://hub:pw@db.internal:5432/hub', auditRetentionMs: 30 * 86_400_000 });
    expect(c.http.trustProxy).toEqual(['10.0.0.2', '192.168.1.0/24']);
    expect(failure({ DATABASE_URL: 'mysql://db/hub' })).toMatch(/^DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//m);
    expect(failure({ TRUST_PROXY: 'everyone' })).toMatch(/^TRUST_PROXY: expected off, or comma-separated proxy addresses/m);
  });


  it('takes PUBLIC_URL as an origin and answers to its host, besides the names listed or this machine’s', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://Hub.Example.com/', HTTP_HOST: '0.0.0.0' });
    expect(c.http.publicUrl).toBe('https://hub.example.com');
    expect(hostAllowed(c.http.allowedHosts, 'hub.example.com')).toBe(true);
    // Naming it does not drop this machine's host name, nor the names listed.
    expect(hostAllowed(c.http.allowedHosts, hostname())).toBe(true);
    const listed = loadConfig({ PUBLIC_URL: 'http://hub.example.com:8080', HTTP_ALLOWED_HOSTS: 'ops.example.com' });
    expect(hostAllowed(listed.http.allowedHosts, 'hub.example.com:8080')).toBe(true);
    expect(hostAllowed(listed.http.allowedHosts, 'hub.example.com:9090')).toBe(false);
    expect(hostAllowed(listed.http.allowedHosts, 'ops.example.com')).toBe(true);
    expect(hostAllowed(listed.http.allowedHosts, 'rebind.evil.example')).toBe(false);
    expect(failure({ PUBLIC_URL: 'hub.example.com' })).toMatch(/^PUBLIC_URL: /m);
    expect(failure({ PUBLIC_URL: 'ftp://hub.example.com' })).toMatch(/^PUBLIC_URL: must start with http:\/\/ or https:\/\//m);
    expect(failure({ PUBLIC_URL: 'https://hub.example.com/hub/' })).toMatch(/^PUBLIC_URL: the hub serves its pages at the root of an address; give only scheme, host and port, like https:\/\/hub.example.com$/m);
    expect(loadConfig({}).http.publicUrl).toBeUndefined();
  });
  it('runs as a cluster instance only over PostgreSQL and an external broker', () => {
    const c = loadConfig({ CLUSTER: 'on', CLUSTER_INSTANCE: 'hub-1', CLUSTER_LEASE: '6s', DATABASE_URL: 'postgres://db/hub', MQTT_URL: 'mqtt://broker' });
    expect(c.cluster).toEqual({ instance: 'hub-1', partitions: 64, leaseMs: 6000 });
    expect(loadConfig({ CLUSTER: 'on', DATABASE_URL: 'postgres://db/hub', MQTT_URL: 'mqtt://broker', HTTP_PORT: '8081' }).cluster?.instance).toMatch(/-8081$/);
    expect(loadConfig({}).cluster).toBeUndefined();
    const alone = failure({ CLUSTER: 'on' });
    expect(alone).toMatch(/^CLUSTER: .*DATABASE_URL/m);
    expect(alone).toMatch(/^CLUSTER: .*MQTT_URL/m);
    expect(failure({ CLUSTER: 'on', DATABASE_URL: 'postgres://db/hub', MQTT_URL: 'mqtt://b', CLUSTER_LEASE: '1s' })).toMatch(/^CLUSTER_LEASE: at least 3000 ms/m);
    expect(failure({ CLUSTER_PARTITIONS: '16' })).toMatch(/^CLUSTER_PARTITIONS: a setting of scale-out; set CLUSTER=on/m);
  });

  it('fails fast with NAME: message lines', () => {
    const message = failure({ HTTP_PORT: 'eighty', MQTT_URL: 'http://x', DEMO_INTERVAL: 'soon' });
    expect(message).toMatch(/^HTTP_PORT: /m);
    expect(message).toMatch(/^MQTT_URL: .*mqtt:\/\//m);
    expect(message).toMatch(/^DEMO_INTERVAL: expected a duration/m);
    expect(failure({ INFLUX_URL: 'http://db', INFLUX_API: 'v2' })).toMatch(/^INFLUX_API: v2 needs INFLUX_TOKEN/);
    expect(failure({ MQTT_URL: 'mqtt://b', DEMO: 'on' })).toMatch(/^DEMO: /);
  });
});
