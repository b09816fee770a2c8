import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../src/contracts/payloads.ts';
import { parseDeviceTopic } from '../src/contracts/topics.ts';
import { demoFleet } from './fleet.ts';
import { OFFLINE_EPOCH_MS, runOffline } from './offline.runner.ts';

describe('offline runner', () => {
  it('runs the demo fleet for an hour: every message is addressed by the topic grammar and valid', () => {
    const fleet = demoFleet('k');
    const seqs = new Map<string, number>();
    let count = 0;
    for (const m of runOffline({ devices: fleet, seed: 2, scenario: 'faults', stepMs: 5000, durationMs: 3_600_000 })) {
      const parsed = parseDeviceTopic('compounds', m.topic);
      expect(parsed).toEqual({ ok: true, topic: { ...m.ref, channel: m.channel } });
      if (m.channel === 'status') throw new Error(`random faults cut no device off, yet ${m.topic} says ${m.payload}`);
      const schema = m.channel === 'telemetry' ? TELEMETRY_SCHEMAS[m.ref.type] : EVENT_SCHEMAS[m.ref.type];
      expect(schema.safeParse(m.payload).success).toBe(true);
      const key = `${m.ref.compound}/${m.ref.type}/${m.ref.device}`;
      expect(m.payload.seq).toBe((seqs.get(key) ?? 0) + 1);
      seqs.set(key, m.payload.seq!);
      count += 1;
    }
    expect(seqs.size).toBe(87);
    expect(count).toBeGreaterThanOrEqual(87 * 720);
  }, 30_000); // an hour of the demo fleet validated message by message: CPU-bound, beside the integration files on 2 cores

  it('is the same for the same seed, and stamps samples on the step grid', () => {
    const fleet = demoFleet('k').slice(0, 10);
    const run = (seed: number) => [...runOffline({ devices: fleet, seed, stepMs: 1000, durationMs: 600_000, topicRoot: 'demo' })];
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    expect(a[0]!.topic.startsWith('demo/c01/')).toBe(true);
    const telemetry = a.filter((m) => m.channel === 'telemetry');
    expect(telemetry).toHaveLength(10 * 600);
    expect(telemetry.every((m) => (m.payload.ts! - OFFLINE_EPOCH_MS) % 1000 === 0)).toBe(true);
  });
});
