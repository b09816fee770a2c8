/** Backoff between reconnect attempts: 1 s, 2 s, 4 s … at most 30 s, each with ±50 % jitter so a restarted hub is not hit by every client at once. */
export const RECONNECT_FIRST_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;
export const RECONNECT_JITTER = 0.5;

export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.max(0, attempt));
  return Math.round(Math.min(RECONNECT_MAX_MS, base * (1 - RECONNECT_JITTER + 2 * RECONNECT_JITTER * random())));
}
