/**
 * Hostile MQTT clients against a real hub (embedded broker, real influxd 1.6.7): each is
 * refused or dropped at the broker, counted in /metrics, and leaves nothing behind; a
 * registered device publishing afterwards is ingested and stored as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { deviceTopic, deviceTopicPrefix } from '../../src/contracts/topics.ts';
import type { Hub } from '../../src/hub.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { countPerDevice } from '../helpers/influx-counts.ts';
import { getJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { brokerRefused, rejected } from '../helpers/metrics.ts';
import { connectPacket, openRaw, publishPacket, remainingLength, subscribePacket, type RawConnection } from '../helpers/raw-mqtt.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: Hub;
let devices: FleetDevice[];
let settings: StoreSettings;
const clients: MqttClient[] = [];
const raws: RawConnection[] = [];

const find = (type: FleetDevice['type'], n = 0) => devices.filter((d) => d.compound === 'h1' && d.type === type)[n]!;

async function connectAs(device: FleetDevice, password = device.secret): Promise<MqttClient> {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, password, reconnectPeriod: 0, clientId: device.key });
  clients.push(client);
  return client;
}

async function raw(): Promise<RawConnection> {
  const conn = await openRaw(hub.info.brokerUrl);
  raws.push(conn);
  return conn;
}

/** A raw connection logged in as `device`. */
async function rawAs(device: FleetDevice): Promise<RawConnection> {
  const conn = await raw();
  await conn.write(connectPacket({ clientId: device.key, username: device.key, password: device.secret }));
  expect(await conn.connack()).toBe(0);
  return conn;
}

/** How much `count` grows while `act` runs. */
async function growth(count: () => Promise<number>, act: () => Promise<unknown>): Promise<number> {
  const before = await count();
  await act();
  return (await count()) - before;
}

beforeAll(async () => {
  dir = await tempDir('mqtt-abuse');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  devices = registry.devices;
  hub = await startTestHub({
    DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: 'abuse', REGISTRY_FILE: registry.file,
    MAX_PAYLOAD_BYTES: '4096', MQTT_CONNECT_TIMEOUT: '1s',
  });
  settings = { url: influx.url, api: 'v1', database: 'abuse' };
});
afterAll(async () => {
  for (const conn of raws) conn.socket.destroy();
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('MQTT abuse against the embedded broker', () => {
  it('refuses wrong secrets, unknown devices, usernames that are not UTF-8 and anonymous clients at CONNECT', async () => {
    const lane = find('fire_lane');
    const refusals = await growth(() => brokerRefused(hub, 'connect'), async () => {
      await expect(connectAs(lane, 'not-the-secret')).rejects.toThrow(/Bad username or password/i);
      await expect(connectAs({ ...lane, key: 'h1/fire_lane/ghost' })).rejects.toThrow(/Bad username or password/i);
      const garbled = await raw();
      await garbled.write(connectPacket({ clientId: 'garbled', username: Buffer.concat([Buffer.from(lane.key), Buffer.from([0xff])]), password: lane.secret }));
      expect(await garbled.connack()).toBe(4);
      const anonymous = await raw();
      await anonymous.write(connectPacket({ clientId: 'anonymous' }));
      expect(await anonymous.connack()).toBe(4);
      await Promise.all([garbled.closed, anonymous.closed]);
    });
    expect(refusals).toBe(4);
  });

  it('drops a device publishing under another device, or under a topic that is not UTF-8, and delivers neither', async () => {
    const victim = find('manhole', 1);
    const refusals = await growth(() => brokerRefused(hub, 'publish'), async () => {
      const intruder = await connectAs(find('elevator'));
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish(deviceTopic('compounds', victim, 'telemetry'), '{"tiltDeg":77}', { qos: 1 });
      await closed;
      const parking = find('parking');
      const garbled = await rawAs(parking);
      await garbled.write(publishPacket(Buffer.concat([Buffer.from(deviceTopic('compounds', parking, 'telemetry')), Buffer.from([0xc3, 0x28])]), '{"occupied":true}', 1));
      await garbled.closed;
    });
    expect(refusals).toBe(2);
    expect((await getJson(hub, `/api/devices/${victim.key}`)).fields).toEqual({});
    expect((await getJson(hub, '/api/dead-letters')).items).toEqual([]);
  });

  it('grants no subscription to #, $SYS/#, $share, wildcards or another device, and the spy receives nothing', async () => {
    const spy = await connectAs(find('parking', 1));
    const received: string[] = [];
    spy.on('message', (topic) => received.push(topic));
    const filters = ['#', '$SYS/#', '$share/g/compounds/#', 'compounds/+/+/+/telemetry', 'compounds/h1/#', `${deviceTopicPrefix('compounds', find('elevator'))}telemetry`];
    const refusals = await growth(() => brokerRefused(hub, 'subscribe'), async () => {
      const granted = await spy.subscribeAsync(filters).then(
        (grants) => grants.map((g) => g.qos),
        (error: { packet?: { granted: number[] } }) => error.packet?.granted,
      );
      expect(granted).toEqual(filters.map(() => 128));
    });
    // One connection refused for one reason counts once, however many filters it asked for.
    expect(refusals).toBe(1);
    // A granted `#` would have received the hub's retained status at once; a device publishing now is ingested, not relayed.
    const elevator = await connectAs(find('elevator', 1));
    await elevator.publishAsync(deviceTopic('compounds', find('elevator', 1), 'telemetry'), '{"floor":4}', { qos: 1 });
    await expect.poll(async () => (await getJson(hub, `/api/devices/${find('elevator', 1).key}`)).fields.floor).toBe(4);
    expect(received).toEqual([]);
  });

  it('ends the connection of a PUBLISH with wildcards or more than 100 topic levels, and of packets before CONNECT or not MQTT at all', async () => {
    const parking = find('parking');
    const own = deviceTopicPrefix('compounds', parking);
    const send = async (conn: RawConnection, bytes: Buffer) => {
      await conn.write(bytes);
      await conn.closed;
    };
    const loggedIn = (bytes: Buffer) => async () => send(await rawAs(parking), bytes);
    const anonymous = (bytes: Buffer) => async () => send(await raw(), bytes);
    const attempts = [
      loggedIn(publishPacket(`${own}+`, '{"occupied":true}')),
      loggedIn(publishPacket(`${own}#`, '{"occupied":true}')),
      loggedIn(publishPacket(`${own}telemetry${'/x'.repeat(120)}`, '{"occupied":true}')),
      loggedIn(subscribePacket(`${own}${'x/'.repeat(150)}#`)),
      anonymous(publishPacket(`${own}telemetry`, '{"occupied":true}')),
      anonymous(Buffer.from('GET / HTTP/1.1\r\nHost: hub\r\n\r\n')),
    ];
    const refusals = await growth(() => brokerRefused(hub, 'protocol'), async () => {
      for (const attempt of attempts) await attempt();
    });
    expect(refusals).toBe(attempts.length);
    expect((await getJson(hub, `/api/devices/${parking.key}`)).fields).toEqual({});
  });

  it('ends the connection at the header of a packet over MQTT_MAX_PACKET_BYTES, before or after CONNECT; a payload over MAX_PAYLOAD_BYTES that fits is refused at ingest', async () => {
    const parking = find('parking');
    const topic = deviceTopic('compounds', parking, 'telemetry');
    const before = await rejected(hub, 'too_large');
    const refusals = await growth(() => brokerRefused(hub, 'packet_too_large'), async () => {
      // A whole megabyte, sent as fast as the socket takes it.
      const big = await rawAs(parking);
      void big.write(publishPacket(topic, Buffer.alloc(1_048_576, 0x20)));
      await big.closed;
      // Only a header that announces 200 MB: the broker does not wait for the body.
      const announced = await rawAs(parking);
      await announced.write(Buffer.concat([Buffer.from([0x30]), remainingLength(200_000_000)]));
      await announced.closed;
      // A 70 kB CONNECT (long client id and password), before any authentication.
      const connect = await raw();
      void connect.write(connectPacket({ clientId: 'c'.repeat(5000), username: parking.key, password: Buffer.alloc(65_000, 0x61) }));
      await connect.closed;
    });
    expect(refusals).toBe(3);
    expect(await rejected(hub, 'too_large')).toBe(before);

    const device = await connectAs(parking);
    const padded = `{"occupied":true,"pad":"${'x'.repeat(10_000)}"}`;
    await device.publishAsync(topic, padded, { qos: 1 });
    await expect.poll(() => rejected(hub, 'too_large')).toBe(before + 1);
    expect(device.connected).toBe(true);
    const [letter] = (await getJson(hub, '/api/dead-letters?reason=too_large')).items;
    expect(letter).toMatchObject({ topic, size: padded.length });
  });

  it('drops a slowloris: a CONNECT trickled a byte at a time, or never sent, is cut at MQTT_CONNECT_TIMEOUT', async () => {
    const bytes = connectPacket({ clientId: 'slow', username: find('manhole').key, password: find('manhole').secret });
    let sent = 0;
    const refusals = await growth(() => brokerRefused(hub, 'connect_timeout'), async () => {
      const trickle = await raw();
      const silent = await raw();
      while (!trickle.isClosed() && sent < bytes.length) {
        trickle.socket.write(bytes.subarray(sent, sent + 1));
        sent += 1;
        await sleep(100);
      }
      await Promise.all([trickle.closed, silent.closed]);
      expect(trickle.received().length + silent.received().length).toBe(0);
    });
    expect(sent).toBeLessThan(bytes.length);
    expect(refusals).toBe(2);
  });

  it('still ingests and stores a registered device afterwards, with no connection left behind', async () => {
    for (const client of clients) await client.endAsync(true);
    for (const conn of raws) conn.socket.destroy();
    await expect.poll(async () => (await getJson(hub, '/readyz')).broker.clients).toBe(0);
    const manhole = find('manhole');
    const device = await connectAs(manhole);
    const base = Date.now() - 10_000;
    for (let seq = 1; seq <= 20; seq += 1) {
      await device.publishAsync(deviceTopic('compounds', manhole, 'telemetry'), JSON.stringify({ ts: base + seq, seq, tiltDeg: seq }), { qos: 1 });
    }
    await expect.poll(() => countPerDevice(settings, 'manhole', 'tiltDeg', 'h1'), { timeout: 15_000 }).toEqual({ [manhole.device]: 20 });
    expect((await getJson(hub, '/readyz')).ready).toBe(true);
    expect((await fetch(`${hub.info.httpUrl}/healthz`)).status).toBe(200);
  });
});
