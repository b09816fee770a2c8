/**
 * History queries: what is sent to /query (bound params, never user text in the query),
 * how answers in InfluxDB 1.6.7's shape are mapped, and the coded errors. The same
 * queries run against a real influxd 1.6.7 in test/store.integration.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHistoryQuery, influxQuery } from './history.query.ts';
import { startFakeInflux, type FakeInflux } from './fake-influx.testing.ts';
import type { StoreSettings } from './store.types.ts';
import { isHubError } from '../errors.ts';
import type { DeviceType } from '../contracts/device-types.ts';

let influx: FakeInflux;
afterEach(async () => {
  await influx?.close();
});

async function v1(): Promise<StoreSettings> {
  influx = await startFakeInflux();
  return { url: influx.url, api: 'v1', database: 'hub', username: 'r', password: 'pw' };
}

function sent(index = 0): { q: string; params: Record<string, unknown>; form: URLSearchParams } {
  const request = influx.requests.filter((r) => r.path === '/query')[index]!;
  const form = request.method === 'POST' ? new URLSearchParams(request.body) : request.query;
  return { q: form.get('q') ?? '', params: JSON.parse(form.get('params') ?? '{}') as Record<string, unknown>, form };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isHubError(error) ? error.code : `not coded: ${String(error)}`;
  }
  return undefined;
}

describe('series', () => {
  it('binds compound, device and times; the identifiers are whitelisted and quoted; no upper bound means now()', async () => {
    const history = createHistoryQuery(await v1());
    influx.queryAnswer = JSON.stringify({
      results: [{ statement_id: 0, series: [{ name: 'manhole', columns: ['time', 'tiltDeg'], values: [[1000, 1.5], [2000, 3]] }] }],
    });
    const evil = `c01' OR 1=1; DROP DATABASE "hub"`;
    const points = await history.series({ type: 'manhole', compound: evil, device: 'm"1', field: 'tiltDeg', from: 0 });
    expect(points).toEqual([{ ts: 1000, value: 1.5 }, { ts: 2000, value: 3 }]);
    const { q, params, form } = sent();
    expect(q).toBe(
      'SELECT "tiltDeg" FROM "manhole" WHERE "compound" = $compound AND "device" = $device AND time >= $from AND time <= now() ORDER BY time ASC LIMIT 1000',
    );
    expect(params).toEqual({ compound: evil, device: 'm"1', from: '1970-01-01T00:00:00.000Z' });
    expect(Object.fromEntries(form)).toMatchObject({ db: 'hub', epoch: 'ms' });
    const request = influx.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('r:pw').toString('base64')}`);
  });

  it('binds an explicit upper bound that takes in every point of its millisecond (ns tie-breaks), and caps the limit at 10,000', async () => {
    const history = createHistoryQuery(await v1());
    await history.series({ type: 'elevator', compound: 'c', device: 'd', field: 'event', from: 1_700_000_000_000, to: 1_700_000_060_000, limit: 50_000 });
    const { q, params } = sent();
    expect(q).toContain('time >= $from AND time < $to ORDER BY time ASC LIMIT 10000');
    expect(params).toMatchObject({ from: '2023-11-14T22:13:20.000Z', to: '2023-11-14T22:14:20.001Z' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown field', { field: 'tiltDeg" FROM x; DROP' }],
    ['a field of another type', { field: 'floor' }],
    ['seq (stored, not a contract field)', { field: 'seq' }],
    ['an unknown type', { type: 'toaster' }],
    ['a from that is not a time', { from: Number.NaN }],
    ['a to before from', { from: 2000, to: 1000 }],
    ['a limit of 0', { limit: 0 }],
    ['a fractional limit', { limit: 2.5 }],
  ])('refuses %s with QUERY_INVALID before asking InfluxDB', async (_why, change) => {
    const history = createHistoryQuery(await v1());
    const query = { type: 'manhole' as DeviceType, compound: 'c', device: 'd', field: 'tiltDeg', from: 0, ...change };
    expect(await codeOf(history.series(query as Parameters<typeof history.series>[0]))).toBe('QUERY_INVALID');
    expect(influx.requests).toHaveLength(0);
  });

  it('reports a statement error or an HTTP error as QUERY_FAILED', async () => {
    const history = createHistoryQuery(await v1());
    influx.queryAnswer = '{"results":[{"statement_id":0,"error":"database not found: hub"}]}';
    const failed = history.series({ type: 'manhole', compound: 'c', device: 'd', field: 'tiltDeg', from: 0 });
    await expect(failed).rejects.toThrow(/database not found/);
    expect(await codeOf(history.series({ type: 'manhole', compound: 'c', device: 'd', field: 'tiltDeg', from: 0 }))).toBe('QUERY_FAILED');
    await influx.close();
    expect(await codeOf(history.latest({ type: 'manhole' }))).toBe('QUERY_FAILED');
  });
});

describe('latest', () => {
  it('asks for LAST of every contract field per device, and maps the answer with each device’s latest time', async () => {
    const history = createHistoryQuery(await v1());
    // What InfluxDB 1.6.7 answers (several LAST() selectors report time 0, hence the second statement).
    influx.queryAnswer = JSON.stringify({
      results: [
        {
          statement_id: 0,
          series: [
            { name: 'elevator', tags: { compound: 'c1', device: 'e1' }, columns: ['time', 'floor', 'direction', 'doorOpen', 'event', 'code'], values: [[0, 3, 'up', true, 'fault', 'E1']] },
            { name: 'elevator', tags: { compound: 'c1', device: 'e2' }, columns: ['time', 'floor', 'direction', 'doorOpen', 'event', 'code'], values: [[0, 5, null, null, null, null]] },
          ],
        },
        {
          statement_id: 1,
          series: [
            { name: 'elevator', tags: { compound: 'c1', device: 'e2' }, columns: ['time', 'floor'], values: [[1_700_000_009_000, 5]] },
            { name: 'elevator', tags: { compound: 'c1', device: 'e1' }, columns: ['time', 'floor'], values: [[1_700_000_007_000, null]] },
          ],
        },
      ],
    });
    const latest = await history.latest({ type: 'elevator', compound: 'c1' });
    expect(latest).toEqual([
      { compound: 'c1', device: 'e1', ts: 1_700_000_007_000, fields: { floor: 3, direction: 'up', doorOpen: true, event: 'fault', code: 'E1' } },
      { compound: 'c1', device: 'e2', ts: 1_700_000_009_000, fields: { floor: 5 } },
    ]);
    const { q, params } = sent();
    expect(q).toMatch(/^SELECT LAST\("floor"\) AS "floor", LAST\("direction"\) AS "direction", .*LAST\("event"\) AS "event", LAST\("code"\) AS "code" FROM "elevator" WHERE time <= now\(\) AND "compound" = \$compound GROUP BY "compound", "device"; SELECT \* FROM "elevator" WHERE time <= now\(\) AND "compound" = \$compound GROUP BY "compound", "device" ORDER BY time DESC LIMIT 1$/);
    expect(params).toEqual({ compound: 'c1' });
  });

  it('refuses an unknown type with QUERY_INVALID', async () => {
    const history = createHistoryQuery(await v1());
    expect(await codeOf(history.latest({ type: 'DROP' as DeviceType }))).toBe('QUERY_INVALID');
    expect(influx.requests).toHaveLength(0);
  });
});

describe('InfluxDB 2.x / 3.x', () => {
  it('queries the bucket through /query (DBRP) with the token', async () => {
    influx = await startFakeInflux();
    const history = createHistoryQuery({ url: influx.url, api: 'v2', database: 'unused', bucket: 'hub-bucket', org: 'o', token: 'tok' });
    await history.latest({ type: 'parking', device: 'p1' });
    expect(sent().form.get('db')).toBe('hub-bucket');
    expect(sent().params).toEqual({ device: 'p1' });
    expect(influx.requests[0]!.headers.authorization).toBe('Token tok');
  });
});

describe('influxQuery', () => {
  it('can use GET, with the query and params in the URL', async () => {
    const settings = await v1();
    await influxQuery(settings, 'SELECT COUNT("f") FROM "m" WHERE "device" = $d', { d: 'x' }, { method: 'GET' });
    const request = influx.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.body).toBe('');
    expect(sent().params).toEqual({ d: 'x' });
    expect(sent().form.get('db')).toBe('hub');
  });
});
