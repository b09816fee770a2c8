/**
 * The v1 transport under the client's own WriteApi, against a local HTTP server that
 * captures what arrives: the write path InfluxDB 1.x understands, precision mapping,
 * basic auth, and everything else passed through untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InfluxDB, type WritePrecisionType } from '@influxdata/influxdb-client';
import { v1WriteTransport } from './v1-write.transport.ts';
import { startFakeInflux, type FakeInflux } from './fake-influx.testing.ts';
import type { StoreSettings } from './store.types.ts';

let influx: FakeInflux | undefined;
afterEach(async () => {
  await influx?.close();
  influx = undefined;
});

function writeApi(settings: StoreSettings, precision: WritePrecisionType, consistency?: 'one') {
  const transport = v1WriteTransport(new InfluxDB({ url: settings.url }).transport, settings);
  return new InfluxDB({ url: settings.url, transport }).getWriteApi('ignored-org', 'ignored-bucket', precision, {
    flushInterval: 0,
    maxRetries: 0,
    ...(consistency ? { consistency } : {}),
  });
}

describe('v1 write transport', () => {
  it.each<[WritePrecisionType, string]>([
    ['ns', 'n'],
    ['us', 'u'],
    ['ms', 'ms'],
    ['s', 's'],
  ])('maps the client write path with precision %s to /write?…&precision=%s, with basic auth', async (precision, v1) => {
    influx = await startFakeInflux();
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'hub', retentionPolicy: 'one week', username: 'w', password: 'p:w' };
    const api = writeApi(settings, precision);
    api.writeRecord('m f=1 1');
    await api.close();
    const [write] = influx.writes();
    expect(write).toMatchObject({ method: 'POST', path: '/write', body: 'm f=1 1' });
    expect(Object.fromEntries(write!.query)).toEqual({ db: 'hub', rp: 'one week', precision: v1 });
    expect(write!.headers.authorization).toBe(`Basic ${Buffer.from('w:p:w').toString('base64')}`);
  });

  it('sends no rp and no auth when none is configured, and keeps the Enterprise consistency', async () => {
    influx = await startFakeInflux();
    const api = writeApi({ url: influx.url, api: 'v1', database: 'hub' }, 'ms', 'one');
    api.writeRecord('m f=1 1');
    await api.close();
    const [write] = influx.writes();
    expect(write!.url).toBe('/write?db=hub&precision=ms&consistency=one');
    expect(write!.headers.authorization).toBeUndefined();
  });

  it('passes other paths through unchanged, with the same auth', async () => {
    influx = await startFakeInflux();
    const settings: StoreSettings = { url: influx.url, api: 'v1', database: 'hub', username: 'reader', password: 'pw' };
    const transport = v1WriteTransport(new InfluxDB({ url: settings.url }).transport, settings);
    await transport.request('/ping', '', { method: 'GET' });
    const answer = await transport.request('/query?db=hub&q=SHOW+DATABASES', '', { method: 'GET' });
    expect(answer).toEqual({ results: [{ statement_id: 0 }] });
    expect(influx.requests.map((r) => r.url)).toEqual(['/ping', '/query?db=hub&q=SHOW+DATABASES']);
    for (const r of influx.requests) expect(r.headers.authorization).toBe(`Basic ${Buffer.from('reader:pw').toString('base64')}`);
  });
});
