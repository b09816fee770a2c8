/**
 * A device is only itself on the embedded broker (design.md §3, docs/access.md): its client id
 * is bound to its key, so another registered device can neither end its connection (and fire
 * its Last Will: a false device-offline in another compound) nor take its session; a Last Will
 * outside its own status topic and an empty client id without a clean session are refused at
 * CONNECT. Real clients: MQTT.js, mosquitto_pub and hand-made packets on raw sockets.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { deviceTopic } from '../../src/contracts/topics.ts';
import type { Hub } from '../../src/hub.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { FLEET_KEY, getJson, startTestHub } from '../helpers/test-hub.ts';
import { brokerRefused } from '../helpers/metrics.ts';
import { connectPacket, openRaw, type RawConnection } from '../helpers/raw-mqtt.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let devices: FleetDevice[];
const clients: MqttClient[] = [];
const raws: RawConnection[] = [];

const find = (compound: string, type: FleetDevice['type']) => devices.find((d) => d.compound === compound && d.type === type)!;
const statusOf = (device: FleetDevice) => deviceTopic('compounds', device, 'status');

async function connectAs(device: FleetDevice, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, password: device.secret, clientId: device.key, reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

/** A raw CONNECT as `device`; returns the connection and the CONNACK return code. */
async function rawConnect(device: FleetDevice, options: Omit<Parameters<typeof connectPacket>[0], 'username' | 'password'>): Promise<{ conn: RawConnection; code: number }> {
  const conn = await openRaw(hub.info.brokerUrl);
  raws.push(conn);
  await conn.write(connectPacket({ username: device.key, password: device.secret, ...options }));
  return { conn, code: await conn.connack() };
}

const device = (key: string) => getJson(hub, `/api/devices/${key}`);
const offlineAlerts = async () => (await getJson(hub, '/api/alerts')).alerts.filter((a: { ruleId: string }) => a.ruleId === 'device-offline');

beforeAll(async () => {
  dir = await tempDir('identity');
  // Hour-long report intervals: only a Last Will can make a device offline within the test.
  devices = buildFleet({ compounds: ['v1', 'v2'], perCompound: { elevator: 1, manhole: 1, fire_lane: 0, parking: 1 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  await writeFile(`${dir.path}/registry.json`, JSON.stringify(fleetToRegistry(devices)));
  await writeFile(`${dir.path}/alerts.json`, JSON.stringify({ grids: [{ id: 'g1', compounds: ['v1', 'v2'], workers: ['wang'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: `${dir.path}/registry.json`, ALERTS_FILE: `${dir.path}/alerts.json` });
});
afterAll(async () => {
  for (const conn of raws) conn.socket.destroy();
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.stop();
  await dir?.remove();
});

describe('a device is only itself on the embedded broker', () => {
  it("refuses another device's client id with CONNACK 2: the victim stays connected, its Last Will does not fire, no device-offline", async () => {
    const victim = find('v1', 'elevator');
    const will = { topic: statusOf(victim), payload: Buffer.from('offline'), qos: 1 as const, retain: true };
    const own = await connectAs(victim, { clean: false, will });
    let closes = 0;
    own.on('close', () => (closes += 1));
    await own.publishAsync(statusOf(victim), 'online', { qos: 1, retain: true });
    await expect.poll(async () => (await device(victim.key)).online).toBe(true);

    const intruder = find('v2', 'manhole');
    const before = await brokerRefused(hub, 'connect', 'client_id');
    // MQTT.js with the victim's client id and a persistent session, mosquitto_pub, and a raw CONNECT.
    await expect(connectAs(intruder, { clientId: victim.key, clean: false })).rejects.toThrow(/Identifier rejected/i);
    const pub = await promisify(execFile)('mosquitto_pub', ['-p', new URL(hub.info.brokerUrl).port, '-i', victim.key, '-u', intruder.key, '-P', intruder.secret, '-t', statusOf(intruder), '-m', 'online', '-q', '1']).then(
      () => 'published',
      (error: { code?: number; stderr?: string }) => `${error.code}: ${error.stderr?.trim()}`,
    );
    expect(pub).toMatch(/identifier rejected/i);
    expect((await rawConnect(intruder, { clientId: victim.key })).code).toBe(2);
    expect(await brokerRefused(hub, 'connect', 'client_id')).toBe(before + 3);

    // The victim's connection is the one it had: a QoS 1 round trip on it, and the hub sees it online.
    await own.publishAsync(deviceTopic('compounds', victim, 'telemetry'), JSON.stringify({ floor: 7 }), { qos: 1 });
    await expect.poll(async () => (await device(victim.key)).fields.floor).toBe(7);
    expect(own.connected).toBe(true);
    expect(closes).toBe(0);
    expect((await device(victim.key)).online).toBe(true);
    expect(await offlineAlerts()).toEqual([]);
  });

  it("keeps a device's persistent session its own: an intruder cannot take it, the device finds it again", async () => {
    const victim = find('v1', 'manhole');
    const first = await connectAs(victim, { clean: false });
    await first.subscribeAsync(`${deviceTopic('compounds', victim, 'status')}`, { qos: 1 });
    await first.endAsync();
    await expect(connectAs(find('v2', 'elevator'), { clientId: victim.key, clean: false })).rejects.toThrow(/Identifier rejected/i);
    // Session present: its subscription survived the intruder's attempt.
    expect(await sessionPresent(victim)).toBe(true);
  });

  it("refuses a Last Will outside the device's own status topic at CONNECT (CONNACK 5), with MQTT.js and raw packets", async () => {
    const liar = find('v2', 'parking');
    const victim = find('v1', 'parking');
    const before = await brokerRefused(hub, 'connect', 'will_topic');
    await expect(connectAs(liar, { will: { topic: statusOf(victim), payload: Buffer.from('offline'), qos: 1, retain: true } })).rejects.toThrow(/Not authorized/i);
    expect((await rawConnect(liar, { clientId: liar.key, will: { topic: deviceTopic('compounds', liar, 'telemetry'), payload: '{"occupied":true}' } })).code).toBe(5);
    expect((await rawConnect(liar, { clientId: liar.key, will: { topic: 'compounds/_hub/status', payload: 'offline' } })).code).toBe(5);
    expect(await brokerRefused(hub, 'connect', 'will_topic')).toBe(before + 3);
    // Its own status topic is fine; nothing reached the victim.
    const { code } = await rawConnect(liar, { clientId: liar.key, will: { topic: statusOf(liar), payload: 'offline' } });
    expect(code).toBe(0);
    expect((await device(victim.key)).online).toBe(false);
    expect(await offlineAlerts()).toEqual([]);
  });

  it('refuses an empty client id without a clean session (MQTT-3.1.3-8); with one, the session is the device’s own', async () => {
    const elevator = find('v2', 'elevator');
    const before = await brokerRefused(hub, 'connect', 'empty_client_id');
    expect((await rawConnect(elevator, { clientId: '', clean: false })).code).toBe(2);
    expect(await brokerRefused(hub, 'connect', 'empty_client_id')).toBe(before + 1);
    const anonymousId = await rawConnect(elevator, { clientId: '' });
    expect(anonymousId.code).toBe(0);
    // Bound to the device key: the device connecting under its key takes that session over.
    expect((await rawConnect(elevator, { clientId: elevator.key })).code).toBe(0);
    await anonymousId.conn.closed;
  });
});

/** Connects as `device` with clean=false: whether the broker had kept its session (CONNACK session present). */
async function sessionPresent(device: FleetDevice): Promise<boolean> {
  const client = mqtt.connect(hub.info.brokerUrl, { username: device.key, password: device.secret, clientId: device.key, clean: false, reconnectPeriod: 0 });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
}
