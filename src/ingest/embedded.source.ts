/**
 * Feeds the ingest pipeline from the embedded broker. Storage backpressure is applied
 * before this point (the broker holds a device's publishes at authorisation while the hub
 * cannot take more), so a message that arrives here is always taken at once: holding the
 * broker's callback would pile every device's messages up in the broker's own queue.
 */
import { ingestSubscriptions } from '../contracts/topics.ts';
import type { EmbeddedBroker } from '../broker/embedded.broker.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export async function attachEmbeddedSource(broker: EmbeddedBroker, pipeline: IngestPipeline, topicRoot: string): Promise<void> {
  for (const filter of ingestSubscriptions(topicRoot)) {
    await broker.subscribe(filter, (topic, payload, done) => {
      pipeline.handle(topic, payload);
      done();
    });
  }
}
