/**
 * Per-device duplicate detection for QoS 1 redelivery, tolerant of reordering.
 * Each device keeps its highest `seq` and a 32-bit bitmap of the 32 seqs below it:
 * a seq inside the window that was seen is a duplicate; one below the window is
 * stale (treated as a duplicate); one far below (RESET_GAP) means the device
 * restarted its counter, and tracking starts over.
 */
const WINDOW = 32;
const RESET_GAP = 1024;

interface SeqState {
  max: number;
  /** bit i set = (max - 1 - i) was seen. */
  seen: number;
}

export type SeqVerdict = 'new' | 'duplicate';

export class SeqWindow {
  readonly #states = new Map<string, SeqState>();

  check(deviceKey: string, seq: number): SeqVerdict {
    const state = this.#states.get(deviceKey);
    if (!state || seq + RESET_GAP <= state.max) {
      this.#states.set(deviceKey, { max: seq, seen: 0 });
      return 'new';
    }
    if (seq > state.max) {
      const shift = seq - state.max;
      // The old max becomes bit (shift - 1); older bits move up with it.
      state.seen = shift >= WINDOW + 1 ? 0 : shift === WINDOW ? (1 << 31) >>> 0 : ((state.seen << shift) | (1 << (shift - 1))) >>> 0;
      state.max = seq;
      return 'new';
    }
    if (seq === state.max) return 'duplicate';
    const bit = state.max - 1 - seq;
    if (bit >= WINDOW) return 'duplicate';
    const mask = (1 << bit) >>> 0;
    if ((state.seen & mask) !== 0) return 'duplicate';
    state.seen = (state.seen | mask) >>> 0;
    return 'new';
  }

  get size(): number {
    return this.#states.size;
  }
}
