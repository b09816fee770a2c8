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
  create(body: { reason: string; device?: string; ruleId?: string; compound?: string; durationMin: number }): Promise<SilenceAnswer>;
  end(id: string): Promise<void>;
  reload(): Promise<void>;
  dispose(): void;
}

export const covers = (s: SilenceView, a: Alert, now = Date.now()): boolean =>
  s.from <= now && now < s.until &&
  (!s.compound || s.compound === a.compound) &&
  (!s.deviceKey || s.deviceKey === a.deviceKey) &&
  (!s.type || s.type === a.type) &&
  (!s.ruleId || s.ruleId === a.ruleId);

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
    until(alert, now = Date.now()) {
      const ends = list.filter((s) => covers(s, alert, now)).map((s) => s.until);
      return ends.length ? Math.max(...ends) : undefined;
    },
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
