/**
 * A share of each turn of the event loop for one kind of work (design.md §10): a flood of queued
 * MQTT messages is handled a slice at a time, so timers and other I/O (lease renewals, the
 * database's answers, HTTP) are not held up by seconds. `available()` says whether the slice
 * of this turn has time left; work that finds none waits for the next turn (setImmediate).
 */
import { performance } from 'node:perf_hooks';

/** Milliseconds of one slice unless told otherwise. */
export const DEFAULT_SLICE_MS = 25;

export class LoopBudget {
  #sliceStart = 0;
  #open = false;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  available(): boolean {
    const now = performance.now();
    if (!this.#open) {
      this.#open = true;
      this.#sliceStart = now;
      // The slice ends with this turn: the next one starts a new slice at its first use.
      setImmediate(() => {
        this.#open = false;
      });
    }
    return now - this.#sliceStart < this.sliceMs;
  }

  /** Runs `work` now if the slice has time left, else at the next turn. */
  run(work: () => void): void {
    if (this.available()) work();
    else setImmediate(work);
  }
}
