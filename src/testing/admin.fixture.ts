/**
 * The HTTP API with administration for tests: a real SQLite state in a temp dir holding the
 * fixture logins (access.fixture.ts), places c01 (grid g1: worker wang) and c02, and the
 * routing document; the hub's side of the hooks is a recorder that also takes changes back
 * the way the hub does (logins refreshed, the live registry replaced), so a test can log in as
 * a created user or authenticate a device as the broker would.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { testHttpServer } from './http.fixture.ts';
import { accessFixture, TEST_PASSWORD } from './access.fixture.ts';
import { fixtureRegistryFile } from './registry.fixture.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema, type AlertsConfig } from '../alerts/sla.config.ts';
import { Routing } from '../alerts/routing.ts';
import { describeUser } from '../auth/user-scope.ts';
import { loadRulesData } from '../rules/rules.loader.ts';
import type { Rule } from '../rules/rule.schema.ts';
import { liveRegistry, type LiveRegistry } from '../registry/registry.ts';
import { createAuditLog, type AuditLog } from '../audit/audit.log.ts';
import type { RegistryFile } from '../config/registry.schema.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import type { StateStore } from '../state/state.types.ts';
import type { StoreSettings } from '../store/store.types.ts';
import type { AdminHooks } from '../admin/admin.types.ts';

export { TEST_PASSWORD };
export const FIXTURE_DEVICE_SECRET = 'fixture-device-secret-1';
export const AT = 1_800_000_000_000;

/** The registry fixture (registry.fixture.ts) with the fixture device secret, and c01's building b1 named. */
export const FIXTURE_PLACES: RegistryFile = fixtureRegistryFile(FIXTURE_DEVICE_SECRET);
FIXTURE_PLACES.districts[0]!.streets[0]!.communities[0]!.compounds[0]!.buildings = { b1: '1号楼' };

/** Grid g1 (c01) with worker wang: the routing every test starts with, saved as version 1. */
export const FIXTURE_ROUTING = { grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] };

export type HookCall = ['userChanged', string] | ['registryChanged', string[]] | ['routingChanged', AlertsConfig] | ['rulesChanged', Rule[]];

export interface Client {
  inject(options: string | InjectOptions): Promise<LightMyRequestResponse>;
}

export interface AdminApi extends Client {
  app: FastifyInstance;
  state: StateStore;
  registry: LiveRegistry;
  audit: AuditLog;
  calls: HookCall[];
  /** The clock the API and the audit log read; tests move it. */
  clock: { now: number };
  login(user: string, password?: string, options?: Partial<InjectOptions>): Promise<Client>;
  /** The audit entries so far, oldest first. */
  entries(): Promise<Awaited<ReturnType<StateStore['audit']['query']>>>;
  close(): Promise<void>;
}

export interface AdminApiOptions {
  trustProxy?: string[];
  storeSettings?: StoreSettings;
  /** Without the admin deps (the routes are not registered). */
  withoutAdmin?: boolean;
}

export async function adminApi(options: AdminApiOptions = {}): Promise<AdminApi> {
  const access = await accessFixture();
  const { state } = access;
  const clock = { now: AT };
  const now = () => clock.now;
  await state.places.replaceRegistry(parseRegistry(FIXTURE_PLACES, 'fixture'), AT);
  const routingDoc = alertsConfigSchema.parse(FIXTURE_ROUTING);
  await state.docs.put('alerts', routingDoc, { by: 'seed', at: AT });
  const alertsConfig: AlertsConfig = { ...routingDoc };
  const registry = liveRegistry(await state.places.registry());
  const people = () => access.users.list().map((u) => describeUser(u, alertsConfig));
  const routing = new Routing(alertsConfig, people);
  const rulesData = await loadRulesData(undefined);
  const { rules } = rulesData;
  let n = 0;
  const alerts = new AlertBook(alertsConfig, [], routing, () => `a${++n}`);
  alerts.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/elev-1', compound: 'c01', type: 'elevator', device: 'elev-1', at: AT, count: 1 });
  const calls: HookCall[] = [];
  const hooks: AdminHooks = {
    async userChanged(id) {
      calls.push(['userChanged', id]);
      await access.users.refresh(id);
      routing.refresh();
    },
    async registryChanged(keys) {
      calls.push(['registryChanged', [...keys]]);
      registry.replace(await state.places.registry());
    },
    routingChanged(config) {
      calls.push(['routingChanged', config]);
      Object.assign(alertsConfig, config);
      routing.refresh();
    },
    rulesChanged(next) {
      calls.push(['rulesChanged', next.rules]);
    },
  };
  const logger = pino({ level: 'silent' });
  const audit = createAuditLog(state.audit, logger, now);
  const app = await testHttpServer({
    access,
    registry,
    alerts,
    alertsConfig,
    routing,
    rules: () => rules,
    now,
    logger,
    audit,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.withoutAdmin
      ? {}
      : { admin: { state, hooks, audit, people, defaultRules: () => rulesData, now, ...(options.storeSettings ? { storeSettings: options.storeSettings } : {}) } }),
  });

  const login = async (user: string, password = TEST_PASSWORD, extra: Partial<InjectOptions> = {}): Promise<Client> => {
    const res = await app.inject({ ...extra, method: 'POST', url: '/api/auth/login', payload: { username: user, password } } as InjectOptions);
    if (res.statusCode !== 200) throw new Error(`login ${user}: ${res.statusCode} ${res.body}`);
    const cookie = `ch_session=${res.cookies.find((c) => c.name === 'ch_session')!.value}`;
    return {
      inject: (o) => app.inject(typeof o === 'string' ? { url: o, headers: { cookie } } : { ...o, headers: { ...o.headers, cookie } }),
    };
  };
  const root = await login('root');
  return {
    ...root,
    app,
    state,
    registry,
    audit,
    calls,
    clock,
    login,
    entries: async () => {
      await audit.flush();
      return (await state.audit.query({ limit: 1000 })).reverse();
    },
    close: async () => {
      await app.close();
      await audit.flush();
      const location = state.location;
      await state.close();
      if (state.engine === 'sqlite') await rm(path.dirname(location), { recursive: true, force: true });
    },
  };
}

