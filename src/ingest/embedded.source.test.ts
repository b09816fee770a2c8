import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { EmbeddedBroker } from '../broker/embedded.broker.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { PayloadValidator } from '../validate/payload.validator.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import { IngestPipeline } from './ingest.pipeline.ts';
import { attachEmbeddedSource } from './embedded.source.ts';

let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe('embedded source', () => {
  it('takes every message queued in the broker during a storage pause, however many, in the order they came', async () => {
    const metrics = createHubMetrics();
    const logger = pino({ level: 'silent' });
    const registry = fixtureRegistry();
    broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000 }, { registry, metrics, logger });
    await broker.start();
    let accepted = 0;
    let lastSeq = 0;
    let overtaken = 0;
    let resume!: () => void;
    let paused: Promise<void> | undefined = new Promise<void>((resolve) => (resume = resolve));
    const pipeline = new IngestPipeline({
      topicRoot: 'compounds',
      registry,
      validator: new PayloadValidator({ maxPayloadBytes: 4096, retentionMs: 86_400_000, futureToleranceMs: 300_000 }),
      deadLetters: new DeadLetters(10),
      metrics,
      logger,
      sink: {
        accept: (reading) => {
          const seq = reading.kind === 'status' ? 0 : (reading.seq ?? 0);
          accepted += 1;
          if (seq < lastSeq) overtaken += 1;
          lastSeq = seq;
        },
        whenReady: () => paused,
      },
    });
    await attachEmbeddedSource(broker, pipeline, 'compounds');

    const count = 30_000;
    const published = Array.from({ length: count }, (_, i) =>
      broker!.publish('compounds/c01/elevator/elev-1/telemetry', JSON.stringify({ seq: i + 1, floor: i % 20 }), { qos: 0 }),
    );
    // Storage is back: the broker releases its queue into the pipeline.
    paused = undefined;
    resume();
    await Promise.all(published);
    expect(accepted).toBe(count);
    expect(overtaken).toBe(0);
  });
});
