/**
 * Refusals worth an audit entry that an attacker can repeat at will (a request under a foreign
 * Host, a change from another origin, a socket that floods): the first of each kind from one
 * address on one channel (HTTP, the live socket) is recorded at once; repeats within REFUSAL_WINDOW_MS are only counted, and the next
 * entry for that kind and address says how many were left out (`after.repeats`). The keys kept
 * are bounded, so a scan from many addresses cannot grow memory or the audit log without bound.
 */
import type { AuditLog } from './audit.log.ts';

export const REFUSAL_WINDOW_MS = 60_000;
/** Kinds × addresses remembered at once; beyond it the oldest are forgotten (their next refusal is recorded anew). */
export const REFUSAL_KEYS_MAX = 10_000;

export interface Refusal {
  /** `host_refused`, `cross_origin_refused`, `live_refused`, … */
  action: string;
  /** Where it was refused: each channel has its own window. */
  channel: 'http' | 'live';
  address?: string | undefined;
  /** The logged-in user, when the refusal came after the login; else `anonymous`. */
  actor?: string | undefined;
  /** What was asked for: `POST /api/auth/logout`, `socket`. */
  target?: string | undefined;
  /** The error code and its reason. */
  note: string;
}

export interface RefusalAudit {
  refused(refusal: Refusal): void;
}

export function createRefusalAudit(audit: AuditLog | undefined, now: () => number = Date.now): RefusalAudit {
  /** Per action, channel and address: when its window began, and the refusals left out since. */
  const windows = new Map<string, { since: number; repeats: number }>();
  return {
    refused(refusal) {
      if (!audit) return;
      const at = now();
      const key = `${refusal.action}\u0000${refusal.channel}\u0000${refusal.address ?? ''}`;
      const open = windows.get(key);
      if (open && at - open.since < REFUSAL_WINDOW_MS) {
        open.repeats++;
        return;
      }
      windows.delete(key);
      if (windows.size >= REFUSAL_KEYS_MAX) windows.delete(windows.keys().next().value!);
      windows.set(key, { since: at, repeats: 0 });
      audit.record({
        at,
        actor: refusal.actor ?? 'anonymous',
        ...(refusal.address ? { address: refusal.address } : {}),
        action: refusal.action,
        ...(refusal.target ? { target: refusal.target } : {}),
        note: refusal.note,
        ...(open?.repeats ? { after: { repeats: open.repeats, sinceMs: open.since } } : {}),
      });
    },
  };
}
