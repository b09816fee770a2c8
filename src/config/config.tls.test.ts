/** The TLS and WebSocket settings of loadConfig: the embedded broker's listeners and TLS to an external broker. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.loader.ts';
import { configFailure } from '../testing/config-failure.ts';

const failure = configFailure;

const embedded = (env: Record<string, string>) => {
  const broker = loadConfig({ DEMO: 'off', ...env }).broker;
  if (broker.kind !== 'embedded') throw new Error('expected the embedded broker');
  return broker;
};

describe('embedded broker listeners', () => {
  it('has only the plain listener by default', () => {
    const broker = embedded({});
    expect(broker.port).toBe(1883);
    expect(broker.tls).toBeUndefined();
    expect(broker.wsPort).toBeUndefined();
  });

  it('adds mqtts on 8883 when MQTT_TLS_CERT and MQTT_TLS_KEY are set, with client certificates from MQTT_TLS_CA', () => {
    expect(embedded({ MQTT_TLS_CERT: 'server.crt', MQTT_TLS_KEY: 'server.key' }).tls).toEqual({ port: 8883, cert: path.resolve('server.crt'), key: path.resolve('server.key') });
    expect(embedded({ MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key', MQTT_TLS_CA: 'ca.crt', MQTT_TLS_PORT: '9883' }).tls).toEqual({
      port: 9883, cert: path.resolve('a.crt'), key: path.resolve('a.key'), ca: path.resolve('ca.crt'),
    });
  });

  it('takes MQTT_PORT=off and MQTT_WS_PORT', () => {
    const broker = embedded({ MQTT_PORT: 'off', MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key', MQTT_WS_PORT: '8884' });
    expect(broker.port).toBe('off');
    expect(broker.wsPort).toBe(8884);
    expect(embedded({ MQTT_PORT: 'off', MQTT_WS_PORT: '8080' }).port).toBe('off');
  });

  it('refuses incomplete or clashing TLS settings, naming them', () => {
    expect(failure({ MQTT_TLS_CERT: 'a.crt' })).toContain('MQTT_TLS_CERT: needs MQTT_TLS_KEY');
    expect(failure({ MQTT_TLS_KEY: 'a.key' })).toContain('MQTT_TLS_KEY: needs MQTT_TLS_CERT');
    expect(failure({ MQTT_TLS_CA: 'ca.crt' })).toContain('MQTT_TLS_CA: client certificates need the TLS listener');
    expect(failure({ MQTT_TLS_PORT: '8883' })).toContain('MQTT_TLS_PORT: needs MQTT_TLS_CERT and MQTT_TLS_KEY');
    expect(failure({ MQTT_PORT: 'of' })).toMatch(/^MQTT_PORT: /);
    expect(failure({ MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key', MQTT_TLS_PORT: '1883' })).toContain('MQTT_TLS_PORT: 1883 is also MQTT_PORT');
    expect(failure({ MQTT_WS_PORT: '1883' })).toContain('MQTT_WS_PORT: 1883 is also MQTT_PORT');
  });

  it('refuses a broker with no listener left, and a demo that has none to publish on', () => {
    expect(failure({ MQTT_PORT: 'off', DEMO: 'off' })).toContain('MQTT_PORT: off leaves the broker no listener');
    expect(failure({ MQTT_PORT: 'off', MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key' })).toContain('the demo fleet publishes over the plain listener');
    expect(embedded({ MQTT_PORT: 'off', MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key', REGISTRY_FILE: 'r.json', DEMO: 'auto' }).port).toBe('off');
  });
});

describe('TLS to an external broker', () => {
  it('takes MQTT_CA, MQTT_CERT and MQTT_KEY with an mqtts:// or wss:// MQTT_URL', () => {
    const broker = loadConfig({ MQTT_URL: 'mqtts://broker:8883', MQTT_CA: 'ca.crt', MQTT_CERT: 'hub.crt', MQTT_KEY: 'hub.key' }).broker;
    expect(broker).toMatchObject({ kind: 'external', tls: { ca: path.resolve('ca.crt'), cert: path.resolve('hub.crt'), key: path.resolve('hub.key') } });
    expect(loadConfig({ MQTT_URL: 'wss://broker/mqtt', MQTT_CA: 'ca.crt' }).broker).toMatchObject({ tls: { ca: path.resolve('ca.crt') } });
    expect(loadConfig({ MQTT_URL: 'mqtts://broker:8883' }).broker).not.toHaveProperty('tls');
  });

  it('refuses TLS files with a plain URL, half a key pair, and the embedded broker\'s settings', () => {
    expect(failure({ MQTT_URL: 'mqtt://broker:1883', MQTT_CA: 'ca.crt' })).toContain('MQTT_CA: TLS needs an mqtts:// (or wss://) MQTT_URL');
    expect(failure({ MQTT_URL: 'mqtts://broker', MQTT_CERT: 'hub.crt' })).toContain('MQTT_CERT: needs MQTT_KEY');
    expect(failure({ MQTT_URL: 'mqtts://broker', MQTT_TLS_CERT: 'a.crt', MQTT_TLS_KEY: 'a.key' })).toContain('MQTT_TLS_CERT: a setting of the embedded broker');
    expect(failure({ MQTT_CA: 'ca.crt' })).toContain('MQTT_CA: TLS to an external broker (MQTT_URL)');
  });
});

describe('HTTPS on the HTTP port', () => {
  it('serves plain HTTP with ordinary cookies by default', () => {
    const config = loadConfig({ DEMO: 'off' });
    expect(config.http.tls).toBeUndefined();
    expect(config.auth.cookieSecure).toBe(false);
  });

  it('takes HTTPS_CERT and HTTPS_KEY, and then makes the session cookie Secure unless COOKIE_SECURE=off', () => {
    const config = loadConfig({ DEMO: 'off', HTTPS_CERT: 'hub.crt', HTTPS_KEY: 'hub.key' });
    expect(config.http.tls).toEqual({ cert: path.resolve('hub.crt'), key: path.resolve('hub.key') });
    expect(config.auth.cookieSecure).toBe(true);
    expect(loadConfig({ DEMO: 'off', HTTPS_CERT: 'hub.crt', HTTPS_KEY: 'hub.key', COOKIE_SECURE: 'off' }).auth.cookieSecure).toBe(false);
    // Behind a TLS proxy, without the hub's own HTTPS.
    expect(loadConfig({ DEMO: 'off', COOKIE_SECURE: 'on' }).auth.cookieSecure).toBe(true);
  });

  it('refuses half a key pair, naming the missing half', () => {
    expect(failure({ HTTPS_CERT: 'hub.crt' })).toContain('HTTPS_CERT: needs HTTPS_KEY');
    expect(failure({ HTTPS_KEY: 'hub.key' })).toContain('HTTPS_KEY: needs HTTPS_CERT');
  });
});
