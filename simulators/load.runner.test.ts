import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../src/contracts/payloads.ts';
import { parseDeviceTopic } from '../src/contracts/topics.ts';
import { buildFleet } from './fleet.ts';
import { startLoad, type LoadSpec } from './load.runner.ts';

/** A plain broker whose one subscriber keeps every device message. */
let aedes: Aedes;
let server: net.Server;
let url: string;
const received: Array<{ key: string; channel: string; payload: Record<string, unknown> }> = [];

beforeAll(async () => {
  aedes = await Aedes.createBroker();
  await new Promise<void>((resolve) =>
    aedes.subscribe(
      'compounds/+/+/+/+',
      (packet, done) => {
        const parsed = parseDeviceTopic('compounds', packet.topic);
        // (status: the QoS 0 run's closing marker)
        if (parsed.ok && parsed.topic.channel !== 'status') {
          const t = parsed.topic;
          received.push({ key: `${t.compound}/${t.type}/${t.device}`, channel: t.channel, payload: JSON.parse(packet.payload.toString()) });
        }
        done();
      },
      resolve,
    ),
  );
  server = net.createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  server.close();
});

const devices = buildFleet({ compounds: 1, perCompound: { elevator: 2, manhole: 2, fire_lane: 2, parking: 2 }, fleetKey: 'k' });
const spec = (over: Partial<LoadSpec>): LoadSpec => ({
  url, devices, qos: 1, rate: 400, durationMs: 1000, alertShare: 0, inflight: 8, topicRoot: 'compounds', seed: 1, connectConcurrency: 8, connection: 'per-device', ...over,
});

describe('load generator', () => {
  it('publishes contract-valid messages at the asked rate, and reports per device what the broker took', async () => {
    received.length = 0;
    const report = await startLoad(spec({})).done;
    expect(report.errors).toBe(0);
    // 400 msg/s for 1 s: never more than asked (one tick of pacing aside); not far below unless the machine starves it.
    expect(report.acked).toBeGreaterThan(200);
    expect(report.acked).toBeLessThanOrEqual(404);
    for (const device of devices) {
      const mine = received.filter((m) => m.key === device.key);
      expect(mine.length).toBe(report.perDevice[device.key]);
      // seq runs 1..n in order; timestamps strictly increase.
      expect(mine.map((m) => m.payload.seq)).toEqual(mine.map((_, i) => i + 1));
      const ts = mine.map((m) => m.payload.ts as number);
      expect(ts.every((t, i) => i === 0 || t > ts[i - 1]!)).toBe(true);
      for (const m of mine) {
        const schema = m.channel === 'event' ? EVENT_SCHEMAS[device.type] : TELEMETRY_SCHEMAS[device.type];
        expect(schema.safeParse(m.payload).success).toBe(true);
      }
    }
  });

  it('without ts (--no-ts): messages carry seq but no ts, and each one the broker took is reported to onAcked', async () => {
    received.length = 0;
    const acked: Array<{ key: string; seq: number | undefined }> = [];
    const report = await startLoad(spec({ ts: false, rate: 'max', durationMs: 300, onAcked: (key, m) => acked.push({ key, seq: m.payload.seq }) })).done;
    expect(report.errors).toBe(0);
    expect(acked.length).toBe(report.acked);
    expect(received.length).toBe(report.acked);
    for (const device of devices) {
      const mine = received.filter((m) => m.key === device.key);
      expect(mine.map((m) => m.payload.seq)).toEqual(mine.map((_, i) => i + 1));
      expect(mine.every((m) => !('ts' in m.payload))).toBe(true);
      expect(acked.filter((a) => a.key === device.key).map((a) => a.seq).sort((a, b) => a! - b!)).toEqual(mine.map((m) => m.payload.seq));
    }
  });

  it('with an alert share of 1, sends the values the default rules act on', async () => {
    received.length = 0;
    await startLoad(spec({ alertShare: 1, rate: 80 })).done;
    const elevators = received.filter((m) => m.key.includes('/elevator/'));
    const manholes = received.filter((m) => m.key.includes('/manhole/'));
    expect(elevators.length).toBeGreaterThan(0);
    expect(elevators.every((m) => m.channel === 'event' && m.payload.event === 'alarm_button')).toBe(true);
    expect(manholes.every((m) => (m.payload.gasPpm as number) > 5000)).toBe(true);
  });

  it('as fast as accepted at QoS 0, every message it counts reaches the broker', async () => {
    received.length = 0;
    const report = await startLoad(spec({ rate: 'max', qos: 0, durationMs: 500 })).done;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(report.acked).toBeGreaterThan(100);
    expect(received.length).toBe(report.acked);
  });
});
