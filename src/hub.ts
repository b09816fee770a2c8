/**
 * Composition root: builds the stages in data-flow order (state → storage → rules and alerts →
 * ingest → broker → dispatch → http and live → admin) and stops them in reverse. No stage
 * reaches another except through what is passed in here; each stage's assembly lives in its folder.
 */
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from './config/config.loader.ts';
import { liveRegistry, type Registry } from './registry/registry.ts';
import { createHubMetrics, type HubMetrics } from './metrics/hub.metrics.ts';
import { IngestPipeline, type ReadingSink } from './ingest/ingest.pipeline.ts';
import { PayloadValidator } from './validate/payload.validator.ts';
import { DeadLetters } from './validate/dead-letters.ts';
import { DeviceStates } from './live/device-state.ts';
import { createHistoryQuery } from './store/index.ts';
import { createStorageStage } from './store/storage.stage.ts';
import { buildHttpServer } from './api/http.server.ts';
import { listenHttp } from './api/http.listen.ts';
import { createHttpsStage } from './api/https.server.ts';
import { archiveOf } from './alerts/alert-query.ts';
import { isLoopbackBind } from './api/origin.guard.ts';
import { RulesEngine } from './rules/rules.engine.ts';
import { loadRulesData } from './rules/rules.loader.ts';
import { ActiveConditions } from './rules/active-conditions.ts';
import { wireRules } from './rules/rules.stage.ts';
import { createAlertsStage } from './alerts/alerts.stage.ts';
import { sitesOf } from './alerts/arrival.policy.ts';
import { AlertEventLines, readAlertEvents } from './alerts/alert-log.ts';
import { describeUser } from './auth/user-scope.ts';
import type { BrokerStatus, StorageStatus } from './api/api.types.ts';
import { runDemo } from './demo/demo.ts';
import { createAccessStage } from './auth/access.stage.ts';
import { LiveServer } from './live/live.server.ts';
import type { Simulation } from '../simulators/sim.runner.ts';
import { createDispatchStage } from './dispatch/dispatch.stage.ts';
import { openHubState, reloadRules as reloadStateRules } from './state/hub-state.stage.ts';
import { createBrokerStage } from './broker/broker.stage.ts';
import { createAuditLog } from './audit/audit.log.ts';
import { createRefusalAudit } from './audit/refusals.audit.ts';
import { clientAddressOf } from './api/client-address.ts';
import { adminHooks } from './admin/admin.stage.ts';
import { clusterBusOf, instanceRole } from './cluster/instance.role.ts';
import { createNorthboundStage } from './northbound/northbound.stage.ts';

export interface HubInfo {
  /** The plain MQTT listener (else the first one), or the external broker. */
  brokerUrl: string;
  /** Every listener of the embedded broker (mqtt, mqtts, ws, wss), or the external broker. */
  brokerListeners: Array<{ url: string; clientCertificates?: boolean }>;
  httpUrl: string;
  dashboardUrl: string;
  /** PUBLIC_URL: where people reach the hub (the QR codes point there). */
  publicUrl?: string;
  storage: string;
  liveOnly: boolean;
  devices: number;
  compounds: number;
  demo?: { compounds: number; devices: number; fleetKeyFile: string; users: Array<{ id: string; role: string; name: string }>; password?: string };
  dataDir: string;
  /** The operational database: engine and where (the SQLite file, or the PostgreSQL URL without its password). */
  state: string;
  /** A cluster instance (CLUSTER=on): its name and the partitions shared out. */
  cluster?: { instance: string; partitions: number };
  logins: {
    /** Users created by this start, with their passwords: printed once. */
    created?: Array<{ id: string; role: string; password: string }>;
    /** Demo logins that still had the published demo password at a start beyond loopback, with their new one-time passwords: printed once. */
    rekeyed?: Array<{ id: string; role: string; password: string }>;
  };
}

export interface Hub {
  readonly info: HubInfo;
  readonly metrics: HubMetrics;
  readonly registry: Registry;
  readonly http: FastifyInstance;
  /** Saves RULES_FILE into the database when it is set, then swaps in the rules the database holds, without a restart. */
  reloadRules(): Promise<number>;
  /** Reads HTTPS_CERT / HTTPS_KEY again (false: the hub serves plain HTTP); throws, keeping the old ones, when they are not usable. */
  reloadCertificate(): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startHub(config: HubConfig, logger: Logger = pino({ level: config.logLevel })): Promise<Hub> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'error during shutdown'));
    }
    cleanups.length = 0;
  };

  try {
    const metrics = createHubMetrics();

    // Operational state: the database, seeded at its first start; devices, routing, rules and logins come from it.
    const hubState = await openHubState(config, logger);
    const { state, demo, alertsConfig, users } = hubState;
    cleanups.push(() => state.close());
    const audit = createAuditLog(state.audit, logger);
    cleanups.push(() => audit.flush());
    const refusals = createRefusalAudit(audit);
    const registry = liveRegistry(hubState.registry);
    metrics.devicesRegistered.set(registry.size);

    // Storage
    const storage = await createStorageStage(config, { logger, metrics });
    cleanups.push(() => storage.stop());
    const { store } = storage;

    // Ingest → validate → store + live state
    const deviceStates = new DeviceStates();
    const deadLetters = new DeadLetters(config.ingest.deadLetterLimit);
    // Rules: conditions raised and cleared from readings and the clock.
    const rules = new RulesEngine(hubState.rules.rules, Date.now());
    const conditions = new ActiveConditions();
    // Logins and sessions (kept in the database).
    // A cluster instance's bus to the others (attached to the live server's adapter below); logins use it from the start.
    const clusterBus = clusterBusOf(config);
    const access = await createAccessStage(config, users, state.sessions, logger, state.users, clusterBus ? { bus: clusterBus } : undefined);
    cleanups.push(() => access.keptSessions.flush());
    // Alerts: conditions become alerts with a workflow, routing and SLA escalation.
    const people = () => users.list().map((u) => describeUser(u, alertsConfig));
    const { alerts, routing, silences, flush: flushAlerts } = await createAlertsStage({
      alertsConfig,
      alertsSource: hubState.alertsSource,
      rules: rules.rules,
      people,
      compounds: registry.compounds().map((c) => c.id),
      sites: sitesOf(registry),
      state,
      firstStart: hubState.firstStart,
      storage: storage.settings,
      replicated: Boolean(config.cluster),
      logger,
    });
    cleanups.push(flushAlerts);
    // Scale-out (CLUSTER=on): partitions leased in PostgreSQL, the alerts as versioned rows told to the other instances; alone, every compound is this hub's.
    const role = await instanceRole(config, { bus: clusterBus, state, alerts, metrics, logger });
    cleanups.push(() => role.closeBus());
    const owns = role.owns;
    let live: LiveServer | undefined;
    const eventLines = new AlertEventLines(role.eventTags);
    alerts.onEvent((event, alert) => {
      store?.writeLine(eventLines.line(event, alert));
      live?.alertChanged(alert, event.kind !== 'repeated');
      if (event.kind !== 'repeated') {
        logger.info({ stage: 'alerts', ...event, rule: alert.ruleId, severity: alert.severity, device: alert.deviceKey }, `alert ${event.kind}`);
      }
    });
    // Between conditions and alerts: grouping into incidents, inhibition, flapping.
    const wired = wireRules({
      rules,
      data: hubState.rules,
      registry,
      conditions,
      deviceStates,
      alerts,
      silences,
      deviceChanged: (device) => {
        live?.deviceChanged(device);
        role.silent(device);
      },
      metrics,
      logger,
      owns: role.ownsAtStart,
    });
    const { correlator } = wired;
    // Set once the broker is up (below); the ticker reads it from its first tick.
    let brokerStatus = (): BrokerStatus => ({ kind: config.broker.kind, url: '', connected: false });
    let lastPrune = 0;
    const ticker = setInterval(() => {
      const now = Date.now();
      // While devices' messages wait before the hub (storage full, broker connection down), their silence is not theirs.
      if ((store && !store.accepting) || !brokerStatus().connected || !role.ingestConnected()) rules.excuseSilence(now);
      rules.tick(now);
      correlator.tick(now);
      alerts.tick(now, owns);
      access.deps.sessions.sweep(now);
      // The audit log keeps AUDIT_RETENTION_DAYS: pruned hourly.
      if (now - lastPrune >= 3_600_000) {
        lastPrune = now;
        state.audit.prune(now - config.state.auditRetentionMs).catch((error: unknown) => logger.warn({ stage: 'audit', err: (error as Error).message }, 'audit log not pruned'));
      }
    }, 1000);
    cleanups.push(async () => clearInterval(ticker));

    const sink: ReadingSink = {
      accept(reading, device) {
        store?.write(reading);
        deviceStates.apply(reading, device.key);
        live?.deviceChanged(device);
        role.accepted(reading, device);
        // A message handled in the moment its partition moved is judged by the next owner, not here.
        if (owns(device.compound)) rules.ingest(reading, device);
      },
      whenReady: () => (store && !store.accepting ? store.whenAccepting() : undefined),
    };
    const pipeline = new IngestPipeline({
      topicRoot: config.topicRoot,
      registry,
      validator: new PayloadValidator(config.ingest),
      deadLetters,
      metrics,
      logger,
      sink,
    });

    // Broker
    const broker = await createBrokerStage(config, { registry, pipeline, metrics, logger });
    cleanups.push(() => broker.stop());
    brokerStatus = broker.status;

    // Dispatch: the retained alert topic, webhooks.
    const dispatch = await createDispatchStage({ topicRoot: config.topicRoot, alerts, alertsConfig, publish: broker.publish, deliveries: state.deliveries, registry, users, logger });
    cleanups.push(() => dispatch.stop());
    // Northbound: the feed for a district or city centre (signed push, MQTT bridge, pull API, forwarding).
    const alertEvents = (days: number) => (storage.settings ? readAlertEvents(storage.settings, days) : Promise.resolve(alerts.events()));
    const northbound = createNorthboundStage({ settings: config.northbound, topicRoot: config.topicRoot, alerts, registry, alertsConfig, rules: () => rules.rules, alertEvents, publish: broker.publish, tokens: state.northboundTokens, audit, metrics, logger });
    cleanups.push(() => northbound.stop());

    // Administration: writes go to the database, then into the stages in memory.
    const localHooks = adminHooks({
      state,
      users,
      sessions: access.deps.sessions,
      registry,
      rules,
      correlator,
      alerts,
      routing,
      alertsConfig,
      disconnectDevices: broker.disconnectDevices,
      deviceChanged: (device) => live?.deviceChanged(device),
      metrics,
      logger,
      owns,
    });
    // A cluster instance tells the others what people changed; theirs take it too.
    const hooks = role.shareChanges(localHooks, { silences, load: () => state.silences.list(Date.now()) });
    const defaultRules = await loadRulesData(undefined);

    // HTTP and live
    const storageStatus = (): StorageStatus => {
      if (!store) {
        return { mode: 'live-only', connected: false, accepting: true, spoolBytes: 0, spoolLines: 0, bufferedLines: 0, pointsWritten: 0 };
      }
      return { mode: 'influxdb', managed: Boolean(storage.managed), ...store.state() };
    };
    const https = config.http.tls ? await createHttpsStage(config.http.tls, logger, audit) : undefined;
    if (https) cleanups.push(async () => https.stop());
    const http = await buildHttpServer({
      access: access.deps,
      registry,
      deviceStates,
      deadLetters,
      conditions,
      alerts,
      silences,
      routing,
      rules: () => rules.rules,
      alertsConfig,
      alertEvents,
      alertArchive: archiveOf(state.alerts, flushAlerts),
      ...role.http,
      photos: state.alertPhotos,
      webhookDeliveries: () => dispatch.deliveries(),
      metrics,
      logger,
      brokerStatus,
      storageStatus,
      history: storage.settings ? createHistoryQuery(storage.settings) : undefined,
      trustProxy: config.http.trustProxy,
      allowedHosts: config.http.allowedHosts,
      ...(config.http.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
      ...(https ? { https: https.options } : {}),
      northbound: northbound.routes,
      refusals,
      audit,
      admin: { state, hooks, audit, people, defaultRules: () => defaultRules, now: Date.now, ...(storage.settings ? { storeSettings: storage.settings } : {}) },
    });
    cleanups.push(() => http.close());
    const liveServer = new LiveServer(http.server, {
      registry,
      deviceStates,
      alerts,
      alertsConfig,
      access: access.deps,
      allowedHosts: config.http.allowedHosts,
      refusals,
      clientAddress: clientAddressOf(config.http.trustProxy),
      metrics,
      logger,
      ...role.live,
    });
    live = liveServer;
    cleanups.push(() => liveServer.close());
    cleanups.push(() => role.stop());
    await role.start({ rules: wired, pipeline, live: liveServer, deviceStates, registry });
    const httpUrl = await listenHttp(http, config);
    if (!isLoopbackBind(config.http.host)) {
      logger.warn({ stage: 'api', allowedHosts: config.http.allowedHosts.describe }, `HTTP answers only under ${config.http.allowedHosts.describe} (a DNS name of this hub must be listed in HTTP_ALLOWED_HOSTS)`);
    }

    // Demo devices publish through the embedded broker like real ones.
    let simulation: Simulation | undefined;
    if (demo) {
      simulation = runDemo(demo, broker.url, config.demo.intervalMs, config.demo.scenario, logger);
      const sim = simulation;
      cleanups.push(() => sim.stop());
    }

    const info: HubInfo = {
      brokerUrl: broker.url,
      brokerListeners: broker.listeners,
      httpUrl,
      dashboardUrl: `${httpUrl}/`,
      ...(config.http.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
      storage: storage.label,
      state: `${state.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${state.location} (schema ${state.schemaVersion})`,
      liveOnly: !store,
      ...(config.cluster ? { cluster: { instance: config.cluster.instance, partitions: config.cluster.partitions } } : {}),
      devices: registry.size,
      compounds: registry.compounds().length,
      dataDir: config.dataDir,
      logins: { ...(hubState.created ? { created: hubState.created } : {}), ...(hubState.rekeyed ? { rekeyed: hubState.rekeyed } : {}) },
      ...(demo
        ? {
            demo: {
              compounds: registry.compounds().length,
              devices: registry.size,
              fleetKeyFile: demo.fleetKeyFile,
              users: users.list().map((u) => ({ id: u.id, role: u.role, name: u.name ?? u.id })),
              ...(hubState.demoPassword ? { password: hubState.demoPassword } : {}),
            },
          }
        : {}),
    };
    const reloadRules = async () => {
      const next = await reloadStateRules(config, state);
      hooks.rulesChanged(next);
      return next.rules.length;
    };
    // Stopping starts here (cleanups run in reverse): from now on the rules judge nothing, so devices
    // leaving with the hub (the demo fleet, sessions ending) raise no alerts.
    cleanups.push(async () => rules.halt());
    // A cluster instance first stops taking messages and hands its partitions over, while its rules still judge.
    cleanups.push(() => role.stop());
    const reloadCertificate = async () => (https ? (await https.reload(http.server), true) : false);
    return { info, metrics, registry, http, reloadRules, reloadCertificate, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
