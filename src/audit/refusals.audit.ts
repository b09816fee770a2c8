/**
 * Refusals worth an audit entry that someone can repeat at will (a request under a foreign Host,
 * a change from another origin, a socket that floods, a held session knocking on other routes):
 * the first of each kind from one address (an IPv6 /64 counts as one) on one channel (HTTP, the
 * live socket) — and, for a logged-in actor, per actor and route — is recorded at once; repeats
 * within REFUSAL_WINDOW_MS are only counted, and the next entry of that key says how many were
 * left out (`after.repeats`). Bounded in three ways, so neither many addresses nor one can flood
 * the log or memory: at most REFUSAL_KEYS_MAX keys are remembered (the oldest forgotten), at most
 * REFUSAL_ENTRIES_PER_WINDOW entries are written per window in all (the rest are summed up in one
 * `refusals_suppressed` entry when the next window opens), and notes and targets are cut short.
 */
import { addressKey } from '../broker/address-limits.ts';
import type { AuditLog } from './audit.log.ts';

export const REFUSAL_WINDOW_MS = 60_000;
/** Keys remembered at once; beyond it the oldest are forgotten (their next refusal is recorded anew). */
export const REFUSAL_KEYS_MAX = 10_000;
/** Entries written per window, whatever the keys; the rest are counted into one summary entry. */
export const REFUSAL_ENTRIES_PER_WINDOW = 200;
const NOTE_MAX = 300;
const TARGET_MAX = 200;

export interface Refusal {
  /** `host_refused`, `cross_origin_refused`, `live_refused`, `access_refused`, … */
  action: string;
  /** Where it was refused: each channel has its own window. */
  channel: 'http' | 'live';
  address?: string | undefined;
  /** The logged-in user, when the refusal came after the login; else `anonymous`. Its refusals are kept per route. */
  actor?: string | undefined;
  /** What was asked for: `POST /api/auth/logout`, `live socket`. */
  target?: string | undefined;
  /** The error code and its reason. */
  note: string;
}

export interface RefusalAudit {
  refused(refusal: Refusal): void;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function createRefusalAudit(audit: AuditLog | undefined, now: () => number = Date.now): RefusalAudit {
  /** Per key: when its window began, and the refusals left out since. */
  const windows = new Map<string, { since: number; repeats: number }>();
  /** All keys together: the window, entries written in it, and those left out over the budget. */
  let budget = { since: -Infinity, written: 0, suppressed: 0 };
  return {
    refused(refusal) {
      if (!audit) return;
      const at = now();
      if (at - budget.since >= REFUSAL_WINDOW_MS) {
        if (budget.suppressed) {
          audit.record({ at, actor: 'hub', action: 'refusals_suppressed', note: `${budget.suppressed} refusals over ${REFUSAL_ENTRIES_PER_WINDOW} a minute were not written one by one`, after: { suppressed: budget.suppressed, sinceMs: budget.since } });
        }
        budget = { since: at, written: 0, suppressed: 0 };
      }
      const address = refusal.address === undefined ? undefined : addressKey(refusal.address);
      const target = refusal.target === undefined ? undefined : cut(refusal.target, TARGET_MAX);
      const key = [refusal.action, refusal.channel, address ?? '', refusal.actor ?? '', refusal.actor ? (target ?? '') : ''].join('\u0000');
      const open = windows.get(key);
      if (open && at - open.since < REFUSAL_WINDOW_MS) {
        open.repeats++;
        return;
      }
      if (budget.written >= REFUSAL_ENTRIES_PER_WINDOW) {
        budget.suppressed++;
        return;
      }
      windows.delete(key);
      if (windows.size >= REFUSAL_KEYS_MAX) windows.delete(windows.keys().next().value!);
      windows.set(key, { since: at, repeats: 0 });
      budget.written++;
      audit.record({
        at,
        actor: refusal.actor ?? 'anonymous',
        ...(refusal.address ? { address: refusal.address } : {}),
        action: refusal.action,
        ...(target ? { target } : {}),
        note: cut(refusal.note, NOTE_MAX),
        ...(open?.repeats ? { after: { repeats: open.repeats, sinceMs: open.since } } : {}),
      });
    },
  };
}
