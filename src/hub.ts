/**
 * Composition root: builds the stages in data-flow order (broker → ingest → validate →
 * store / live state → api) and stops them in reverse. No stage reaches another
 * except through what is passed in here.
 */
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from './config/config.loader.ts';
import { redactUrl } from './util/redact-url.ts';
import { loadRegistryFile } from './config/registry.loader.ts';
import type { RegistryData } from './config/registry.schema.ts';
import { buildRegistry, type Registry } from './registry/registry.ts';
import { createHubMetrics, type HubMetrics } from './metrics/hub.metrics.ts';
import { EmbeddedBroker } from './broker/embedded.broker.ts';
import { alertTopic, hubStatusTopic } from './contracts/topics.ts';
import { IngestPipeline, type ReadingSink } from './ingest/ingest.pipeline.ts';
import { attachEmbeddedSource } from './ingest/embedded.source.ts';
import { MqttClientSource } from './ingest/mqtt-client.source.ts';
import { PayloadValidator } from './validate/payload.validator.ts';
import { DeadLetters } from './validate/dead-letters.ts';
import { DeviceStates } from './live/device-state.ts';
import { createStore, createHistoryQuery, findInfluxd, startLocalInfluxd, type Store, type LocalInfluxd, type StoreSettings } from './store/index.ts';
import { buildHttpServer } from './api/http.server.ts';
import { RulesEngine } from './rules/rules.engine.ts';
import { loadRules } from './rules/rules.loader.ts';
import { ActiveConditions } from './rules/active-conditions.ts';
import { loadAlertsConfig, type AlertsConfig } from './alerts/sla.config.ts';
import { createAlertsStage } from './alerts/alerts.stage.ts';
import { AlertEventLines, readAlertEvents } from './alerts/alert-log.ts';
import { describeUser } from './auth/user-scope.ts';
import type { AccessDeps, BrokerStatus, StorageStatus } from './api/api.types.ts';
import { HubError } from './errors.ts';
import { DEMO_PASSWORD, demoRouting, demoUsers, prepareDemo, runDemo, type DemoSetup } from './demo/demo.ts';
import { UsersStore, type NewUser } from './auth/users.store.ts';
import { Sessions } from './auth/sessions.ts';
import { keepSessions, loadSessions } from './auth/sessions.file.ts';
import { portHeldMessage } from './util/instance-file.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { generatePassword } from './auth/password.ts';
import { LiveServer } from './live/live.server.ts';
import type { Simulation } from '../simulators/sim.runner.ts';
import { alertMessage, mqttAlertPublisher, type MqttPublish } from './dispatch/mqtt-alert.publisher.ts';
import { WebhookDispatcher } from './dispatch/webhook.dispatcher.ts';

export interface HubInfo {
  /** The plain MQTT listener (else the first one), or the external broker. */
  brokerUrl: string;
  /** Every listener of the embedded broker (mqtt, mqtts, ws, wss), or the external broker. */
  brokerListeners: Array<{ url: string; clientCertificates?: boolean }>;
  httpUrl: string;
  dashboardUrl: string;
  storage: string;
  liveOnly: boolean;
  devices: number;
  compounds: number;
  demo?: { compounds: number; devices: number; fleetKeyFile: string; users: Array<{ id: string; role: string; name: string }>; password?: string };
  dataDir: string;
  logins: {
    usersFile: string;
    /** Users created by this start, with their passwords: printed once. */
    created?: Array<{ id: string; role: string; password: string }>;
  };
}

export interface Hub {
  readonly info: HubInfo;
  readonly metrics: HubMetrics;
  readonly registry: Registry;
  readonly http: FastifyInstance;
  /** Re-reads RULES_FILE (or the built-in pack) and swaps the rules without a restart. */
  reloadRules(): Promise<number>;
  stop(): Promise<void>;
}

interface Resolved {
  settings?: StoreSettings;
  managed?: LocalInfluxd;
  label: string;
}

async function resolveStorage(config: HubConfig, logger: Logger): Promise<Resolved> {
  if (config.storage.kind === 'external') {
    const s = config.storage.settings;
    return { settings: s, label: `InfluxDB ${s.api} at ${redactUrl(s.url)} (${s.api === 'v1' ? `database ${s.database}` : `bucket ${s.bucket}`})` };
  }
  if (config.storage.kind === 'managed') {
    const binary = await findInfluxd();
    if (binary.ok) {
      const managed = await startLocalInfluxd({ dataDir: path.join(config.dataDir, 'influxdb'), logger, binary: binary.path });
      return {
        managed,
        settings: { url: managed.url, api: 'v1', database: config.influx.database },
        label: `local influxd ${binary.version} at ${managed.url} (data in ${path.join(config.dataDir, 'influxdb')})`,
      };
    }
    logger.warn({ reason: binary.reason }, 'no usable influxd found');
  }
  return { label: 'LIVE-ONLY (nothing is stored: set INFLUX_URL or install influxd)' };
}

async function openAccess(config: HubConfig, demo: DemoSetup | undefined, grids: AlertsConfig['grids'], logger: Logger) {
  const usersFile = config.auth.usersFile ?? path.join(config.dataDir, ...(demo ? ['demo'] : []), 'users.json');
  // A fixed demo password only while nobody else can reach the hub.
  const loopbackOnly = ['127.0.0.1', '::1', 'localhost'].includes(config.http.host);
  const initial = (): NewUser[] =>
    demo
      ? demoUsers(demo.registry, grids, loopbackOnly ? DEMO_PASSWORD : generatePassword())
      : [{ id: 'admin', name: 'Admin', role: 'admin', password: generatePassword(), mustChangePassword: true }];
  const opened = await UsersStore.open(usersFile, config.auth.usersFile ? undefined : initial);
  const { users } = opened;
  // A demo data dir from an earlier version lacks logins the demo's routing now names (the escalation desks): they are added.
  const added = demo && !config.auth.usersFile && !opened.created ? await users.addMissing(initial()) : [];
  const created = opened.created || added.length ? [...(opened.created ?? []), ...added] : undefined;
  // Sessions survive a restart (DATA_DIR/sessions.json), so a phone stays logged in; those of users no longer in the file are dropped.
  const sessionsFile = path.join(config.dataDir, 'sessions.json');
  const sessions = new Sessions({ idleMs: config.auth.sessionIdleMs, absoluteMs: 7 * 86_400_000, maxPerUser: 20 });
  sessions.restore(await loadSessions(sessionsFile, { now: Date.now(), isUser: (id) => users.get(id) !== undefined }, logger), Date.now());
  const keptSessions = keepSessions(sessions, sessionsFile, logger);
  const deps: AccessDeps = {
    users,
    sessions,
    limiter: new LoginLimiter(),
    cookieSecure: config.auth.cookieSecure,
    sessionIdleMs: config.auth.sessionIdleMs,
    metricsToken: config.auth.metricsToken,
  };
  return {
    deps,
    keptSessions,
    usersFile,
    created: created?.map((c) => ({ ...c, role: users.get(c.id)!.role })),
    demoPassword: demo && loopbackOnly && !config.auth.usersFile ? DEMO_PASSWORD : undefined,
  };
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

    // Devices
    let demo: DemoSetup | undefined;
    let registryData: RegistryData;
    if (config.registryFile) {
      registryData = await loadRegistryFile(config.registryFile);
    } else if (config.demo.enabled) {
      demo = await prepareDemo(config.dataDir, config.demo.scenario);
      registryData = demo.registry;
    } else {
      throw new HubError('CONFIG_INVALID', 'REGISTRY_FILE: no device registry (set REGISTRY_FILE, or DEMO=on for the demo fleet)');
    }
    const registry = buildRegistry(registryData);
    metrics.devicesRegistered.set(registry.size);

    // Storage
    const storage = await resolveStorage(config, logger);
    if (storage.managed) cleanups.push(() => storage.managed!.stop());
    let store: Store | undefined;
    if (storage.settings) {
      store = createStore(
        { logger, metrics },
        {
          ...storage.settings,
          createDatabase: storage.settings.api === 'v1',
          spoolDir: path.join(config.dataDir, 'spool'),
          spoolMaxBytes: config.influx.spoolMaxBytes,
          batchSize: config.influx.batchSize,
          flushIntervalMs: config.influx.flushIntervalMs,
        },
      );
      await store.start();
      const s = store;
      cleanups.push(() => s.close());
    } else {
      logger.warn('LIVE-ONLY MODE: no InfluxDB; readings are validated and shown live but NOT stored');
    }

    // Ingest → validate → store + live state
    const deviceStates = new DeviceStates();
    const deadLetters = new DeadLetters(config.ingest.deadLetterLimit);
    // Rules: conditions raised and cleared from readings and the clock.
    const rules = new RulesEngine(await loadRules(config.rulesFile), Date.now());
    const conditions = new ActiveConditions();
    // Alerts: conditions become alerts with a workflow, routing and SLA escalation.
    const alertsConfig = await loadAlertsConfig(config.alertsFile);
    // The demo routes its compounds to demo grid workers and its escalation chain unless an ALERTS_FILE says otherwise.
    if (demo && !config.alertsFile) Object.assign(alertsConfig, demoRouting(demo.registry));
    // Logins: USERS_FILE, or a users file in the data dir made at first run.
    const access = await openAccess(config, demo, alertsConfig.grids, logger);
    cleanups.push(() => access.keptSessions.flush());
    const { alerts, routing, silences, flush: flushAlerts } = await createAlertsStage({
      alertsConfig,
      alertsSource: config.alertsFile ? `ALERTS_FILE ${config.alertsFile}` : demo ? 'demo routing' : 'routing',
      rules: rules.rules,
      people: () => access.deps.users.list().map((u) => describeUser(u, alertsConfig.grids)),
      compounds: registry.compounds().map((c) => c.id),
      dataDir: config.dataDir,
      storage: storage.settings,
      logger,
    });
    cleanups.push(flushAlerts);
    let live: LiveServer | undefined;
    const eventLines = new AlertEventLines();
    alerts.onEvent((event, alert) => {
      store?.writeLine(eventLines.line(event, alert));
      live?.alertChanged(alert, event.kind !== 'repeated');
      if (event.kind !== 'repeated') {
        logger.info({ stage: 'alerts', ...event, rule: alert.ruleId, severity: alert.severity, device: alert.deviceKey }, `alert ${event.kind}`);
      }
    });
    // Alerts taken back with their condition active are judged again by the rules from the devices'
    // next messages; those no rule can judge any more are cleared now.
    for (const orphan of rules.resume(alerts.activeConditions(), registry)) alerts.clearCondition(orphan, Date.now(), 'no rule judges this condition any more');

    rules.onChange((change) => {
      conditions.apply(change);
      // A silent device is offline for everyone who looks, not only for the rules.
      if (change.kind === 'absence' && change.change === 'raised') {
        const device = registry.getByKey(change.deviceKey);
        if (device && deviceStates.markSilent(device)) live?.deviceChanged(device);
      }
      // A silence (maintenance window) keeps new alerts from being raised; open ones carry on.
      const opens = change.change !== 'cleared' && !alerts.hasOpen(change.deviceKey, change.ruleId);
      if (!(opens && silences.matches(change))) alerts.applyCondition(change);
      metrics.conditions.inc({ rule: change.ruleId, severity: change.severity, change: change.change });
      if (change.change !== 'repeated') logger.info({ stage: 'rules', ...change }, `condition ${change.change}`);
    });
    rules.track(registry.devices());
    // Set once the broker is up (below); the ticker reads it from its first tick.
    let brokerStatus = (): BrokerStatus => ({ kind: config.broker.kind, url: '', connected: false });
    const ticker = setInterval(() => {
      const now = Date.now();
      // While devices' messages wait before the hub (storage full, broker connection down), their silence is not theirs.
      if ((store && !store.accepting) || !brokerStatus().connected) rules.excuseSilence(now);
      rules.tick(now);
      alerts.tick(now);
      access.deps.sessions.sweep(now);
    }, 1000);
    cleanups.push(async () => clearInterval(ticker));

    const sink: ReadingSink = {
      accept(reading, device) {
        store?.write(reading);
        deviceStates.apply(reading, device.key);
        live?.deviceChanged(device);
        rules.ingest(reading, device);
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
    let brokerUrl: string;
    let brokerListeners: HubInfo['brokerListeners'];
    let publish: MqttPublish;
    if (config.broker.kind === 'embedded') {
      const broker = new EmbeddedBroker({ ...config.broker, topicRoot: config.topicRoot }, {
        registry,
        metrics,
        logger,
        whenReady: () => pipeline.whenReady(),
        portInUseMessage: (setting, host, port) => portHeldMessage(setting, host, port, config.dataDir),
      });
      await broker.start();
      cleanups.push(async () => {
        await broker.publish(hubStatusTopic(config.topicRoot), 'offline', { retain: true }).catch(() => undefined);
        await broker.stop();
      });
      await attachEmbeddedSource(broker, pipeline, config.topicRoot);
      await broker.publish(hubStatusTopic(config.topicRoot), 'online', { retain: true });
      brokerUrl = broker.url;
      const clientCertificates = Boolean(config.broker.tls?.ca);
      brokerListeners = broker.listeners.map(({ url, kind }) => ({ url, ...(clientCertificates && (kind === 'mqtts' || kind === 'wss') ? { clientCertificates } : {}) }));
      publish = (topic, payload, options) => broker.publish(topic, payload, options);
      brokerStatus = () => ({ kind: 'embedded', url: broker.url, connected: broker.listening, clients: broker.connectedClients });
    } else {
      const source = new MqttClientSource({ ...config.broker, topicRoot: config.topicRoot }, pipeline, logger);
      cleanups.push(() => source.stop());
      await source.start();
      brokerUrl = redactUrl(config.broker.url);
      brokerListeners = [{ url: brokerUrl }];
      publish = (topic, payload, options) => source.publish(topic, payload, options);
      brokerStatus = () => ({ kind: 'external', url: brokerUrl, connected: source.connected });
    }

    // Dispatch: the retained alert topic.
    const onPublishError = (error: Error) => logger.warn({ stage: 'dispatch', err: error.message }, 'alert not published on MQTT');
    alerts.onEvent(mqttAlertPublisher(config.topicRoot, publish, onPublishError));
    const webhooks = new WebhookDispatcher(alertsConfig.webhooks, logger);
    alerts.onEvent(webhooks.onEvent);
    cleanups.push(async () => webhooks.stop());
    // Alerts rebuilt from the log are announced again (an embedded broker forgets retained messages).
    for (const alert of alerts.list({ open: true })) {
      publish(alertTopic(config.topicRoot, alert.compound, alert.id), alertMessage(alert), { retain: true, qos: 1 }).catch(onPublishError);
    }

    // HTTP
    const storageStatus = (): StorageStatus => {
      if (!store) {
        return { mode: 'live-only', connected: false, accepting: true, spoolBytes: 0, spoolLines: 0, bufferedLines: 0, pointsWritten: 0 };
      }
      return { mode: 'influxdb', managed: Boolean(storage.managed), ...store.state() };
    };
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
      alertEvents: (days) => (storage.settings ? readAlertEvents(storage.settings, days) : Promise.resolve(alerts.events())),
      webhookDeliveries: () => webhooks.deliveries(),
      metrics,
      logger,
      brokerStatus,
      storageStatus,
      history: storage.settings ? createHistoryQuery(storage.settings) : undefined,
    });
    cleanups.push(() => http.close());
    const liveServer = new LiveServer(http.server, { registry, deviceStates, alerts, alertsConfig, access: access.deps, metrics, logger });
    live = liveServer;
    cleanups.push(() => liveServer.close());
    try {
      await http.listen({ host: config.http.host, port: config.http.port });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        const held = await portHeldMessage('HTTP_PORT', config.http.host, config.http.port, config.dataDir);
        throw new HubError('PORT_IN_USE', held ?? `HTTP_PORT: ${config.http.host}:${config.http.port} is already in use; set HTTP_PORT to a free port`);
      }
      throw error;
    }
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
    const httpUrl = `http://${config.http.host}:${httpPort}`;

    // Demo devices publish through the embedded broker like real ones.
    let simulation: Simulation | undefined;
    if (demo) {
      simulation = runDemo(demo, brokerUrl, config.demo.intervalMs, config.demo.scenario, logger);
      const sim = simulation;
      cleanups.push(() => sim.stop());
    }

    const info: HubInfo = {
      brokerUrl,
      brokerListeners,
      httpUrl,
      dashboardUrl: `${httpUrl}/`,
      storage: storage.label,
      liveOnly: !store,
      devices: registry.size,
      compounds: registry.compounds().length,
      dataDir: config.dataDir,
      logins: { usersFile: access.usersFile, ...(access.created ? { created: access.created } : {}) },
      ...(demo
        ? {
            demo: {
              compounds: registry.compounds().length,
              devices: registry.size,
              fleetKeyFile: demo.fleetKeyFile,
              users: access.deps.users.list().map((u) => ({ id: u.id, role: u.role, name: u.name ?? u.id })),
              ...(access.demoPassword ? { password: access.demoPassword } : {}),
            },
          }
        : {}),
    };
    const reloadRules = async () => {
      const next = await loadRules(config.rulesFile);
      rules.reload(next, Date.now());
      alerts.setRules(next);
      logger.info({ rules: next.length, file: config.rulesFile ?? 'built-in pack' }, 'rules reloaded');
      return next.length;
    };
    // Stopping starts here (cleanups run in reverse): from now on the rules judge nothing, so devices
    // leaving with the hub (the demo fleet, sessions ending) raise no alerts.
    cleanups.push(async () => rules.halt());
    return { info, metrics, registry, http, reloadRules, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
