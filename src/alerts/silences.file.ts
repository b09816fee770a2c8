/**
 * Silences survive a restart: kept in DATA_DIR/silences.json, rewritten atomically on every
 * change (they are few). Expired ones are dropped when read.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readStateFile } from '../util/state-file.ts';
import type { Silence, Silences } from './silences.ts';

/** A silence as stored and as the API returns it. */
export const silenceSchema = z.strictObject({
  id: z.string().max(64),
  compound: z.string().optional(),
  deviceKey: z.string().optional(),
  type: z.enum(DEVICE_TYPES).optional(),
  ruleId: z.string().optional(),
  from: z.number(),
  until: z.number(),
  reason: z.string(),
  actor: z.string(),
});

/** The silences kept in `file` that are not over at `now`; none when there is no file. A broken or unreadable file is reported and set aside. */
export async function loadSilences(file: string, now: number, logger: Logger): Promise<Silence[]> {
  const silences = await readStateFile(file, z.array(silenceSchema), logger, 'silences', 'SILENCES NOT RESTORED');
  return (silences ?? []).filter((s) => s.until > now) as Silence[];
}

/** Writes every change of `silences` to `file`, one write at a time. */
export function keepSilences(silences: Silences, file: string, logger: Logger): void {
  let writing = Promise.resolve();
  silences.onChange((all) => {
    const text = `${JSON.stringify(all, null, 2)}\n`;
    writing = writing
      .then(() => writeFileAtomic(file, text, 0o644))
      .catch((error: unknown) => logger.error({ err: (error as Error).message, file }, 'silences not saved'));
  });
}
