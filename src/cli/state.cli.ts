/**
 * `compound-hub backup FILE` and `compound-hub seed [--dry-run]` (docs/storage.md): the
 * operational database from the same settings as the hub (DATA_DIR, DATABASE_URL).
 *
 * - backup: a consistent copy of the SQLite database (online: the hub may keep running) in FILE,
 *   which must not exist yet. PostgreSQL is backed up with pg_dump.
 * - seed: compares REGISTRY_FILE, ALERTS_FILE, RULES_FILE and USERS_FILE with the database,
 *   prints the changes, and applies them unless --dry-run. A hub running meanwhile sees them
 *   after its next restart.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig, type HubConfig } from '../config/config.loader.ts';
import { loadRegistryFile } from '../config/registry.loader.ts';
import { loadAlertsConfig } from '../alerts/sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { UsersStore } from '../auth/users.store.ts';
import { isHubError } from '../errors.ts';
import { openState } from '../state/index.ts';
import { sqlitePath } from '../state/database.ts';
import { applySeeds, diffSeeds, type Seeds } from '../state/seed.ts';

const USAGE = `Usage: compound-hub backup FILE        a copy of the operational database (SQLite) in FILE (a new file)
       compound-hub seed [--dry-run]    sync REGISTRY_FILE, ALERTS_FILE, RULES_FILE, USERS_FILE into the database
  The database comes from the hub's settings: DATA_DIR (SQLite DATA_DIR/hub.db) or DATABASE_URL.`;

export interface CliOutput {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

/** Whom seed writes are recorded as (docs' updatedBy, the audit log). */
export const SEED_ACTOR = 'seed';

async function rawJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

/** The seed files the settings name, each checked by its own loader. */
async function readSeeds(config: HubConfig): Promise<{ seeds: Seeds; sources: string[] }> {
  const seeds: Seeds = {};
  const sources: string[] = [];
  if (config.registryFile) {
    seeds.registry = await loadRegistryFile(config.registryFile);
    sources.push(`REGISTRY_FILE ${config.registryFile}`);
  }
  if (config.alertsFile) {
    await loadAlertsConfig(config.alertsFile); // validates; the document kept is the file as written
    seeds.alerts = await rawJson(config.alertsFile);
    sources.push(`ALERTS_FILE ${config.alertsFile}`);
  }
  if (config.rulesFile) {
    await loadRules(config.rulesFile);
    seeds.rules = await rawJson(config.rulesFile);
    sources.push(`RULES_FILE ${config.rulesFile}`);
  }
  const usersFile = config.auth.usersFile;
  if (usersFile) {
    const text = await readFile(usersFile, 'utf8').catch((error: Error) => {
      throw new Error(`USERS_FILE: ${usersFile} cannot be read: ${error.message}`);
    });
    seeds.users = UsersStore.parse(text, usersFile).users;
    sources.push(`USERS_FILE ${usersFile}`);
  }
  return { seeds, sources };
}

export async function runStateCommand(argv: readonly string[], env: Record<string, string | undefined>, io: CliOutput = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (error) {
    io.err.write(`compound-hub: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  const wrongArgs =
    (command === 'backup' && (rest.length !== 1 || parsed.values['dry-run'])) || (command === 'seed' && rest.length !== 0) || (command !== 'backup' && command !== 'seed');
  if (wrongArgs) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }

  let config: HubConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    io.err.write(`compound-hub: invalid configuration\n${(error as Error).message}\n`);
    return 2;
  }
  if (command === 'backup' && !config.state.databaseUrl) {
    const file = sqlitePath(config.dataDir);
    if (!(await stat(file).catch(() => undefined))) {
      io.err.write(`compound-hub: there is no operational database at ${file} (the hub makes it at its first start; check DATA_DIR)\n`);
      return 1;
    }
  }
  // Only trouble is logged: the output is what the command prints.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const state = await openState({ dataDir: config.dataDir, databaseUrl: config.state.databaseUrl }, logger).catch((error: unknown) => error as Error);
  if (state instanceof Error) {
    io.err.write(`compound-hub: ${state.message}\n`);
    return 1;
  }
  try {
    if (command === 'backup') {
      const file = path.resolve(rest[0] ?? '');
      await state.backup(file);
      const { size } = await stat(file);
      io.out.write(`backup: ${state.location} → ${file} (${size} bytes)\n`);
      return 0;
    }
    const { seeds, sources } = await readSeeds(config);
    if (!sources.length) {
      io.out.write('seed: no seed files are set (REGISTRY_FILE, ALERTS_FILE, RULES_FILE, USERS_FILE): nothing to compare\n');
      return 0;
    }
    io.out.write(`seed: ${sources.join(', ')}\n   → ${state.location}\n`);
    const diff = await diffSeeds(state, seeds);
    for (const line of diff.lines) io.out.write(`${line}\n`);
    if (!diff.lines.length) {
      io.out.write('seed: the database already says what the seed files say\n');
      return 0;
    }
    if (parsed.values['dry-run']) {
      io.out.write(`seed: ${diff.lines.length} change(s); dry run, nothing written (run without --dry-run to apply)\n`);
      return 0;
    }
    const applied = await applySeeds(state, seeds, SEED_ACTOR, Date.now());
    io.out.write(
      `seed: ${applied.lines.length} change(s) applied. A hub running on this database sees them only after a restart.\n`,
    );
    return 0;
  } catch (error) {
    io.err.write(`compound-hub: ${isHubError(error) ? error.message : (error as Error).message}\n`);
    return 1;
  } finally {
    await state.close();
  }
}
