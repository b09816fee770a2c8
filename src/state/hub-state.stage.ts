/**
 * Assembly of the operational state at start (design.md §11): opens the database (SQLite in
 * DATA_DIR, or PostgreSQL by DATABASE_URL), and at its first start imports the seeds
 * (REGISTRY_FILE or the demo fleet, ALERTS_FILE or the demo routing, RULES_FILE, USERS_FILE, or the
 * logins made for a first run) and what earlier versions kept in DATA_DIR files. After that the
 * database is what the hub runs on: a seed file that differs is reported at start, and applied
 * with `compound-hub seed` (a dry run first with `--dry-run`).
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/config.loader.ts';
import { loadRegistryFile } from '../config/registry.loader.ts';
import type { RegistryData } from '../config/registry.schema.ts';
import { alertsConfigSchema, type AlertsConfig } from '../alerts/sla.config.ts';
import { formatIssues } from '../config/config.loader.ts';
import { loadRulesData, parseRules, parseRulesData } from '../rules/rules.loader.ts';
import type { RulesData } from '../rules/rule.schema.ts';
import { addMissingDemo } from './demo-upgrade.ts';
import { addMissingDemoRouting } from './demo-routing-upgrade.ts';
import { UsersStore, type NewUser } from '../auth/users.store.ts';
import type { User } from '../auth/users.schema.ts';
import { describeUser } from '../auth/user-scope.ts';
import { checkRouting } from '../alerts/routing.ts';
import { generatePassword } from '../auth/password.ts';
import { DEMO_PASSWORD, demoRouting, demoUsers, prepareDemo, type DemoSetup } from '../demo/demo.ts';
import { HubError } from '../errors.ts';
import { openState } from './index.ts';
import { diffSeeds, importSeeds, type Seeds } from './seed.ts';
import { importLegacyFiles } from './legacy-files.ts';
import type { StateStore } from './state.types.ts';
import { rekeyDemoLogins, type RekeyedLogin } from './demo-rekey.ts';

export interface HubState {
  state: StateStore;
  /** The database was empty at this start (seeds imported). */
  firstStart: boolean;
  demo?: DemoSetup;
  registry: RegistryData;
  alertsConfig: AlertsConfig;
  /** Where the routing came from, for messages. */
  alertsSource: string;
  /** The rules with their groups, inhibition and flapping. */
  rules: RulesData;
  users: UsersStore;
  /** Logins made by this start, with their one-time passwords: printed once. */
  created?: Array<{ id: string; role: string; password: string }>;
  /** Demo logins that had the demo's password at a start beyond loopback, with the one-time passwords they were given: printed once. */
  rekeyed?: RekeyedLogin[];
  /** The demo's fixed password, while only this machine can reach the hub. */
  demoPassword?: string;
}

const SEED_BY = 'seed';

async function readJson(file: string, setting: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HubError('CONFIG_INVALID', `${setting} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

export function parseAlertsConfig(body: unknown, source: string): AlertsConfig {
  const parsed = alertsConfigSchema.safeParse(body);
  if (!parsed.success) throw new HubError('CONFIG_INVALID', `${source}:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Those of the seeds that come from files the configuration names (not the demo's, not an earlier version's). */
function fileSeedsOf(config: HubConfig, seeds: Seeds): Seeds {
  return {
    ...(config.registryFile && seeds.registry ? { registry: seeds.registry } : {}),
    ...(config.alertsFile && seeds.alerts !== undefined ? { alerts: seeds.alerts } : {}),
    ...(config.rulesFile && seeds.rules !== undefined ? { rules: seeds.rules } : {}),
    ...(config.auth.usersFile && seeds.users ? { users: seeds.users } : {}),
  };
}

/** The seeds the configuration names: files, or the demo's. */
async function gatherSeeds(config: HubConfig, demo: DemoSetup | undefined, loopbackOnly: boolean): Promise<{ seeds: Seeds; fileSeeds: Seeds; legacyUsersFile?: string; initialUsers?: NewUser[] }> {
  const seeds: Seeds = {};
  if (config.registryFile) seeds.registry = await loadRegistryFile(config.registryFile);
  else if (demo) seeds.registry = demo.registry;
  if (config.alertsFile) seeds.alerts = await readJson(config.alertsFile, 'ALERTS_FILE');
  else if (demo) seeds.alerts = demoRouting(demo.registry);
  if (config.rulesFile) seeds.rules = await readJson(config.rulesFile, 'RULES_FILE');
  if (config.auth.usersFile) {
    seeds.users = UsersStore.parse(await readFile(config.auth.usersFile, 'utf8').catch((error: Error) => {
      throw new HubError('CONFIG_INVALID', `USERS_FILE: ${config.auth.usersFile} cannot be read: ${error.message}`);
    }), config.auth.usersFile).users;
    return { seeds, fileSeeds: fileSeedsOf(config, seeds) };
  }
  // The users file an earlier version made in the data dir.
  const legacy = path.join(config.dataDir, ...(demo ? ['demo'] : []), 'users.json');
  const text = await readFile(legacy, 'utf8').catch(() => undefined);
  if (text !== undefined) seeds.users = UsersStore.parse(text, legacy).users;
  const grids = demo ? demoRouting(demo.registry).grids : [];
  return {
    seeds,
    fileSeeds: fileSeedsOf(config, seeds),
    ...(text !== undefined ? { legacyUsersFile: legacy } : {}),
    initialUsers: demo
      ? demoUsers(demo.registry, grids, loopbackOnly ? DEMO_PASSWORD : generatePassword())
      : [{ id: 'admin', name: 'Admin', role: 'admin', password: generatePassword(), mustChangePassword: true }],
  };
}

/**
 * Seeds are checked whole before anything is imported, so a broken file leaves the database empty
 * (the next start imports the corrected file): the routing must parse and reach people among the
 * logins imported with it, and the rules must parse.
 */
function checkSeeds(config: HubConfig, seeds: Seeds, initialUsers: readonly NewUser[] | undefined): void {
  if (seeds.rules !== undefined) parseRules(seeds.rules, `RULES_FILE ${config.rulesFile}`);
  if (seeds.alerts === undefined) return;
  const source = config.alertsFile ? `ALERTS_FILE ${config.alertsFile}` : 'demo routing';
  const routing = parseAlertsConfig(seeds.alerts, source);
  const logins: User[] = [...(seeds.users ?? []), ...(initialUsers ?? []).map(({ password: _p, ...u }) => ({ ...u, passwordHash: '', mustChangePassword: false }))];
  const problems = checkRouting(routing, logins.map((u) => describeUser(u, routing)));
  if (problems.length) throw new HubError('ROUTING_INVALID', `${source}: routing reaches nobody:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

export async function openHubState(config: HubConfig, logger: Logger): Promise<HubState> {
  const log = logger.child({ stage: 'state' });
  const state = await openState({ dataDir: config.dataDir, databaseUrl: config.state.databaseUrl }, log);
  try {
    const demo = config.demo.enabled ? await prepareDemo(config.dataDir, config.demo.scenario) : undefined;
    // A fixed demo password only while nobody else can reach the hub.
    const loopbackOnly = ['127.0.0.1', '::1', 'localhost'].includes(config.http.host);
    const { seeds, fileSeeds, legacyUsersFile, initialUsers } = await gatherSeeds(config, demo, loopbackOnly);
    const firstStart = await state.places.isEmpty();
    const now = Date.now();
    if (firstStart) {
      if (!seeds.registry) throw new HubError('CONFIG_INVALID', 'REGISTRY_FILE: no device registry (set REGISTRY_FILE, or DEMO=on for the demo fleet)');
      checkSeeds(config, seeds, initialUsers);
      const summary = await importSeeds(state, seeds, SEED_BY, now);
      log.info({ ...summary }, 'first start: seeds imported into the database');
      if (legacyUsersFile) await rename(legacyUsersFile, `${legacyUsersFile}.imported`).catch(() => undefined);
      const legacy = await importLegacyFiles(state, config.dataDir, now, log);
      if (legacy.sessions || legacy.silences || legacy.alerts) log.info(legacy, 'state of an earlier version imported');
    } else {
      // A demo data dir of an earlier version lacks what the demo has gained since.
      if (demo) {
        const upgrade = await addMissingDemo(state, demo.registry, now);
        if (upgrade.compounds || upgrade.devices || upgrade.sites) log.info({ ...upgrade }, 'demo data dir of an earlier version: what the demo has gained is added');
      }
      const diff = await diffSeeds(state, fileSeeds);
      if (diff.lines.length) {
        log.warn(
          { changes: diff.lines.length, first: diff.lines.slice(0, 10) },
          'SEED FILES DIFFER FROM THE DATABASE: the hub runs on the database; see the changes with `npx compound-hub seed --dry-run`, apply them with `npx compound-hub seed`',
        );
      }
    }
    // Off loopback no login keeps the published demo password (a demo data dir moved onto a network).
    const rekeyed = loopbackOnly ? [] : await rekeyDemoLogins(state, now, log);
    const users = await UsersStore.load(state.users);
    // Without USERS_FILE: the first run's logins; the demo also gains logins its routing names that an
    // earlier version's data dir lacks (the escalation desks).
    const created = initialUsers && (demo || (await users.isEmpty())) ? await users.addMissing(initialUsers, now) : [];
    // ... and the parties and hand-over rules of its routing (issue 18), with their logins there now.
    if (demo && !firstStart && !config.alertsFile) {
      const added = await addMissingDemoRouting(state, demoRouting(demo.registry), SEED_BY, now);
      if (added.groups || added.handovers) log.info({ ...added }, 'demo data dir of an earlier version: the parties and hand-over rules of the demo routing are added');
    }

    const registry = await state.places.registry();
    const alertsDoc = await state.docs.get('alerts');
    const alertsConfig = alertsDoc ? parseAlertsConfig(alertsDoc.body, 'routing in the database') : alertsConfigSchema.parse({});
    const rules = await rulesInState(state);
    return {
      state,
      firstStart,
      ...(demo ? { demo } : {}),
      registry,
      alertsConfig,
      alertsSource: alertsDoc ? `routing (${alertsDoc.updatedBy === SEED_BY ? (config.alertsFile ? `ALERTS_FILE ${config.alertsFile}` : 'demo routing') : `saved by ${alertsDoc.updatedBy}`})` : 'routing',
      rules,
      users,
      ...(created.length ? { created: created.map((c) => ({ ...c, role: users.get(c.id)?.role ?? 'worker' })) } : {}),
      ...(rekeyed.length ? { rekeyed } : {}),
      ...(demo && loopbackOnly && initialUsers ? { demoPassword: DEMO_PASSWORD } : {}),
    };
  } catch (error) {
    await state.close();
    throw error;
  }
}

/** The rules the database holds, or the built-in pack while it holds none. */
async function rulesInState(state: StateStore): Promise<RulesData> {
  const doc = await state.docs.get('rules');
  return doc ? parseRulesData(doc.body, 'rules in the database') : loadRulesData(undefined);
}

/** `kill -HUP`: RULES_FILE, when set, is checked and saved into the database first (as `compound-hub seed` would); then the rules the database holds. */
export async function reloadRules(config: HubConfig, state: StateStore): Promise<RulesData> {
  if (config.rulesFile) {
    let body: unknown;
    try {
      body = await readJson(config.rulesFile, 'RULES_FILE');
    } catch (error) {
      throw new HubError('RULES_INVALID', (error as Error).message);
    }
    parseRules(body, `RULES_FILE ${config.rulesFile}`);
    await state.docs.put('rules', body, { by: 'RULES_FILE', at: Date.now() });
  }
  return rulesInState(state);
}
