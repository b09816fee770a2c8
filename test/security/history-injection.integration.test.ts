/**
 * InfluxQL injection through the HTTP history routes of a real hub on a real influxd 1.6.7:
 * every attempt in every query parameter is refused with 400 before a query is built (never
 * a 5xx, which would mean it reached InfluxDB), the stored data is intact afterwards, and the
 * legitimate queries of a scoped user return exactly their points and nothing more.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import mqtt from 'mqtt';
import { influxQuery, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import type { Hub } from '../../src/hub.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { countPerDevice } from '../helpers/influx-counts.ts';
import { apiFetch, getJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';

const POINTS = 5;
let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: Hub;
let devices: FleetDevice[];
let settings: StoreSettings;
let t0: number;

const manholes = () => devices.filter((d) => d.type === 'manhole');
const measurements = async () => ((await influxQuery(settings, 'SHOW MEASUREMENTS'))[0]?.series?.[0]?.values ?? []).map((v) => v[0]);

beforeAll(async () => {
  dir = await tempDir('history-injection');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  devices = registry.devices;
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: 'hist', REGISTRY_FILE: registry.file });
  settings = { url: influx.url, api: 'v1', database: 'hist' };
  t0 = Date.now() - 60_000;
  for (const device of manholes()) {
    const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
    for (let seq = 1; seq <= POINTS; seq += 1) {
      await client.publishAsync(deviceTopic('compounds', device, 'telemetry'), JSON.stringify({ ts: t0 + seq, seq, tiltDeg: seq }), { qos: 1 });
    }
    await client.endAsync();
  }
  await vi.waitFor(async () => expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ 'mh-01': 2 * POINTS, 'mh-02': 2 * POINTS }), { timeout: 15_000, interval: 100 });
});
afterAll(async () => {
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

const SERIES = { type: 'manhole', compound: 'h2', device: 'mh-01', field: 'tiltDeg', from: '0' };
/** Values an attacker would try, by query parameter. */
const ATTEMPTS: Record<string, string[]> = {
  compound: [`h2' OR '1'='1`, `h2" OR "compound" =~ /.*/ --`, 'h2\\', `h2"; DROP DATABASE "hist`, '/.*/', 'h2\nSELECT * FROM manhole', '$compound', 'h2 ', ''],
  device: [`mh-01' OR 1=1 --`, `mh-01" OR "device" != '`, 'mh-01;DROP SERIES FROM manhole', '.*', 'mh-01\\'],
  field: [`tiltDeg" FROM manhole; DROP DATABASE "hist" --`, '*', 'tiltDeg,batteryPct', '"tiltDeg"', 'time', 'LAST(tiltDeg)', 'tiltDeg::tag', '/.*/'],
  type: ['manhole; DROP DATABASE "hist"', 'manhole"', '"manhole"', 'alert_events', 'device_status'],
  from: ['0 OR 1=1', 'now() - 1000d', '0; DROP DATABASE "hist"', '1e400', '-1', "'2020-01-01'"],
  to: ['now()', '9999999999999999999999', '1 OR time > 0'],
  limit: ['1; DROP DATABASE "hist"', '0', '-1', '10001', '1e9', '5 OFFSET 1'],
};
const LATEST_ATTEMPTS: Record<string, string[]> = {
  type: ['manhole" WHERE 1=1 --', 'manhole,elevator'],
  compound: [`h2' OR '1'='1`, 'h1" OR "compound" = "h2'],
  device: [`mh-01' OR 1=1`, '/.*/'],
};

const url = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params)}`;

describe('InfluxQL injection through the history API', () => {
  it('refuses every attempt in every parameter with 400, for a scoped manager and for the admin', async () => {
    const tried: string[] = [];
    for (const user of ['qian', 'root']) {
      for (const [param, values] of Object.entries(ATTEMPTS)) {
        for (const value of values) tried.push(url('/api/history/series', { ...SERIES, [param]: value }));
      }
      for (const [param, values] of Object.entries(LATEST_ATTEMPTS)) {
        for (const value of values) tried.push(url('/api/history/latest', { type: 'manhole', [param]: value }));
      }
      tried.push('/api/history/series?type=manhole&compound=h2&compound=h1&device=mh-01&field=tiltDeg&from=0');
      tried.push('/api/history/latest?type=manhole&type=elevator');
      tried.push('/api/alerts/stats?from=0%3B%20DROP%20DATABASE%20hist');
      for (const path of tried.splice(0)) {
        const res = await apiFetch(hub, path, {}, user);
        const body = (await res.json()) as { error: string };
        expect(res.status, `${user} ${path}`).toBe(400);
        expect(['BAD_REQUEST', 'QUERY_INVALID'], `${user} ${path}`).toContain(body.error);
      }
    }
  });

  it('leaves the data as it was, and answers legitimate queries with exactly their points', async () => {
    expect(await countPerDevice(settings, 'manhole', 'tiltDeg')).toEqual({ 'mh-01': 2 * POINTS, 'mh-02': 2 * POINTS });
    expect(await measurements()).toEqual(['manhole']);
    expect(((await influxQuery(settings, 'SHOW DATABASES', {}, { database: false }))[0]?.series?.[0]?.values ?? []).flat()).toContain('hist');

    const series = await getJson(hub, url('/api/history/series', { ...SERIES, from: String(t0) }), 'qian');
    expect(series.points).toEqual(Array.from({ length: POINTS }, (_, i) => ({ ts: t0 + i + 1, value: i + 1 })));
    const latest = await getJson(hub, '/api/history/latest?type=manhole', 'qian');
    expect(latest.devices.map((d: { compound: string; device: string }) => `${d.compound}/${d.device}`).sort()).toEqual(['h2/mh-01', 'h2/mh-02']);
    expect((await apiFetch(hub, url('/api/history/series', { ...SERIES, compound: 'h1' }), {}, 'qian')).status).toBe(403);
    // Ids that match the id pattern but name nothing find nothing: they are bound values, not query text.
    expect((await getJson(hub, url('/api/history/series', { ...SERIES, compound: 'h2', device: 'or-1-1' }), 'root')).points).toEqual([]);
    const all = await getJson(hub, '/api/history/latest?type=manhole', 'root');
    expect(all.devices).toHaveLength(manholes().length);
  });
});
