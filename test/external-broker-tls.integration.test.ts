/**
 * The hub on an external Mosquitto over TLS, with a throwaway CA made by `openssl`: a start that
 * cannot succeed stops at once naming its cause (unknown authority, wrong CA, host name mismatch,
 * credentials or client certificate refused) instead of waiting out the connect timeout; with
 * MQTT_CA (and MQTT_CERT/MQTT_KEY for mutual TLS) the hub ingests, also from MQTT 5 devices,
 * which the embedded broker does not take.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { Hub } from '../src/hub.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { certsDir, createCa, issueCertificate, type CertFiles, type TestCa } from './helpers/certs.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { readmeBlock } from './helpers/readme.ts';

const run = promisify(execFile);
const HUB_PASSWORD = 'hub-secret-for-tls-tests';
/** The README's ACL, as written there: each device under its own compound/type/device; the hub reads all and writes its status and alerts. */
let ACL = '';

let dir: Awaited<ReturnType<typeof tempDir>>;
let devices: FleetDevice[];
let registryFile: string;
let ca: TestCa;
let otherCa: TestCa;
let server: CertFiles;
let starts = 0;
const hubs: Hub[] = [];

const device = (type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === 'h1' && d.type === type)[n]!;
const fieldsOf = async (hub: Hub, d: FleetDevice) => (await getJson(hub, `/api/devices/${d.key}`)).fields;
const tlsUrl = (broker: Mosquitto) => `mqtts://127.0.0.1:${broker.port}`;

async function startHub(env: Record<string, string>): Promise<Hub> {
  starts += 1;
  const hub = await startTestHub({ DATA_DIR: `${dir.path}/data-${starts}`, REGISTRY_FILE: registryFile, INFLUX_MANAGED: 'off', MQTT_CLIENT_ID: 'compound-hub', ...env });
  hubs.push(hub);
  return hub;
}

/** The message a start fails with. */
async function startError(env: Record<string, string>): Promise<string> {
  const error = await startHub(env).then(
    () => new Error('the hub started'),
    (e: Error) => e,
  );
  return error.message;
}

beforeAll(async () => {
  ACL = (await readmeBlock('# /etc/mosquitto/acl')).join('\n');
  dir = await tempDir('ext-tls');
  const certs = await certsDir(dir.path);
  [ca, otherCa] = await Promise.all([createCa(certs, 'broker-ca'), createCa(certs, 'other-ca')]);
  server = await issueCertificate(ca, { cn: 'broker.test', san: ['DNS:localhost', 'IP:127.0.0.1'] });
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  devices = registry.devices;
  registryFile = registry.file;
});

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop().catch(() => undefined)));
  await dir?.remove();
});

describe('external Mosquitto over TLS (server certificate, passwords)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    const park = device('parking', 0);
    const elev = device('elevator', 0);
    broker = await startMosquitto({
      passwords: { 'compound-hub': HUB_PASSWORD, [park.key]: park.secret, [elev.key]: elev.secret },
      acl: ACL,
      extraConfig: [`certfile ${server.cert}`, `keyfile ${server.key}`].join('\n'),
    });
  });
  afterAll(async () => {
    await broker?.stop();
  });
  const credentials = () => ({ MQTT_URL: tlsUrl(broker), MQTT_USERNAME: 'compound-hub', MQTT_PASSWORD: HUB_PASSWORD });

  it('without MQTT_CA: stops at once, "certificate signed by an unknown authority: set MQTT_CA"', async () => {
    expect(await startError(credentials())).toMatch(/certificate signed by an unknown authority: set MQTT_CA/);
  });

  it('with the wrong MQTT_CA: names it', async () => {
    expect(await startError({ ...credentials(), MQTT_CA: otherCa.cert })).toMatch(/^MQTT_CA: .*not signed by the CA in .*other-ca\.crt/);
  });

  it('with refused credentials: names MQTT_USERNAME and MQTT_PASSWORD', async () => {
    expect(await startError({ ...credentials(), MQTT_CA: ca.cert, MQTT_PASSWORD: 'wrong' })).toMatch(/refused the hub's credentials .*MQTT_USERNAME and MQTT_PASSWORD/);
  });

  it('with MQTT_CA: ingests, also from MQTT 5 devices (mosquitto_pub -V 5 and MQTT.js)', async () => {
    const hub = await startHub({ ...credentials(), MQTT_CA: ca.cert });
    expect(hub.info.brokerUrl).toBe(tlsUrl(broker));
    const park = device('parking', 0);
    const pub = await run('mosquitto_pub', [
      '-V', '5', '-h', '127.0.0.1', '-p', String(broker.port), '--cafile', ca.cert, '-i', park.key, '-u', park.key, '-P', park.secret,
      '-q', '1', '-t', deviceTopic('compounds', park, 'telemetry'), '-m', JSON.stringify({ occupied: true }),
    ]);
    expect(pub.stderr).toBe('');
    await expect.poll(() => fieldsOf(hub, park), { timeout: 10_000 }).toMatchObject({ occupied: true });

    const elev = device('elevator', 0);
    const v5 = await mqtt.connectAsync(tlsUrl(broker), { protocolVersion: 5, ca: await readFile(ca.cert), clientId: elev.key, username: elev.key, password: elev.secret, reconnectPeriod: 0 });
    await v5.publishAsync(deviceTopic('compounds', elev, 'telemetry'), JSON.stringify({ floor: 7 }), { qos: 1, properties: { contentType: 'application/json' } });
    await v5.endAsync();
    await expect.poll(() => fieldsOf(hub, elev), { timeout: 10_000 }).toMatchObject({ floor: 7 });
    await hub.stop();
  });
});

describe('external broker with a certificate for another host name', () => {
  let fake: tls.Server;
  let port: number;
  beforeAll(async () => {
    const elsewhere = await issueCertificate(ca, { cn: 'elsewhere.test', san: ['DNS:elsewhere.test'] });
    fake = tls.createServer({ cert: await readFile(elsewhere.cert), key: await readFile(elsewhere.key) }, (socket) => socket.destroy());
    fake.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    port = (fake.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake?.close(resolve));
  });

  it('stops at once naming the hostname mismatch', async () => {
    expect(await startError({ MQTT_URL: `mqtts://127.0.0.1:${port}`, MQTT_CA: ca.cert })).toMatch(/hostname mismatch: the broker's certificate is not for this host name .*127\.0\.0\.1/);
  });
});

describe('external Mosquitto with client certificates (mutual TLS)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({
      allowAnonymous: false,
      acl: ACL,
      // Each client's certificate CN is its user name: compound-hub, or compound/type/device.
      extraConfig: [`cafile ${ca.cert}`, `certfile ${server.cert}`, `keyfile ${server.key}`, 'require_certificate true', 'use_identity_as_username true'].join('\n'),
    });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('without MQTT_CERT: stops at once, naming MQTT_CERT and MQTT_KEY', async () => {
    expect(await startError({ MQTT_URL: tlsUrl(broker), MQTT_CA: ca.cert })).toMatch(/^MQTT_CERT: .*wants a client certificate .*set MQTT_CERT and MQTT_KEY/);
  });

  it('with a client certificate of a CA the broker does not trust: names MQTT_CERT', async () => {
    const foreign = await issueCertificate(otherCa, { cn: 'compound-hub', client: true, name: 'foreign-hub' });
    expect(await startError({ MQTT_URL: tlsUrl(broker), MQTT_CA: ca.cert, MQTT_CERT: foreign.cert, MQTT_KEY: foreign.key })).toMatch(/^MQTT_CERT: .*refused the hub's client certificate/);
  });

  it('with MQTT_CERT/MQTT_KEY: ingests from devices that log in with their own certificates', async () => {
    const hubCert = await issueCertificate(ca, { cn: 'compound-hub', client: true });
    const hub = await startHub({ MQTT_URL: tlsUrl(broker), MQTT_CA: ca.cert, MQTT_CERT: hubCert.cert, MQTT_KEY: hubCert.key });
    const park = device('parking', 1);
    const parkCert = await issueCertificate(ca, { cn: park.key, client: true });
    await run('mosquitto_pub', [
      '-h', '127.0.0.1', '-p', String(broker.port), '--cafile', ca.cert, '--cert', parkCert.cert, '--key', parkCert.key, '-i', park.key,
      '-q', '1', '-t', deviceTopic('compounds', park, 'telemetry'), '-m', JSON.stringify({ occupied: true }),
    ]);
    await expect.poll(() => fieldsOf(hub, park), { timeout: 10_000 }).toMatchObject({ occupied: true });

    const elev = device('elevator', 1);
    const elevCert = await issueCertificate(ca, { cn: elev.key, client: true });
    const v5 = await mqtt.connectAsync(tlsUrl(broker), {
      protocolVersion: 5, ca: await readFile(ca.cert), cert: await readFile(elevCert.cert), key: await readFile(elevCert.key), clientId: elev.key, reconnectPeriod: 0,
    });
    await v5.publishAsync(deviceTopic('compounds', elev, 'telemetry'), JSON.stringify({ floor: 4 }), { qos: 1 });
    // The broker's ACL keeps it to its own topics: MQTT 5 says so in the PUBACK, and nothing reaches the hub.
    await expect(v5.publishAsync(deviceTopic('compounds', park, 'telemetry'), JSON.stringify({ occupied: false }), { qos: 1 })).rejects.toThrow(/not authorized/i);
    await v5.endAsync();
    await expect.poll(() => fieldsOf(hub, elev), { timeout: 10_000 }).toMatchObject({ floor: 4 });
    expect(await fieldsOf(hub, park)).toMatchObject({ occupied: true });
    await hub.stop();
  });
});
