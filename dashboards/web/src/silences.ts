/**
 * The silences affecting what a view shows (`GET /api/silences?compound=…`), kept fresh: loaded
 * at mount, after each change made here, and every 30 s. Tells whether an alert is silenced.
 */
import type { SilenceView } from '../../../src/contracts/api.ts';
import type { Alert } from '../../../src/contracts/live-events.ts';
import { api } from './api.client.ts';

const REFRESH_MS = 30_000;

/** What `POST /api/silences` answers: the silence made, or the existing one it was merged into. */
export type SilenceAnswer = SilenceView & { merged?: true };

export interface SilenceList {
  readonly list: readonly SilenceView[];
  /** Changes each time the list changes. */
  readonly version: number;
  /** Until when `alert` is silenced, if it is. */
  until(alert: Alert, now?: number): number | undefined;
  create(body: SilenceRequest): Promise<SilenceAnswer>;
  end(id: string): Promise<void>;
  reload(): Promise<void>;
  dispose(): void;
}

/** What a silence is asked for (`POST /api/silences`). */
export type SilenceRequest = { reason: string; device?: string; ruleId?: string; compound?: string; durationMin: number };

/** A condition a silence can cover: an alert's own, or an incident member's. */
type Condition = Pick<Alert, 'compound' | 'deviceKey' | 'type' | 'ruleId'>;

const coversCondition = (s: SilenceView, c: Condition, now: number): boolean =>
  s.from <= now && now < s.until &&
  (!s.compound || s.compound === c.compound) &&
  (!s.deviceKey || s.deviceKey === c.deviceKey) &&
  (!s.type || s.type === c.type) &&
  (!s.ruleId || s.ruleId === c.ruleId);

/** The conditions an alert stands for: its own, or an incident's members' (the active ones; all once none is). */
function conditionsOf(a: Alert): Condition[] {
  if (!a.incident) return [a];
  const active = a.incident.members.filter((m) => m.leftAt === undefined);
  return (active.length ? active : a.incident.members).map((m) => ({ compound: a.compound, deviceKey: m.deviceKey, type: m.type, ruleId: m.ruleId }));
}

/** Whether a silence covers the alert: its condition, or (an incident) one of its members' conditions. */
export const covers = (s: SilenceView, a: Alert, now = Date.now()): boolean => conditionsOf(a).some((c) => coversCondition(s, c, now));

/**
 * Until when an alert is silenced: its condition is covered, or (an incident) every member's
 * condition is, until the earliest of their ends.
 */
export function silencedUntil(list: readonly SilenceView[], a: Alert, now = Date.now()): number | undefined {
  let end = Infinity;
  for (const c of conditionsOf(a)) {
    const ends = list.filter((s) => coversCondition(s, c, now)).map((s) => s.until);
    if (!ends.length) return undefined;
    end = Math.min(end, Math.max(...ends));
  }
  return Number.isFinite(end) ? end : undefined;
}

/**
 * What the card's silence asks for: that rule on that device; for an incident (its key names no
 * device, its group is no rule) each of its members' rules in the compound, once per rule, so the
 * devices joining it later are silenced too.
 */
export function silenceTargets(a: Alert): Array<Pick<SilenceRequest, 'compound' | 'device' | 'ruleId'>> {
  if (!a.incident) return [{ device: a.deviceKey, ruleId: a.ruleId }];
  return [...new Set(a.incident.members.map((m) => m.ruleId))].map((ruleId) => ({ compound: a.compound, ruleId }));
}

/** `compound`: the silences affecting it; none: those the user may see. `load`: false keeps only those made here. */
export function silenceList(compound: string | undefined, changed: () => void, onError: (error: unknown) => void, load = true): SilenceList {
  let list: SilenceView[] = [];
  let version = 0;
  const set = (next: SilenceView[]) => {
    list = next.sort((a, b) => a.until - b.until);
    version += 1;
    changed();
  };
  const reload = async () => {
    if (!load) return;
    try {
      const { silences } = await api<{ silences: SilenceView[] }>('GET', `/api/silences${compound ? `?compound=${encodeURIComponent(compound)}` : ''}`);
      set(silences);
    } catch (error) {
      // An unreachable hub is what the connection light says already; the next round retries.
      if (!(error instanceof TypeError)) onError(error);
    }
  };
  void reload();
  const timer = load ? setInterval(() => void reload(), REFRESH_MS) : undefined;
  return {
    get list() {
      return list;
    },
    get version() {
      return version;
    },
    until: (alert, now = Date.now()) => silencedUntil(list, alert, now),
    async create(body) {
      const silence = await api<SilenceAnswer>('POST', '/api/silences', body);
      set([...list.filter((s) => s.id !== silence.id), silence]);
      void reload();
      return silence;
    },
    async end(id) {
      await api('DELETE', `/api/silences/${encodeURIComponent(id)}`);
      set(list.filter((s) => s.id !== id));
      void reload();
    },
    reload,
    dispose: () => clearInterval(timer),
  };
}
