/**
 * Silences survive a restart: every silence added, extended or ended is written to the
 * operational database (SilencesRepo) at once (they are few), one write at a time.
 */
import type { Logger } from 'pino';
import type { SilencesRepo } from '../state/state.types.ts';
import { writeBehind, type WriteBehind } from '../util/write-behind.ts';
import type { Silence, Silences } from './silences.ts';

export function keepSilences(silences: Silences, repo: SilencesRepo, logger: Logger, now: () => number = Date.now): WriteBehind {
  let saved = new Map<string, string>(silences.list(now()).map((s) => [s.id, JSON.stringify(s)]));
  let latest: Silence[] = [];
  const kept = writeBehind(
    async () => {
      const all = latest;
      const current = new Map(all.map((s) => [s.id, JSON.stringify(s)]));
      for (const s of all) if (saved.get(s.id) !== current.get(s.id)) await repo.put(s);
      for (const id of saved.keys()) if (!current.has(id)) await repo.end(id, now(), 'hub');
      saved = current;
    },
    { delayMs: 0, logger, what: 'silences', failure: 'a restart would bring back or forget what changed since' },
  );
  silences.onChange((all) => {
    latest = all;
    kept.changed(true);
  });
  return kept;
}
