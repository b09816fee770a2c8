/**
 * The feed itself: every entry, this hub's own or one a lower hub forwarded, goes into the recent
 * window (the pull API reads it) and then to each outbound sink (the signed push, the MQTT
 * bridge). An entry already in the window (a forwarded one sent again) goes nowhere twice.
 */
import type { FeedEntry } from '../contracts/northbound.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { FeedRing } from './feed.ring.ts';

export type FeedSink = (entry: FeedEntry) => void;

export class NorthboundFeed {
  readonly #ring: FeedRing;
  readonly #sinks: readonly FeedSink[];
  readonly #metrics: Pick<HubMetrics, 'northboundEntries'>;

  constructor(deps: { ring: FeedRing; sinks: readonly FeedSink[]; metrics: Pick<HubMetrics, 'northboundEntries'> }) {
    this.#ring = deps.ring;
    this.#sinks = deps.sinks;
    this.#metrics = deps.metrics;
  }

  get ring(): FeedRing {
    return this.#ring;
  }

  /** Adds one entry; false when the window holds it already. */
  add(entry: FeedEntry, origin: 'own' | 'forwarded'): boolean {
    if (!this.#ring.add(entry)) return false;
    this.#metrics.northboundEntries.inc({ kind: entry.kind, origin });
    for (const sink of this.#sinks) sink(entry);
    return true;
  }
}
