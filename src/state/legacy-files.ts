/**
 * What versions before the operational database kept in DATA_DIR as JSON files (sessions,
 * silences, open alerts): taken into the database at its first start, each import logged, and
 * the file renamed `*.imported` so it is neither read again nor lost.
 */
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from 'pino';
import { readStateFile } from '../util/state-file.ts';
import { silenceSchema } from '../alerts/silence.schema.ts';
import { alertSchema } from '../alerts/alert.schema.ts';
import type { Alert } from '../alerts/alert.types.ts';
import type { Silence } from '../alerts/silences.ts';
import type { StateStore } from './state.types.ts';

const sessionsFileSchema = z.strictObject({
  version: z.literal(1),
  sessions: z.array(z.strictObject({ id: z.string().min(1).max(100), userId: z.string().min(1).max(200), createdAt: z.number().int().nonnegative(), expiresAt: z.number().int().nonnegative() })),
});

async function setAside(file: string): Promise<void> {
  await rename(file, `${file}.imported`).catch(() => undefined);
}

/** Imports DATA_DIR/sessions.json, silences.json and open-alerts.json when they are there; returns what was imported. */
export async function importLegacyFiles(state: StateStore, dataDir: string, now: number, logger: Logger): Promise<{ sessions: number; silences: number; alerts: number }> {
  const counts = { sessions: 0, silences: 0, alerts: 0 };
  const sessionsFile = path.join(dataDir, 'sessions.json');
  const sessions = (await readStateFile(sessionsFile, sessionsFileSchema, logger, 'sessions', 'SESSIONS NOT IMPORTED'))?.sessions.filter((s) => s.expiresAt > now);
  if (sessions) {
    await state.sessions.save(sessions);
    counts.sessions = sessions.length;
    logger.info({ file: sessionsFile, sessions: sessions.length }, 'sessions imported into the database');
    await setAside(sessionsFile);
  }
  const silencesFile = path.join(dataDir, 'silences.json');
  const silences = (await readStateFile(silencesFile, z.array(silenceSchema), logger, 'silences', 'SILENCES NOT IMPORTED'))?.filter((s) => s.until > now);
  if (silences) {
    for (const silence of silences) await state.silences.put(silence as Silence);
    counts.silences = silences.length;
    logger.info({ file: silencesFile, silences: silences.length }, 'silences imported into the database');
    await setAside(silencesFile);
  }
  const alertsFile = path.join(dataDir, 'open-alerts.json');
  const alerts = await readStateFile(alertsFile, z.array(alertSchema), logger, 'open alerts', 'OPEN ALERTS NOT IMPORTED');
  if (alerts) {
    await state.alerts.save(alerts as Alert[]);
    counts.alerts = alerts.length;
    logger.info({ file: alertsFile, alerts: alerts.length }, 'open alerts imported into the database');
    await setAside(alertsFile);
  }
  return counts;
}
