/**
 * Opens the operational database (design.md §11) and hands out its repositories: opens the
 * engine, refuses a database written by a newer hub, migrates, and logs once which database
 * it is on. `backup()` makes a consistent copy of a SQLite database while the hub runs.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { HubError } from '../errors.ts';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { usersRepo } from './users.repo.ts';
import { sessionsRepo } from './sessions.repo.ts';
import { placesRepo } from './places.repo.ts';
import { docsRepo } from './docs.repo.ts';
import { silencesRepo } from './silences.repo.ts';
import { alertsRepo } from './alerts.repo.ts';
import { deliveriesRepo } from './deliveries.repo.ts';
import { planImagesRepo } from './plan-images.repo.ts';
import { alertPhotosRepo } from './alert-photos.repo.ts';
import { leasesRepo } from './leases.repo.ts';
import { membersRepo } from './members.repo.ts';
import { auditRepo } from './audit.repo.ts';
import { northboundTokensRepo } from './northbound-tokens.repo.ts';
import { isUnavailable } from './dialect.ts';
import type { OpenStateOptions, StateStore } from './state.types.ts';

/** A repository whose every call answers HubError STATE_UNAVAILABLE (503) when the database cannot be reached, naming it. */
function guarded<R extends object>(repo: R, location: string): R {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    wrapped[name] =
      typeof fn === 'function'
        ? (...args: unknown[]) =>
            (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args).catch((error: unknown) => {
              if (isUnavailable(error)) throw new HubError('STATE_UNAVAILABLE', `the operational database at ${location} is unavailable: ${(error as Error).message}`, { cause: error });
              throw error;
            })
        : fn;
  }
  return wrapped as R;
}

export async function openState(options: OpenStateOptions, logger: Logger): Promise<StateStore> {
  const opened = await openDatabase(options, (error) => logger.error({ err: error.message }, 'operational database connection lost'));
  const { db, engine, location, sqlite } = opened;
  let schemaVersion: number;
  try {
    schemaVersion = await migrate(db, location);
  } catch (error) {
    await db.destroy().catch(() => {});
    if (error instanceof HubError) throw error;
    throw new HubError('STATE_UNAVAILABLE', `${location}: ${(error as Error).message}`, { cause: error });
  }
  logger.info({ engine, location, schemaVersion }, 'operational database open');

  let closed: Promise<void> | undefined;
  return {
    engine,
    location,
    schemaVersion,
    users: guarded(usersRepo(db), location),
    sessions: guarded(sessionsRepo(db), location),
    places: guarded(placesRepo(db), location),
    docs: guarded(docsRepo(db), location),
    silences: guarded(silencesRepo(db), location),
    alerts: guarded(alertsRepo(db), location),
    deliveries: guarded(deliveriesRepo(db), location),
    audit: guarded(auditRepo(db), location),
    planImages: guarded(planImagesRepo(db), location),
    alertPhotos: guarded(alertPhotosRepo(db), location),
    leases: guarded(leasesRepo(db), location),
    members: guarded(membersRepo(db), location),
    northboundTokens: guarded(northboundTokensRepo(db), location),
    async backup(file) {
      if (!sqlite) {
        throw new HubError('STATE_UNSUPPORTED', `use pg_dump: a PostgreSQL database is backed up with its own tools (pg_dump -Fc, pg_restore; docs/storage.md), not by the hub (${location})`);
      }
      const existing = await stat(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw new HubError('BAD_REQUEST', `backup ${file}: ${error.message}`, { cause: error });
      });
      if (!existing && !(await stat(path.dirname(file)).then((d) => d.isDirectory(), () => false))) {
        throw new HubError('BAD_REQUEST', `backup ${file}: the folder ${path.dirname(file)} does not exist`, { params: { file } });
      }
      if (existing && (!existing.isFile() || existing.size > 0)) {
        throw new HubError('BAD_REQUEST', `backup ${file}: exists already; name a new file (an existing backup is never overwritten)`, { params: { file } });
      }
      try {
        await sqlite.backup(file);
      } catch (error) {
        throw new HubError('STATE_UNAVAILABLE', `backup of ${location} to ${file} failed: ${(error as Error).message}`, { cause: error });
      }
    },
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
