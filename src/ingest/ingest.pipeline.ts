/**
 * The ingest stage: one inbound MQTT message → topic → registered device →
 * validate → accepted reading handed to the next stages, or a counted rejection.
 * Message sources (embedded broker, external broker) call `handle()`; they call
 * `whenReady()` first so a full store pauses them instead of growing memory.
 */
import type { Logger } from 'pino';
import { parseDeviceTopic } from '../contracts/topics.ts';
import type { Reading, Rejection, RejectReason } from '../contracts/readings.ts';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { PayloadValidator } from '../validate/payload.validator.ts';
import type { DeadLetters } from '../validate/dead-letters.ts';

/** The stages after ingest, passed in by hub.ts in flow order. */
export interface ReadingSink {
  /** Synchronous and cheap; called once per accepted reading. */
  accept(reading: Reading, device: RegisteredDevice): void;
  /** Resolves when the sinks can take more (storage backpressure). */
  whenReady(): Promise<void> | undefined;
}

export interface IngestDeps {
  topicRoot: string;
  registry: Registry;
  validator: PayloadValidator;
  deadLetters: DeadLetters;
  metrics: HubMetrics;
  logger: Logger;
  sink: ReadingSink;
  now?: () => number;
}

const SAMPLE_BYTES = 200;
/** A detail is about the message, not a copy of it: a payload of 1,000 unknown keys must not make a 16 kB one. */
const DETAIL_CHARS = 200;

export class IngestPipeline {
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(private readonly deps: IngestDeps) {
    this.#now = deps.now ?? Date.now;
    this.#log = deps.logger.child({ stage: 'ingest' });
  }

  /** Undefined when messages may flow now; otherwise a promise to wait on. */
  whenReady(): Promise<void> | undefined {
    return this.deps.sink.whenReady();
  }

  handle(topic: string, payload: Buffer): void {
    const { deps } = this;
    const receivedAt = this.#now();
    const parsed = parseDeviceTopic(deps.topicRoot, topic);
    if (!parsed.ok) {
      deps.metrics.messagesIn.inc({ channel: 'invalid' });
      this.#reject(parsed.reason, parsed.detail, topic, payload, receivedAt);
      return;
    }
    const t = parsed.topic;
    deps.metrics.messagesIn.inc({ channel: t.channel });
    const device = deps.registry.get(t);
    if (!device) {
      this.#reject('unknown_device', `${t.compound}/${t.type}/${t.device} is not in the registry`, topic, payload, receivedAt);
      return;
    }
    const result = deps.validator.validate(t, device.tags, payload, receivedAt);
    if (!result.ok) {
      this.#reject(result.reason, result.detail, topic, payload, receivedAt);
      return;
    }
    deps.metrics.accepted.inc({ type: t.type, kind: result.reading.kind });
    deps.sink.accept(result.reading, device);
  }

  #reject(reason: RejectReason, detail: string, topic: string, payload: Buffer, receivedAt: number): void {
    const rejection: Rejection = {
      reason,
      detail: detail.slice(0, DETAIL_CHARS),
      topic: topic.slice(0, 256),
      receivedAt,
      sample: payload.subarray(0, SAMPLE_BYTES).toString('utf8'),
      size: payload.length,
    };
    this.deps.metrics.rejected.inc({ reason });
    this.deps.deadLetters.add(rejection);
    this.#log.debug({ reason, detail: rejection.detail, topic: rejection.topic }, 'message rejected');
  }
}
