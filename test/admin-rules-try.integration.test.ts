/** `POST /api/admin/rules/try` on real InfluxDB history: what rules would have raised, before they are saved. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createStore, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../src/store/index.ts';
import { createHubMetrics } from '../src/metrics/hub.metrics.ts';
import { loadRules } from '../src/rules/rules.loader.ts';
import type { Reading } from '../src/contracts/readings.ts';
import { adminApi, type AdminApi } from '../src/testing/admin.fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';

const DAY = 86_400_000;
let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let settings: StoreSettings;
let api: AdminApi;
const start = Math.floor((Date.now() - 2 * DAY) / DAY) * DAY;

beforeAll(async () => {
  dir = await tempDir('rules-try');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  settings = { url: influx.url, api: 'v1', database: 'history' };
  const store = createStore({ logger: pino({ level: 'silent' }), metrics: createHubMetrics() }, { ...settings, createDatabase: true, spoolDir: `${dir.path}/spool`, spoolMaxBytes: 1e7, flushIntervalMs: 50 });
  await store.start();
  const base = { compound: 'c01', receivedAt: start, tags: {} };
  // mh-1 tilts and stays tilted for a minute; c02's parking space is not looked at by a manhole rule.
  const t = start + DAY + 9 * 3_600_000;
  for (let s = 0; s <= 60; s += 5) store.write({ ...base, type: 'manhole', device: 'mh-1', kind: 'telemetry', ts: t + s * 1000, fields: { tiltDeg: 32 } } satisfies Reading);
  store.write({ ...base, type: 'manhole', device: 'mh-1', kind: 'telemetry', ts: t + 70_000, fields: { tiltDeg: 2 } });
  await store.close();
  api = await adminApi({ storeSettings: settings });
  api.clock.now = Date.now();
});
afterAll(async () => {
  await api?.close();
  await influx?.stop();
  await dir?.remove();
});

describe('rules/try', () => {
  it('answers what the posted rules would have raised and cleared over the last days', async () => {
    const rules = (await loadRules(undefined)).filter((r) => r.id === 'manhole-tilt');
    const res = await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules, days: 3 } });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({ raised: 1, byRule: { 'manhole-tilt': 1 }, truncated: false, to: api.clock.now, from: api.clock.now - 3 * DAY });
    expect(answer.changes.map((c: { change: string; deviceKey: string }) => `${c.change} ${c.deviceKey}`)).toEqual(['raised c01/manhole/mh-1', 'cleared c01/manhole/mh-1']);
    expect(answer.changes[0]).toMatchObject({ ruleId: 'manhole-tilt', severity: 'major', compound: 'c01', at: start + DAY + 9 * 3_600_000 + 30_000 });
    // Nothing was saved or changed by trying.
    expect((await api.inject('/api/admin/rules')).json().version).toBe(0);
    expect(api.calls).toEqual([]);
  });

  it('a stricter rule raises nothing; another compound has nothing', async () => {
    const [tilt] = (await loadRules(undefined)).filter((r) => r.id === 'manhole-tilt');
    const strict = { ...tilt!, condition: { ...tilt!.condition, value: 45 } };
    expect((await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: [strict], days: 3 } })).json().raised).toBe(0);
    expect((await api.inject({ method: 'POST', url: '/api/admin/rules/try', payload: { rules: [tilt], days: 3, compound: 'c02' } })).json().raised).toBe(0);
  });
});
