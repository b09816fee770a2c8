/**
 * Hostile payloads and awkward registry tags, through MQTT into a real hub with a real
 * influxd 1.6.7: every bad payload is refused with a clear, counted reason (metrics and the
 * dead-letter API) and nothing of it is stored; tags with commas, spaces, `=` and quotes are
 * stored exactly; tags with line breaks or backslashes are refused when the registry loads;
 * no payload reaches Object.prototype of the process the hub runs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { influxQuery, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { isHubError } from '../../src/errors.ts';
import type { Hub } from '../../src/hub.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { countPerDevice } from '../helpers/influx-counts.ts';
import { FLEET_KEY, getJson, startTestHub } from '../helpers/test-hub.ts';
import { rejected } from '../helpers/metrics.ts';

/** Registry tags (building, zone) InfluxDB must store exactly as written. */
const AWKWARD_TAGS: Array<[string, string]> = [
  ['b 1', 'north gate'],
  ['a,b', 'x=y'],
  ['say "hi"', "it's"],
  ['=,= ,', ' lead'],
  ['trail ', '3号楼 东区'],
  ["'; DROP SERIES FROM manhole; --", '" OR 1=1'],
  ['x'.repeat(64), 'z'],
];

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: Hub;
let devices: FleetDevice[];
let settings: StoreSettings;
let elevator: MqttClient;

async function rows(q: string, params: Record<string, string> = {}) {
  const [result] = await influxQuery(settings, q, params);
  return (result?.series ?? []).flatMap((s) => s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })));
}

async function writeRegistry(file: string, fleet: FleetDevice[]): Promise<string> {
  await writeFile(file, JSON.stringify(fleetToRegistry(fleet)));
  return file;
}

const prototypeKeys = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).join(','));
const pristine = prototypeKeys();

beforeAll(async () => {
  dir = await tempDir('payloads');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const fleet = buildFleet({ compounds: ['p1'], perCompound: { elevator: 1, manhole: AWKWARD_TAGS.length, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 60 });
  const manholes = fleet.filter((d) => d.type === 'manhole');
  manholes.forEach((d, i) => Object.assign(d, { building: AWKWARD_TAGS[i]![0], zone: AWKWARD_TAGS[i]![1] }));
  devices = fleet;
  hub = await startTestHub({
    DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: 'payloads', REGISTRY_FILE: await writeRegistry(`${dir.path}/registry.json`, fleet),
  });
  settings = { url: influx.url, api: 'v1', database: 'payloads' };
  const device = fleet.find((d) => d.type === 'elevator')!;
  elevator = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
});
afterAll(async () => {
  await elevator?.endAsync(true);
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

const NESTED = 7000;
const notUtf8 = Buffer.concat([Buffer.from('{"direction":"up'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
/** [what, telemetry payload, reason, detail]; an elevator's fields are `floor` int, `speed` float, `doorOpen` bool, … */
const BAD: Array<[string, string | Buffer, string, RegExp]> = [
  ['cut-off JSON', '{"floor":', 'invalid_json', /JSON/],
  ['a bare NaN', '{"speed":NaN}', 'invalid_json', /JSON/],
  ['an array', '[{"floor":1}]', 'invalid_json', /^payload must be a JSON object$/],
  ['a number', '42', 'invalid_json', /^payload must be a JSON object$/],
  ['bytes that are not UTF-8', notUtf8, 'invalid_json', /^payload is not valid UTF-8$/],
  ['a string for an int', '{"floor":"5"}', 'schema', /^floor: .*expected number, received string/],
  ['a number for a bool', '{"doorOpen":1}', 'schema', /^doorOpen: .*expected boolean/],
  ['a float for an int', '{"floor":2.5}', 'schema', /^floor: .*expected int/],
  ['1e999', '{"speed":1e999}', 'schema', /^speed: .*received Infinity/],
  ['an integer above 2^53', '{"floor":1,"seq":9007199254740993}', 'schema', /^seq: Too big/],
  ['"NaN" as a string', '{"speed":"NaN"}', 'schema', /^speed: .*received string/],
  ['"Infinity" as a string', '{"speed":"Infinity"}', 'schema', /^speed: .*received string/],
  ['a __proto__ key', '{"floor":1,"__proto__":{"polluted":true}}', 'schema', /Unrecognized key: "__proto__"/],
  ['a constructor.prototype key', '{"floor":1,"constructor":{"prototype":{"polluted":true}}}', 'schema', /Unrecognized key: "constructor"/],
  ['a prototype key', '{"floor":1,"prototype":{"polluted":true}}', 'schema', /Unrecognized key: "prototype"/],
  ['an unknown field', '{"floor":1,"colour":"red"}', 'schema', /Unrecognized key: "colour"/],
  ['a line-protocol injection in an enum', '{"direction":"up\\",floor=99i"}', 'schema', /^direction: Invalid option/],
  [`${NESTED} levels of nesting`, `{"floor":${'['.repeat(NESTED)}${']'.repeat(NESTED)}}`, 'schema', /^floor: .*received array/],
  ['nesting under an unknown key', `{"floor":1,"x":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, 'schema', /Unrecognized key: "x"/],
  ['1,500 unknown keys', JSON.stringify(Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, 1]))), 'schema', /^\(payload\): Unrecognized keys: "k0", "k1"/],
  ['a payload over MAX_PAYLOAD_BYTES', `{"floor":1,"pad":"${'x'.repeat(17_000)}"}`, 'too_large', /bytes > limit 16384$/],
];

describe('hostile payloads through MQTT', () => {
  it('refuses each with its reason, counted and in the dead-letter log with a short detail, and stores none', async () => {
    const device = devices.find((d) => d.type === 'elevator')!;
    const topic = deviceTopic('compounds', device, 'telemetry');
    const reasons = [...new Set(BAD.map(([, , reason]) => reason))];
    const before = Object.fromEntries(await Promise.all(reasons.map(async (r) => [r, await rejected(hub, r)] as const)));
    for (const [, payload] of BAD) await elevator.publishAsync(topic, payload, { qos: 1 });
    await elevator.publishAsync(deviceTopic('compounds', device, 'event'), '{"event":"fault","code":"E1\\" x=1"}', { qos: 1 });

    await expect.poll(async () => (await getJson(hub, `/api/dead-letters?limit=${BAD.length + 1}`)).items.length).toBe(BAD.length + 1);
    const letters = (await getJson(hub, `/api/dead-letters?limit=${BAD.length + 1}`)).items.reverse();
    BAD.forEach(([what, payload, reason, detail], i) => {
      expect(letters[i], what).toMatchObject({ reason, topic, size: Buffer.byteLength(payload) });
      expect(letters[i].detail, what).toMatch(detail);
      expect(letters[i].detail.length, what).toBeLessThanOrEqual(200);
      expect(letters[i].sample.length, what).toBeLessThanOrEqual(200);
    });
    expect(letters[BAD.length]).toMatchObject({ reason: 'schema', detail: expect.stringMatching(/^code: /) });
    for (const reason of reasons) {
      const expected = BAD.filter(([, , r]) => r === reason).length + (reason === 'schema' ? 1 : 0);
      expect(await rejected(hub, reason), reason).toBe(before[reason]! + expected);
    }
    expect(prototypeKeys()).toEqual(pristine);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // The device is still connected and heard: its next good message is stored, and only that one.
    await elevator.publishAsync(topic, '{"floor":3,"doorOpen":false}', { qos: 1 });
    await expect.poll(() => countPerDevice(settings, 'elevator', 'floor'), { timeout: 15_000 }).toEqual({ [device.device]: 1 });
    expect(await rows('SELECT * FROM "elevator"')).toEqual([expect.objectContaining({ floor: 3, doorOpen: false, compound: 'p1' })]);
  });
});

describe('registry tags in line protocol', () => {
  it('stores building and zone with commas, spaces, = and quotes exactly, in the series they belong to', async () => {
    const manholes = devices.filter((d) => d.type === 'manhole');
    for (const [i, device] of manholes.entries()) {
      const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
      await client.publishAsync(deviceTopic('compounds', device, 'telemetry'), JSON.stringify({ tiltDeg: i + 0.5, open: false }), { qos: 1 });
      await client.endAsync();
    }
    await expect.poll(async () => (await rows('SELECT COUNT("tiltDeg") FROM "manhole"'))[0]?.count, { timeout: 15_000 }).toBe(manholes.length);
    const stored = await rows('SELECT * FROM "manhole"');
    expect(stored.map((r) => [r.device, r.building, r.zone, r.tiltDeg, r.open]).sort()).toEqual(
      manholes.map((d, i) => [d.device, AWKWARD_TAGS[i]![0], AWKWARD_TAGS[i]![1], i + 0.5, false]).sort(),
    );
    expect((await rows('SHOW TAG KEYS FROM "manhole"')).map((r) => r.tagKey)).toEqual(['building', 'compound', 'device', 'zone']);
    expect((await rows('SHOW FIELD KEYS FROM "manhole"')).map((r) => `${r.fieldKey}:${r.fieldType}`)).toEqual(['open:boolean', 'tiltDeg:float']);
    expect(await rows('SHOW SERIES FROM "manhole"')).toHaveLength(manholes.length);
    // A tag is a bound value in a query too.
    const [, quoted] = AWKWARD_TAGS[2]!;
    expect((await rows('SELECT "tiltDeg" FROM "manhole" WHERE "zone" = $zone', { zone: quoted })).map((r) => r.tiltDeg)).toEqual([2.5]);
  });

  it.each([
    ['a line break', 'b\n1'],
    ['a carriage return', 'b1\r'],
    ['a tab', 'b\t1'],
    ['a trailing backslash', 'b1\\'],
    ['a backslash before a comma', 'b\\,1'],
  ])('refuses a registry whose building has %s, naming the device', async (_what, building) => {
    const fleet = devices.map((d) => ({ ...d }));
    fleet[1]!.building = building;
    const file = await writeRegistry(`${dir.path}/bad-registry.json`, fleet);
    const error = await startTestHub({ DATA_DIR: `${dir.path}/bad`, INFLUX_MANAGED: 'off', REGISTRY_FILE: file }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isHubError(error, 'REGISTRY_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/compounds\.0\.devices\.1\.building: must not contain backslashes or control characters/);
  });
});
