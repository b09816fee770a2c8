/**
 * Encrypted transport on the embedded broker, driven by real clients (mosquitto_pub/sub 2.0 and
 * MQTT.js) with a throwaway CA made by `openssl`: mqtts and wss with the device's secret or with
 * its client certificate (CN = compound/type/device, no password), the plain listener switched
 * off; certificates of another CA, or a client that does not trust the hub, refused and counted;
 * plain WebSocket; and MQTT 5, which the embedded broker refuses with a CONNACK.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { deviceTopic } from '../../src/contracts/topics.ts';
import type { Hub } from '../../src/hub.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { certsDir, createCa, issueCertificate, type CertFiles, type TestCa } from '../helpers/certs.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { brokerRefused } from '../helpers/metrics.ts';
import { startSimulation } from '../../simulators/sim.runner.ts';

const run = promisify(execFile);

let dir: Awaited<ReturnType<typeof tempDir>>;
let devices: FleetDevice[];
let registryFile: string;
let ca: TestCa;
let otherCa: TestCa;
let server: CertFiles;
/** TLS with client certificates, no plain listener: mqtts and wss. */
let hub: Hub;
let floor = 0;
const clients: MqttClient[] = [];

const device = (type: FleetDevice['type'], n = 0, compound = 'h1') => devices.filter((d) => d.compound === compound && d.type === type)[n]!;
const telemetry = (d: FleetDevice) => deviceTopic('compounds', d, 'telemetry');
const listener = (h: Hub, scheme: string) => {
  const found = h.info.brokerListeners.find((l) => l.url.startsWith(`${scheme}://`));
  if (!found) throw new Error(`no ${scheme} listener: ${JSON.stringify(h.info.brokerListeners)}`);
  return { url: found.url, port: new URL(found.url).port };
};
const floorOf = async (h: Hub, d: FleetDevice) => (await getJson(h, `/api/devices/${d.key}`)).fields?.floor as number | undefined;
const files = async (c: CertFiles) => ({ cert: await readFile(c.cert), key: await readFile(c.key) });

/** mosquitto_pub/sub with arguments; the exit code and output (no throw). */
async function mosquitto(tool: 'mosquitto_pub' | 'mosquitto_sub', args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(tool, args, { timeout: 10_000 });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return client;
}

/** How the first connection attempt of an MQTT.js client ends: connected, or the error it reports. */
async function attempt(url: string, options: IClientOptions): Promise<{ connected: boolean; error?: Error & { code?: unknown } }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ connected: true }));
    client.once('error', (error) => resolve({ connected: false, error }));
    client.once('close', () => resolve({ connected: false }));
  });
}

/** How much `count` grows while `act` runs (the hub counts right after the handshake, so it is polled). */
async function growth(count: () => Promise<number>, act: () => Promise<unknown>, expected: number): Promise<void> {
  const before = await count();
  await act();
  await expect.poll(async () => (await count()) - before, { timeout: 5000 }).toBe(expected);
}

beforeAll(async () => {
  dir = await tempDir('tls');
  const certs = await certsDir(dir.path);
  [ca, otherCa] = await Promise.all([createCa(certs, 'hub-ca'), createCa(certs, 'other-ca')]);
  server = await issueCertificate(ca, { cn: 'hub.test', san: ['DNS:localhost', 'IP:127.0.0.1'] });
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  devices = registry.devices;
  registryFile = registry.file;
  hub = await startTestHub({
    DATA_DIR: `${dir.path}/data`,
    REGISTRY_FILE: registryFile,
    INFLUX_MANAGED: 'off',
    MQTT_PORT: 'off',
    MQTT_TLS_PORT: '0',
    MQTT_TLS_CERT: server.cert,
    MQTT_TLS_KEY: server.key,
    MQTT_TLS_CA: ca.cert,
    MQTT_WS_PORT: '0',
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await hub?.stop();
  await dir?.remove();
});

describe('mqtts and wss on the embedded broker', () => {
  it('listens only where it was asked to: no plain MQTT with MQTT_PORT=off', () => {
    const urls = hub.info.brokerListeners.map((l) => l.url.split(':')[0]);
    expect(urls).toEqual(['mqtts', 'wss']);
    expect(hub.info.brokerListeners.every((l) => l.clientCertificates)).toBe(true);
    expect(hub.info.brokerUrl).toBe(listener(hub, 'mqtts').url);
  });

  it('takes mosquitto_pub over TLS with the device secret, and with a client certificate and no password', async () => {
    const { port } = listener(hub, 'mqtts');
    const withSecret = device('elevator', 0);
    floor += 1;
    const bySecret = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '--cafile', ca.cert, '-i', withSecret.key, '-u', withSecret.key, '-P', withSecret.secret, '-q', '1', '-t', telemetry(withSecret), '-m', JSON.stringify({ floor })]);
    expect(bySecret).toMatchObject({ code: 0 });
    await expect.poll(() => floorOf(hub, withSecret)).toBe(floor);

    const withCert = device('elevator', 1);
    const cert = await issueCertificate(ca, { cn: withCert.key, client: true });
    floor += 1;
    const byCert = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '--cafile', ca.cert, '--cert', cert.cert, '--key', cert.key, '-i', withCert.key, '-q', '1', '-t', telemetry(withCert), '-m', JSON.stringify({ floor })]);
    expect(byCert).toMatchObject({ code: 0 });
    await expect.poll(() => floorOf(hub, withCert)).toBe(floor);
  });

  it('lets mosquitto_sub with a client certificate read its own retained status', async () => {
    const manhole = device('manhole', 0);
    const cert = await issueCertificate(ca, { cn: manhole.key, client: true });
    const tlsArgs = ['-h', '127.0.0.1', '-p', listener(hub, 'mqtts').port, '--cafile', ca.cert, '--cert', cert.cert, '--key', cert.key, '-i', manhole.key];
    const status = deviceTopic('compounds', manhole, 'status');
    expect(await mosquitto('mosquitto_pub', [...tlsArgs, '-q', '1', '-r', '-t', status, '-m', 'online'])).toMatchObject({ code: 0 });
    const sub = await mosquitto('mosquitto_sub', [...tlsArgs, '-t', status, '-C', '1', '-W', '5']);
    expect(sub).toEqual({ code: 0, out: 'online\n' });
  });

  it('takes MQTT.js over mqtts and wss, by secret and by certificate', async () => {
    const trust = { ca: await readFile(ca.cert) };
    const cases: Array<{ url: string; d: FleetDevice; auth: 'secret' | 'cert' }> = [
      { url: listener(hub, 'mqtts').url, d: device('parking', 0), auth: 'secret' },
      { url: listener(hub, 'mqtts').url, d: device('parking', 1), auth: 'cert' },
      { url: listener(hub, 'wss').url, d: device('fire_lane', 0), auth: 'secret' },
      { url: listener(hub, 'wss').url, d: device('manhole', 1), auth: 'cert' },
    ];
    for (const { url, d, auth } of cases) {
      const credentials = auth === 'secret' ? { username: d.key, password: d.secret } : await files(await issueCertificate(ca, { cn: d.key, client: true, name: `mqttjs-${d.device}` }));
      const client = await connect(url, { ...trust, ...credentials, clientId: d.key });
      const payload = d.type === 'parking' || d.type === 'fire_lane' ? { occupied: true } : { tiltDeg: 1 };
      await client.publishAsync(telemetry(d), JSON.stringify(payload), { qos: 1 });
      await expect.poll(async () => (await getJson(hub, `/api/devices/${d.key}`)).fields, { timeout: 5000 }).toMatchObject(payload);
      await client.endAsync();
    }
  });

  it('carries the simulators over mqtts and wss with --ca (their devices log in with their secrets)', async () => {
    const caPem = await readFile(ca.cert);
    for (const [scheme, d] of [['mqtts', device('fire_lane', 0)], ['wss', device('parking', 1)]] as const) {
      const sim = startSimulation({ url: listener(hub, scheme).url, devices: [d], tls: { ca: caPem }, intervalMs: 100, seed: 7 });
      await sim.ready;
      await expect.poll(() => sim.stats().published, { timeout: 5000 }).toBeGreaterThan(0);
      await sim.stop();
    }
  });

  it('refuses a certificate of an unregistered device, and a certificate used with another device name', async () => {
    const trust = { ca: await readFile(ca.cert) };
    const url = listener(hub, 'mqtts').url;
    const stranger = await files(await issueCertificate(ca, { cn: 'h1/elevator/elev-99', client: true }));
    const elev = device('elevator', 0);
    const other = device('elevator', 1);
    const own = await files(await issueCertificate(ca, { cn: elev.key, client: true, name: 'impostor' }));
    await growth(() => brokerRefused(hub, 'connect', 'bad_credentials'), async () => {
      const unknown = await attempt(url, { ...trust, ...stranger, clientId: 'h1/elevator/elev-99' });
      expect(unknown.connected).toBe(false);
      expect(unknown.error?.code).toBe(4);
      // The certificate says elev-01; the CONNECT claims elev-02 with elev-02's secret.
      const impostor = await attempt(url, { ...trust, ...own, clientId: other.key, username: other.key, password: other.secret });
      expect(impostor.connected).toBe(false);
      expect(impostor.error?.code).toBe(4);
    }, 2);
  });

  it('refuses a client certificate of another CA, and counts it', async () => {
    const elev = device('elevator', 0);
    const foreign = await issueCertificate(otherCa, { cn: elev.key, client: true });
    await growth(() => brokerRefused(hub, 'tls', 'client_certificate'), async () => {
      const pub = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', listener(hub, 'mqtts').port, '--cafile', ca.cert, '--cert', foreign.cert, '--key', foreign.key, '-q', '1', '-t', telemetry(elev), '-m', '{"floor":99}']);
      expect(pub.code).not.toBe(0);
      expect(pub.out).toMatch(/connection was lost/i);
      const js = await attempt(listener(hub, 'wss').url, { ca: await readFile(ca.cert), ...(await files(foreign)), clientId: elev.key });
      expect(js.connected).toBe(false);
    }, 2);
    expect(await floorOf(hub, elev)).not.toBe(99);
  });

  it('is refused by a client that trusts another CA, and counts the aborted handshake', async () => {
    const elev = device('elevator', 0);
    // OpenSSL clients (mosquitto_pub, paho) check the hub's certificate during the handshake and abort it: counted.
    await growth(() => brokerRefused(hub, 'tls', 'handshake'), async () => {
      const pub = await mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', listener(hub, 'mqtts').port, '--cafile', otherCa.cert, '-i', elev.key, '-u', elev.key, '-P', elev.secret, '-t', telemetry(elev), '-m', '{"floor":98}']);
      expect(pub.code).not.toBe(0);
      expect(pub.out).toMatch(/TLS error/);
    }, 1);
    // Node's TLS checks it once the handshake is done, then closes: it sends no secret either.
    const js = await attempt(listener(hub, 'mqtts').url, { ca: await readFile(otherCa.cert), clientId: elev.key, username: elev.key, password: elev.secret });
    // The hub sends its chain up to its CA when MQTT_TLS_CA is that CA: "self-signed certificate in chain" to this client.
    expect(js).toMatchObject({ connected: false, error: { code: expect.stringMatching(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/) } });
    expect(await floorOf(hub, elev)).not.toBe(98);
  });

  it('refuses a device without a certificate that has no secret either', async () => {
    const elev = device('elevator', 0);
    await growth(() => brokerRefused(hub, 'connect'), async () => {
      const js = await attempt(listener(hub, 'mqtts').url, { ca: await readFile(ca.cert), clientId: elev.key, username: elev.key });
      expect(js.error?.code).toBe(4);
    }, 1);
  });
});

describe('plain WebSocket and MQTT 5 on the embedded broker', () => {
  let plain: Hub;
  beforeAll(async () => {
    plain = await startTestHub({ DATA_DIR: `${dir.path}/data-ws`, REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off', MQTT_WS_PORT: '0' });
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('takes MQTT.js over ws beside plain MQTT', async () => {
    expect(plain.info.brokerListeners.map((l) => l.url.split(':')[0])).toEqual(['mqtt', 'ws']);
    const elev = device('elevator', 0);
    const client = await connect(listener(plain, 'ws').url, { clientId: elev.key, username: elev.key, password: elev.secret });
    floor += 1;
    await client.publishAsync(telemetry(elev), JSON.stringify({ floor }), { qos: 1 });
    await expect.poll(() => floorOf(plain, elev)).toBe(floor);
    await client.endAsync();
  });

  it('ends a WebSocket connection whose message is over MQTT_MAX_PACKET_BYTES, counted as packet_too_large', async () => {
    const elev = device('elevator', 1);
    const client = await connect(listener(plain, 'ws').url, { clientId: elev.key, username: elev.key, password: elev.secret });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await growth(() => brokerRefused(plain, 'packet_too_large'), async () => {
      client.publish(telemetry(elev), Buffer.alloc(100_000, 'x'), { qos: 0 });
      await closed;
    }, 1);
  });

  it('answers a plain HTTP request on the WebSocket port with 426', async () => {
    const res = await fetch(listener(plain, 'ws').url.replace(/^ws/, 'http'));
    expect(res.status).toBe(426);
  });

  it('refuses MQTT 5 with CONNACK "unsupported protocol version" (MQTT.js and mosquitto_pub -V 5), counted as protocol', async () => {
    const elev = device('elevator', 0);
    await growth(() => brokerRefused(plain, 'protocol'), async () => {
      const js = await attempt(plain.info.brokerUrl, { protocolVersion: 5, clientId: elev.key, username: elev.key, password: elev.secret });
      expect(js.connected).toBe(false);
      expect(js.error?.message).toMatch(/unacceptable protocol version/i);
      const pub = await mosquitto('mosquitto_pub', ['-V', '5', '-h', '127.0.0.1', '-p', new URL(plain.info.brokerUrl).port, '-i', elev.key, '-u', elev.key, '-P', elev.secret, '-t', telemetry(elev), '-m', '{"floor":97}']);
      expect(pub.code).not.toBe(0);
      expect(pub.out).toMatch(/unsupported protocol version/i);
    }, 2);
    // The same device with MQTT 3.1.1 is still welcome.
    const ok = await connect(plain.info.brokerUrl, { clientId: elev.key, username: elev.key, password: elev.secret });
    expect(ok.connected).toBe(true);
  });
});
