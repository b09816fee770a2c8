/** Feeds the ingest pipeline from the embedded broker, holding the broker while storage is full. */
import { ingestSubscriptions } from '../contracts/topics.ts';
import type { EmbeddedBroker } from '../broker/embedded.broker.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export async function attachEmbeddedSource(broker: EmbeddedBroker, pipeline: IngestPipeline, topicRoot: string): Promise<void> {
  for (const filter of ingestSubscriptions(topicRoot)) {
    await broker.subscribe(filter, (topic, payload, done) => {
      const wait = pipeline.whenReady();
      if (!wait) {
        pipeline.handle(topic, payload);
        done();
        return;
      }
      void wait.then(() => {
        pipeline.handle(topic, payload);
        done();
      });
    });
  }
}
