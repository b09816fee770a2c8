/**
 * The recent window of the feed that the pull API reads (docs/northbound.md "Pull"): the last
 * `size` entries of this process, in memory, oldest first. Each entry gets a cursor
 * `<boot>.<seq>`: `seq` counts up from 1 in this process, `boot` tells this process from an
 * earlier one (a cursor from before a restart is out of the window). A cursor older than the
 * window is `expired` (the route answers 410 CURSOR_EXPIRED: start again without `after`).
 * Also remembers which (source, id) it holds, so an entry received twice is kept once.
 */
import { randomBytes } from 'node:crypto';
import type { FeedEntry } from '../contracts/northbound.ts';

export interface RingItem {
  seq: number;
  entry: FeedEntry;
}

export type ReadResult =
  | { ok: true; items: RingItem[]; next: string; more: boolean; oldest: string | null }
  | { ok: false; reason: 'expired' | 'invalid' };

export class FeedRing {
  readonly #size: number;
  readonly #boot: string;
  readonly #items: RingItem[] = [];
  readonly #keys = new Set<string>();
  #seq = 0;

  constructor(size: number, boot = randomBytes(4).toString('hex')) {
    this.#size = size;
    this.#boot = boot;
  }

  get length(): number {
    return this.#items.length;
  }

  cursorOf(seq: number): string {
    return `${this.#boot}.${seq}`;
  }

  /** Whether an entry of this source and id is in the window. */
  has(entry: Pick<FeedEntry, 'source' | 'id'>): boolean {
    return this.#keys.has(keyOf(entry));
  }

  /** Appends an entry; the oldest leaves when the window is full. False: it was there already. */
  add(entry: FeedEntry): boolean {
    const key = keyOf(entry);
    if (this.#keys.has(key)) return false;
    this.#seq += 1;
    this.#items.push({ seq: this.#seq, entry });
    this.#keys.add(key);
    while (this.#items.length > this.#size) this.#keys.delete(keyOf(this.#items.shift()!.entry));
    return true;
  }

  /** Up to `limit` entries after `after` (none: from the oldest) that `keep` keeps, oldest first. */
  read(after: string | undefined, limit: number, keep: (entry: FeedEntry) => boolean = () => true): ReadResult {
    let from = 0;
    if (after !== undefined) {
      const match = /^([A-Za-z0-9]{1,16})\.(\d{1,15})$/.exec(after);
      if (!match) return { ok: false, reason: 'invalid' };
      if (match[1] !== this.#boot) return { ok: false, reason: 'expired' };
      from = Number(match[2]);
      if (from > this.#seq) return { ok: false, reason: 'invalid' };
      // The entry right after the cursor must still be here (or nothing came after it).
      const oldest = this.#items[0]?.seq ?? this.#seq + 1;
      if (from + 1 < oldest) return { ok: false, reason: 'expired' };
    }
    const start = this.#items.length ? Math.max(0, from + 1 - this.#items[0]!.seq) : 0;
    const items: RingItem[] = [];
    let last = from;
    let i = start;
    for (; i < this.#items.length && items.length < limit; i += 1) {
      const item = this.#items[i]!;
      last = item.seq;
      if (keep(item.entry)) items.push(item);
    }
    return {
      ok: true,
      items,
      next: this.cursorOf(last),
      more: i < this.#items.length,
      oldest: this.#items.length ? this.cursorOf(this.#items[0]!.seq - 1) : null,
    };
  }
}

const keyOf = (entry: Pick<FeedEntry, 'source' | 'id'>) => `${entry.source}\u0000${entry.id}`;
