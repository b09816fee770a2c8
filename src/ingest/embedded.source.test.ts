import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../broker/embedded.broker.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { FIXTURE_SECRET, fixtureRegistry } from '../testing/registry.fixture.ts';
import { PayloadValidator } from '../validate/payload.validator.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import { IngestPipeline } from './ingest.pipeline.ts';
import { attachEmbeddedSource } from './embedded.source.ts';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('embedded source under storage backpressure', () => {
  it('holds a device while the hub cannot take more, then takes every message in the order sent', async () => {
    const metrics = createHubMetrics();
    const logger = pino({ level: 'silent' });
    const registry = fixtureRegistry();
    let resume!: () => void;
    let paused: Promise<void> | undefined = new Promise<void>((resolve) => (resume = resolve));
    const pipeline = new IngestPipeline({
      topicRoot: 'compounds',
      registry,
      validator: new PayloadValidator({ maxPayloadBytes: 4096, retentionMs: 86_400_000, futureToleranceMs: 300_000 }),
      deadLetters: new DeadLetters(10),
      metrics,
      logger,
      sink: { accept: (reading) => seqs.push(reading.kind === 'status' ? -1 : (reading.seq ?? -1)), whenReady: () => paused },
    });
    const seqs: number[] = [];
    const broker = new EmbeddedBroker(
      // No per-device rate: 3,000 messages at once are over any budget, and this is about storage backpressure.
      { host: '127.0.0.1', port: 0, topicRoot: 'compounds', maxPacketBytes: 65_536, connectTimeoutMs: 10_000, limits: { maxConnectionsPerAddress: 100, maxPendingPerAddress: 100 } },
      { registry, metrics, logger, whenReady: () => pipeline.whenReady() },
    );
    await broker.start();
    stops.push(() => broker.stop());
    await attachEmbeddedSource(broker, pipeline, 'compounds');
    const device = await mqtt.connectAsync(broker.url, { username: 'c01/elevator/elev-1', password: FIXTURE_SECRET, clientId: 'c01/elevator/elev-1', reconnectPeriod: 0 });
    stops.push(() => device.endAsync(true));

    const count = 3000;
    let acked = 0;
    for (let seq = 1; seq <= count; seq += 1) {
      device.publish('compounds/c01/elevator/elev-1/telemetry', JSON.stringify({ seq, floor: seq % 20 }), { qos: 1 }, () => (acked += 1));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Storage full: nothing taken, nothing acknowledged.
    expect(seqs).toEqual([]);
    expect(acked).toBe(0);

    paused = undefined;
    resume();
    await until(() => acked === count);
    expect(acked).toBe(count);
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });
});
