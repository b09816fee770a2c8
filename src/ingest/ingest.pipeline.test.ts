import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { IngestPipeline } from './ingest.pipeline.ts';
import { PayloadValidator } from '../validate/payload.validator.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import type { Reading } from '../contracts/readings.ts';

function setup() {
  const accepted: Array<[Reading, string]> = [];
  const metrics = createHubMetrics();
  const deadLetters = new DeadLetters(10);
  const pipeline = new IngestPipeline({
    topicRoot: 'compounds',
    registry: fixtureRegistry(),
    validator: new PayloadValidator({ maxPayloadBytes: 512, retentionMs: 86_400_000, futureToleranceMs: 300_000 }),
    deadLetters,
    metrics,
    logger: pino({ level: 'silent' }),
    sink: { accept: (r, device) => accepted.push([r, device.key]), whenReady: () => undefined },
    now: () => 1_800_000_000_000,
  });
  return { pipeline, accepted, metrics, deadLetters };
}

async function counterValue(metrics: ReturnType<typeof createHubMetrics>, name: string, labels: Record<string, string>) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('IngestPipeline', () => {
  it('hands a registered device reading, with registry tags, to the sink', () => {
    const { pipeline, accepted } = setup();
    pipeline.handle('compounds/c01/elevator/elev-1/telemetry', Buffer.from('{"floor":3}'));
    expect(accepted).toHaveLength(1);
    expect(accepted[0]![1]).toBe('c01/elevator/elev-1');
    expect(accepted[0]![0]).toMatchObject({ kind: 'telemetry', tags: { building: 'b1' }, fields: { floor: 3 } });
  });

  it('counts every rejection by reason and keeps it in the dead-letter log', async () => {
    const { pipeline, accepted, metrics, deadLetters } = setup();
    pipeline.handle('compounds/c01/elevator/ghost/telemetry', Buffer.from('{"floor":3}'));
    pipeline.handle('compounds/c01/elevator/elev-1/telemetry', Buffer.from('{bad'));
    pipeline.handle('nope', Buffer.from('x'));
    pipeline.handle('compounds/c01/tractor/t1/telemetry', Buffer.from('{}'));
    pipeline.handle('compounds/c01/elevator/elev-1/telemetry', Buffer.alloc(600));
    expect(accepted).toHaveLength(0);
    expect(deadLetters.list().map((r) => r.reason)).toEqual(['too_large', 'unknown_type', 'bad_topic', 'invalid_json', 'unknown_device']);
    expect(await counterValue(metrics, 'compound_hub_messages_rejected_total', { reason: 'unknown_device' })).toBe(1);
    expect(await counterValue(metrics, 'compound_hub_messages_rejected_total', { reason: 'invalid_json' })).toBe(1);
    expect(deadLetters.list()[0]!.size).toBe(600);
    expect(deadLetters.list()[0]!.sample.length).toBeLessThanOrEqual(200);
  });

  it('keeps a rejection detail short however much the payload gets wrong', () => {
    const { pipeline, deadLetters } = setup();
    const keys = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 1]));
    pipeline.handle('compounds/c01/elevator/elev-1/telemetry', Buffer.from(JSON.stringify(keys)));
    const [rejection] = deadLetters.list();
    expect(rejection).toMatchObject({ reason: 'schema', detail: expect.stringMatching(/^\(payload\): Unrecognized keys: "k0", "k1"/) });
    expect(rejection!.detail.length).toBe(200);
  });

  it('refuses a device type that does not match the registry', () => {
    const { pipeline, accepted, deadLetters } = setup();
    pipeline.handle('compounds/c01/manhole/elev-1/telemetry', Buffer.from('{"tiltDeg":1}'));
    expect(accepted).toHaveLength(0);
    expect(deadLetters.list()[0]!.reason).toBe('unknown_device');
  });
});
