/** Feeds the ingest pipeline from the embedded broker, holding the broker while storage is full. */
import { ingestSubscriptions } from '../contracts/topics.ts';
import type { EmbeddedBroker } from '../broker/embedded.broker.ts';
import type { IngestPipeline } from './ingest.pipeline.ts';

export async function attachEmbeddedSource(broker: EmbeddedBroker, pipeline: IngestPipeline, topicRoot: string): Promise<void> {
  const take = (topic: string, payload: Buffer, done: () => void) => {
    pipeline.handle(topic, payload);
    done();
  };
  // While storage is full, messages wait in a queue of their own, in the order they came:
  // a device's readings must not overtake each other (its `seq` would look like a replay).
  // The broker hands over its next message from inside `done()`; while the queue has any,
  // that message joins the queue, so draining thousands never recurses.
  let queued = 0;
  let tail = Promise.resolve();
  for (const filter of ingestSubscriptions(topicRoot)) {
    await broker.subscribe(filter, (topic, payload, done) => {
      if (queued === 0 && !pipeline.whenReady()) {
        take(topic, payload, done);
        return;
      }
      queued += 1;
      tail = tail.then(async () => {
        await pipeline.whenReady();
        queued -= 1;
        take(topic, payload, done);
      });
    });
  }
}
