/**
 * Ingest per partition (design.md §10): the owner of partition k holds the broker session
 * `compound-hub-p{k}` (clean=false, QoS 1) subscribed to its compounds' device topics. Whoever
 * owned it before left the session on the broker, which kept what arrived meanwhile and hands it
 * to the new holder. A message is handled and acknowledged only while the lease lets this
 * instance act (`mayHandle`); one it may not handle stays with the broker for the next owner.
 */
import type { Logger } from 'pino';
import { compoundSubscriptions } from '../contracts/topics.ts';
import type { IngestPipeline } from '../ingest/ingest.pipeline.ts';
import { MqttClientSource, type MqttSourceOptions } from '../ingest/mqtt-client.source.ts';
import { partitionClientId } from './partitions.ts';
import { LoopBudget } from '../util/loop-budget.ts';

export interface PartitionSessionsOptions {
  /** The external broker's connection (url, credentials, TLS) as the hub's own uses it. */
  broker: Omit<MqttSourceOptions, 'clientId' | 'topicRoot' | 'subscriptions' | 'statusTopic' | 'mayHandle'>;
  topicRoot: string;
  pipeline: IngestPipeline;
  logger: Logger;
}

interface Held {
  source: MqttClientSource;
  compounds: Set<string>;
}

export class PartitionSessions {
  readonly #held = new Map<number, Held>();
  /** One share of each event-loop turn for all partitions' messages: renewals and answers get the rest. */
  readonly #budget = new LoopBudget();

  constructor(private readonly options: PartitionSessionsOptions) {}

  /** Connects the partition's session (resolves once the broker took it); its messages flow while `mayHandle()`. */
  async open(partition: number, compounds: readonly string[], mayHandle: () => boolean): Promise<void> {
    const { topicRoot, pipeline, logger } = this.options;
    const source = new MqttClientSource(
      {
        ...this.options.broker,
        clientId: partitionClientId(partition),
        topicRoot,
        subscriptions: compounds.flatMap((c) => compoundSubscriptions(topicRoot, c)),
        statusTopic: false,
        mayHandle,
        loopBudget: this.#budget,
        connectTimeoutMs: 10_000,
      },
      pipeline,
      logger.child({ partition }),
    );
    await source.start();
    this.#held.set(partition, { source, compounds: new Set(compounds) });
  }

  /** Subscribes the compounds of the partition not subscribed yet (added to the registry since). */
  follow(partition: number, compounds: readonly string[]): void {
    const held = this.#held.get(partition);
    if (!held) return;
    const added = compounds.filter((c) => !held.compounds.has(c));
    for (const c of added) held.compounds.add(c);
    held.source.subscribe(added.flatMap((c) => compoundSubscriptions(this.options.topicRoot, c)));
  }

  /** Leaves the session to the broker (kept, with what arrives from now on). `force`: at once, nothing in flight acknowledged. */
  async close(partition: number, force = false): Promise<void> {
    const held = this.#held.get(partition);
    if (!held) return;
    this.#held.delete(partition);
    await held.source.stop(force);
  }

  get connected(): number {
    return [...this.#held.values()].filter((h) => h.source.connected).length;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#held.keys()].map((p) => this.close(p)));
  }
}
