/** A bounded log of the latest rejected messages, newest first, for the HTTP API. */
import type { Rejection } from '../contracts/readings.ts';

export class DeadLetters {
  readonly #items: Rejection[] = [];
  #next = 0;
  #total = 0;

  constructor(readonly limit: number) {}

  add(rejection: Rejection): void {
    this.#total += 1;
    if (this.#items.length < this.limit) {
      this.#items.push(rejection);
    } else {
      this.#items[this.#next] = rejection;
    }
    this.#next = (this.#next + 1) % this.limit;
  }

  /** Newest first. */
  list(max = this.limit): Rejection[] {
    const out: Rejection[] = [];
    const n = this.#items.length;
    for (let i = 1; i <= Math.min(max, n); i += 1) {
      out.push(this.#items[(this.#next - i + n * 2) % n]!);
    }
    return out;
  }

  /** Rejections ever added, including those that have rolled out of the log. */
  get total(): number {
    return this.#total;
  }
}
