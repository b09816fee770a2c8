/**
 * Broker refusals in the log, summarised: the first refusal of an action and reason is logged
 * at once, with its details; the ones after it within the interval are only counted, and one
 * line per interval says how many there were (with the last one's details). 2,000 bad
 * connections write a couple of lines, not 2,000 warnings; the counters in /metrics count
 * every one.
 */
import type { Logger } from 'pino';

export const REFUSAL_LOG_INTERVAL_MS = 10_000;

interface Window {
  count: number;
  last?: Record<string, unknown>;
  timer: NodeJS.Timeout;
}

export class RefusalLog {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    readonly intervalMs = REFUSAL_LOG_INTERVAL_MS,
  ) {}

  note(action: string, reason: string, details: Record<string, unknown>): void {
    const key = `${action}\u0000${reason}`;
    const open = this.#windows.get(key);
    if (open) {
      open.count += 1;
      open.last = details;
      return;
    }
    this.log.warn({ action, reason, ...details }, 'broker refused a client action');
    this.#open(key, action, reason);
  }

  /** Writes what is still counted and stops the timers (broker stop). */
  flush(): void {
    for (const [key, window] of this.#windows) {
      clearTimeout(window.timer);
      const [action, reason] = key.split('\u0000') as [string, string];
      this.#summarise(action, reason, window);
    }
    this.#windows.clear();
  }

  #open(key: string, action: string, reason: string): void {
    const window: Window = {
      count: 0,
      timer: setTimeout(() => {
        if (window.count === 0) {
          this.#windows.delete(key);
          return;
        }
        this.#summarise(action, reason, window);
        this.#windows.delete(key);
        this.#open(key, action, reason);
      }, this.intervalMs),
    };
    window.timer.unref();
    this.#windows.set(key, window);
  }

  #summarise(action: string, reason: string, window: Window): void {
    if (window.count === 0) return;
    this.log.warn(
      { action, reason, count: window.count, intervalSec: this.intervalMs / 1000, last: window.last },
      `broker refused ${window.count} more client(s) for ${action}/${reason} in ${this.intervalMs / 1000} s`,
    );
  }
}
