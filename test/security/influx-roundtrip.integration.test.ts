/**
 * A bounded property run (fast-check, fixed seed) through a real influxd 1.6.7: random
 * registry tags, string fields and alert notes are written by the hub's store and read back
 * exactly as they were sent, however many commas, spaces, `=`, quotes, backslashes or line
 * breaks they hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { createStore, influxQuery, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { createHubMetrics } from '../../src/metrics/hub.metrics.ts';
import { AlertEventLines, readAlertEvents } from '../../src/alerts/alert-log.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const RUN = { seed: 20_260_603, numRuns: 4, interruptAfterTimeLimit: 30_000 } as const;
const PER_RUN = 40;

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;

beforeAll(async () => {
  dir = await tempDir('roundtrip');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
});
afterAll(async () => {
  await influx?.stop();
  await dir?.remove();
});

const SPECIAL = fc.constantFrom(' ', ',', '=', '"', "'", '\\', '\n', '\r', '\t', '#', '号', 'é', '😀', '\u007f');
const text = (options: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: fc.oneof(SPECIAL, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 16, ...options });
/** What the registry lets into a tag: no backslash, no control character (registry.schema.ts). */
const registryTag = text({ minLength: 1 }).filter((s) => /^[^\\\u0000-\u001f]{1,64}$/.test(s));
/** A string field as devices can send none but the store takes any: anything but a line break. */
const stringField = text({ minLength: 1 }).filter((s) => !/[\n\r]/.test(s));

const sampleArb = fc.record({ building: registryTag, zone: registryTag, code: stringField, note: text() });

let runs = 0;

function alertOf(i: number): Alert {
  return {
    id: `a${i}`, ruleId: 'rule-1', name: { zh: '规则', en: 'rule' }, severity: 'major', deviceKey: `c01/elevator/d${i}`, compound: 'c01', type: 'elevator',
    device: `d${i}`, workflow: 'accepted', condition: 'active', raisedAt: 0, lastSeenAt: 0, count: 1, escalationLevel: 0, history: [],
  };
}

describe('round trip through InfluxDB 1.6.7 (property)', () => {
  it('reads back exactly the tags, strings and notes written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sampleArb, { minLength: PER_RUN, maxLength: PER_RUN }), async (samples) => {
        runs += 1;
        const settings: StoreSettings = { url: influx.url, api: 'v1', database: `roundtrip_${runs}` };
        const store = createStore(
          { logger: pino({ level: 'silent' }), metrics: createHubMetrics() },
          { ...settings, createDatabase: true, spoolDir: `${dir.path}/spool-${runs}`, spoolMaxBytes: 10e6, flushIntervalMs: 50, batchSize: 1000 },
        );
        await store.start();
        const t0 = Date.now() - 3_600_000;
        const lines = new AlertEventLines();
        samples.forEach((s, i) => {
          store.write({ compound: 'c01', type: 'elevator', device: `d${i}`, kind: 'event', event: 'fault', code: s.code, ts: t0 + i, receivedAt: t0 + i, tags: { building: s.building, zone: s.zone } });
          // Every other one a resolve with its photo: the photo comes back with the event.
          store.writeLine(lines.line({ alertId: `a${i}`, kind: i % 2 ? 'commented' : 'resolved', at: t0 + i, actor: 'wang', note: s.note, ...(i % 2 ? {} : { photo: `ph-${i}` }) }, alertOf(i)));
        });
        await store.close();
        expect(store.state().pointsWritten).toBe(2 * PER_RUN);

        const [result] = await influxQuery(settings, 'SELECT "code", "building", "zone", "device" FROM "elevator" ORDER BY time ASC');
        const stored = result?.series?.[0]?.values.map(([, code, building, zone, device]) => ({ code, building, zone, device })) ?? [];
        expect(stored).toEqual(samples.map((s, i) => ({ code: s.code, building: s.building, zone: s.zone, device: `d${i}` })));
        const events = await readAlertEvents(settings, 1);
        expect(events.map((e) => e.note)).toEqual(samples.map((s) => s.note));
        expect(events.map((e) => e.photo)).toEqual(samples.map((_, i) => (i % 2 ? undefined : `ph-${i}`)));
      }),
      RUN,
    );
    expect(runs).toBeGreaterThanOrEqual(1);
  });
});
