/**
 * The hub on a real Mosquitto configured exactly as the README's "An external broker" section
 * says (its config and ACL blocks are read from README.md; only paths and the port are this
 * test's): no registered device can take the hub's session (client id `compound-hub`) and
 * its queued messages, end the hub's connection, or take another device's session.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.loader.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { writeUsersFile } from '../../src/testing/access.fixture.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { FLEET_KEY, HUB_TEST_USERS, getJson } from '../helpers/test-hub.ts';
import { metricValue } from '../helpers/metrics.ts';
import { readmeBlock } from '../helpers/readme.ts';

const HUB_PASSWORD = 'hub-password-for-the-test';

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: Mosquitto;
let hub: Hub | undefined;
let devices: FleetDevice[];
let confLines: string[];
let aclLines: string[];
const logs: Array<Record<string, unknown>> = [];
const clients: MqttClient[] = [];

const find = (compound: string, type: FleetDevice['type']) => devices.find((d) => d.compound === compound && d.type === type)!;

async function startTheHub(): Promise<Hub> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({
    USERS_FILE: await writeUsersFile(HUB_TEST_USERS), HTTP_PORT: '0', DEMO: 'off', INFLUX_MANAGED: 'off',
    DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: `${dir.path}/registry.json`,
    MQTT_URL: broker.url, MQTT_USERNAME: 'compound-hub', MQTT_PASSWORD: HUB_PASSWORD,
  });
  return startHub(config, pino({ level: 'info' }, sink));
}

async function connectAs(device: FleetDevice, options: IClientOptions): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const client = mqtt.connect(broker.url, { username: device.key, password: device.secret, reconnectPeriod: 0, ...options });
  clients.push(client);
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent };
}

const accepted = (type: string) => metricValue(hub!, 'compound_hub_readings_accepted_total', { type });
const connectionLost = () => logs.filter((l) => l.msg === 'broker connection lost; reconnecting').length;

beforeAll(async () => {
  dir = await tempDir('mosquitto-identity');
  devices = buildFleet({ compounds: ['m1', 'm2'], perCompound: { elevator: 1, manhole: 1, fire_lane: 0, parking: 1 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  await writeFile(`${dir.path}/registry.json`, JSON.stringify(fleetToRegistry(devices)));
  confLines = await readmeBlock('# /etc/mosquitto/conf.d/compound-hub.conf');
  aclLines = await readmeBlock('# /etc/mosquitto/acl');
  // The README's lines, but for what names this machine: the listener (the helper's free port), the files (its temp dir).
  const own = /^(listener|allow_anonymous|password_file|acl_file) /;
  broker = await startMosquitto({
    passwords: { 'compound-hub': HUB_PASSWORD, ...Object.fromEntries(devices.map((d) => [d.key, d.secret])) },
    acl: aclLines.join('\n'),
    // Debian's own mosquitto.conf: `persistence true` (and a persistence_location).
    persistence: true,
    extraConfig: confLines.filter((line) => !line.startsWith('#') && !own.test(line)).join('\n'),
  });
  hub = await startTheHub();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.stop();
  await broker?.stop();
  await dir?.remove();
});

describe('Mosquitto configured as the README says', () => {
  it('runs exactly the README lines (paths and port aside)', async () => {
    const running = (await readFile(broker.configFile, 'utf8')).split('\n');
    for (const line of confLines.filter((l) => !l.startsWith('#'))) {
      const [option] = line.split(' ');
      if (['listener', 'password_file', 'acl_file'].includes(option!)) expect(running.some((l) => l.startsWith(`${option} `))).toBe(true);
      else expect(running).toContain(line);
    }
    expect(confLines).toContain('use_username_as_clientid true');
    expect(await readFile(path.join(broker.dir, 'acl'), 'utf8')).toBe(`${aclLines.join('\n')}\n`);
  });

  it("lets no device take the hub's session: messages queued while the hub is down all reach it", async () => {
    const sender = find('m1', 'parking');
    const intruder = find('m2', 'elevator');
    const { client: publisher } = await connectAs(sender, { clientId: sender.key });
    await hub!.stop();
    hub = undefined;
    const topic = deviceTopic('compounds', sender, 'telemetry');
    for (let seq = 1; seq <= 50; seq += 1) await publisher.publishAsync(topic, JSON.stringify({ seq, occupied: seq % 2 === 0 }), { qos: 1 });
    // The device connects as the hub, with a persistent session: it gets a session of its own, not the hub's.
    const { client: thief, sessionPresent } = await connectAs(intruder, { clientId: 'compound-hub', clean: false });
    expect(sessionPresent).toBe(false);
    await thief.endAsync();
    hub = await startTheHub();
    await expect.poll(() => accepted('parking'), { timeout: 10_000 }).toBe(50);
  });

  it("lets no device end the hub's connection by using its client id", async () => {
    const intruder = find('m2', 'manhole');
    const sender = find('m1', 'elevator');
    const lostBefore = connectionLost();
    const { client: thief } = await connectAs(intruder, { clientId: 'compound-hub', clean: false });
    const { client: device } = await connectAs(sender, { clientId: sender.key });
    // A round trip through the hub's connection after the intruder came in.
    await device.publishAsync(deviceTopic('compounds', sender, 'telemetry'), JSON.stringify({ seq: 1, floor: 4 }), { qos: 1 });
    await expect.poll(async () => (await getJson(hub!, `/api/devices/${sender.key}`)).fields.floor).toBe(4);
    expect(connectionLost()).toBe(lostBefore);
    expect((await getJson(hub!, '/readyz')).broker.connected).toBe(true);
    await thief.endAsync();
  });

  it("lets no device take another device's session or end its connection: the victim stays online, its Last Will unsent", async () => {
    const victim = find('m1', 'manhole');
    const intruder = find('m2', 'parking');
    const status = deviceTopic('compounds', victim, 'status');
    const { client: own } = await connectAs(victim, { clientId: victim.key, clean: false, will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true } });
    let closes = 0;
    own.on('close', () => (closes += 1));
    await own.publishAsync(status, 'online', { qos: 1, retain: true });
    await expect.poll(async () => (await getJson(hub!, `/api/devices/${victim.key}`)).online).toBe(true);

    const { client: thief, sessionPresent } = await connectAs(intruder, { clientId: victim.key, clean: false });
    expect(sessionPresent).toBe(false);
    await own.publishAsync(deviceTopic('compounds', victim, 'telemetry'), JSON.stringify({ seq: 1, tiltDeg: 3 }), { qos: 1 });
    await expect.poll(async () => (await getJson(hub!, `/api/devices/${victim.key}`)).fields.tiltDeg).toBe(3);
    expect(own.connected).toBe(true);
    expect(closes).toBe(0);
    expect((await getJson(hub!, `/api/devices/${victim.key}`)).online).toBe(true);
    await thief.endAsync();
  });
});
