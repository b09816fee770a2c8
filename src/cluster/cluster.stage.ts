/**
 * Assembly of a cluster instance (CLUSTER=on, design.md §10; docs/scale-out.md): the partitions'
 * leases (lease.keeper.ts), a broker session per partition owned (partition.sessions.ts), the
 * rules judging only owned compounds and taking over / handing over their state, the alerts
 * written as versioned rows and told to the other instances (alerts.replica.ts), live readings
 * told to them too (live.relay.ts), all over socket.io's PostgreSQL adapter (cluster.bus.ts).
 * Built in two steps: `createClusterStage` before the rules (they ask `owns`), `start` once the
 * ingest pipeline and the live server exist.
 */
import pg from 'pg';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Logger } from 'pino';
import type { ClusterSettings, HubConfig } from '../config/config.loader.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Alert } from '../alerts/alert.types.ts';
import type { ClusterView } from '../contracts/cluster.ts';
import type { Reading } from '../contracts/readings.ts';
import type { IngestPipeline } from '../ingest/ingest.pipeline.ts';
import type { DeviceStates } from '../live/device-state.ts';
import type { LiveServer } from '../live/live.server.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { RulesWired } from '../rules/rules.stage.ts';
import type { StateStore } from '../state/state.types.ts';
import { AlertReplica } from './alerts.replica.ts';
import type { SocketClusterBus } from './cluster.bus.ts';
import { LeaseKeeper } from './lease.keeper.ts';
import { LiveRelay } from './live.relay.ts';
import { PartitionSessions } from './partition.sessions.ts';
import { partitionOf } from './partitions.ts';
import { HubError } from '../errors.ts';

/** How often compounds added to the registry are subscribed and alerts changed elsewhere read again. */
const CATCH_UP_MS = 5000;
/** socket.io's table for messages over PostgreSQL's NOTIFY limit (8000 bytes). */
const ATTACHMENTS_TABLE = 'socket_io_attachments';

export interface ClusterStartDeps {
  rules: Pick<RulesWired, 'takeOver' | 'handOver'>;
  pipeline: IngestPipeline;
  live: LiveServer;
  deviceStates: DeviceStates;
  registry: Registry;
}

export interface ClusterStage {
  readonly settings: ClusterSettings;
  readonly bus: SocketClusterBus;
  /** For the live server: socket.io's PostgreSQL adapter. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** Whether this instance judges the compound now (its partition's lease is held and in time). */
  owns(compound: string): boolean;
  /** A reading taken by this instance: noted for its partition and told to the others. */
  accepted(reading: Reading, device: RegisteredDevice): void;
  /** A device this instance's rules found silent: told to the others. */
  silent(device: RegisteredDevice): void;
  /** Whether every owned partition's broker session is connected (while one is not, its devices' silence is not theirs). */
  ingestConnected(): boolean;
  /** A workflow step on the alert as stored, locked while it is taken. */
  stepAlert(alertId: string, step: () => Alert): Promise<Alert>;
  view(): Promise<ClusterView>;
  start(deps: ClusterStartDeps): Promise<void>;
  /** Stops taking messages, hands every partition over and writes what is pending (once: later calls wait for the first). */
  stop(): Promise<void>;
  /** Ends the bus's connections (after the live server closed). */
  closeBus(): Promise<void>;
}

export async function createClusterStage(
  config: HubConfig & { cluster: ClusterSettings; state: { databaseUrl: string } },
  deps: { state: StateStore; alerts: AlertBook; bus: SocketClusterBus; metrics: HubMetrics; logger: Logger },
): Promise<ClusterStage> {
  const { state, alerts, bus, metrics } = deps;
  const settings = config.cluster;
  const logger = deps.logger.child({ stage: 'cluster', instance: settings.instance });
  // The adapter keeps one connection LISTENing; its own pool keeps it off the state's.
  const pool = new pg.Pool({ connectionString: config.state.databaseUrl, max: 4 });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'cluster bus connection lost; reconnecting'));
  await pool.query(`create table if not exists ${ATTACHMENTS_TABLE} (id bigserial unique, created_at timestamptz default now(), payload bytea)`);
  const adapter = createAdapter(pool, { tableName: ATTACHMENTS_TABLE, errorHandler: (error) => logger.warn({ err: error.message }, 'cluster bus error') });

  let live: LiveServer | undefined;
  const replica = new AlertReplica({ alerts, repo: state.alerts, bus, changed: (alert, urgent) => live?.alertChanged(alert, urgent), logger });
  await replica.load();

  const partitionOfCompound = new Map<string, number>();
  const partition = (compound: string) => {
    let p = partitionOfCompound.get(compound);
    if (p === undefined) partitionOfCompound.set(compound, (p = partitionOf(compound, settings.partitions)));
    return p;
  };
  let started: (ClusterStartDeps & { sessions: PartitionSessions; relay: LiveRelay }) | undefined;
  const compoundsOf = (p: number) => (started ? started.registry.compounds().map((c) => c.id).filter((c) => partition(c) === p) : []);

  const keeper: LeaseKeeper = new LeaseKeeper({
    instance: settings.instance,
    partitions: settings.partitions,
    leaseMs: settings.leaseMs,
    leases: state.leases,
    members: state.members,
    logger: deps.logger,
    handlers: {
      async acquired(p) {
        if (!started) throw new Error('not started');
        const compounds = compoundsOf(p);
        // Its open alerts as stored now, its devices judged from now, then its queued messages.
        await replica.load(compounds);
        started.rules.takeOver(new Set(compounds), Date.now());
        try {
          await started.sessions.open(p, compounds, () => keeper.acting(p));
          // Lost while its session was opening (a slow broker): no session may outlive the lease.
          if (!keeper.acting(p)) throw new Error(`partition ${p}: lease ran out while its session opened`);
        } catch (error) {
          await started.sessions.close(p, true);
          started.rules.handOver(new Set(compounds));
          throw error;
        }
        metrics.partitionChanges.inc({ change: 'acquired' });
        metrics.partitionsOwned.set(keeper.owned().length);
      },
      async released(p) {
        if (!started) return;
        const compounds = new Set(compoundsOf(p));
        await started.sessions.close(p);
        started.rules.handOver(compounds);
        // What it changed is written before the lease is given back; what cannot be written is given up.
        await replica.flush().catch((error: unknown) => {
          replica.abandon(compounds);
          throw error;
        });
        metrics.partitionChanges.inc({ change: 'released' });
        metrics.partitionsOwned.set(keeper.owned().length - 1);
      },
      lost(p) {
        if (!started) return;
        const compounds = new Set(compoundsOf(p));
        void started.sessions.close(p, true);
        started.rules.handOver(compounds);
        replica.abandon(compounds);
        metrics.partitionChanges.inc({ change: 'lost' });
        metrics.partitionsOwned.set(keeper.owned().length);
      },
    },
  });

  let follow: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  const stopOnce = async () => {
    clearInterval(follow);
    // No message is taken (or acknowledged) from here on: what arrives waits for the next owners.
    await started?.sessions.closeAll();
    await keeper.stop();
    started?.relay.stop();
    await replica.flush().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'alerts not written at stop'));
    metrics.partitionsOwned.set(0);
  };
  return {
    settings,
    bus,
    adapter,
    owns: (compound) => keeper.acting(partition(compound)),
    accepted(reading, device) {
      keeper.acted(partition(device.compound));
      // Alone, there is no one to tell the readings to (each one told costs a share of the reading).
      if (keeper.members().length > 1) started?.relay.reading(device.key, reading);
    },
    silent(device) {
      started?.relay.silent(device.key);
    },
    stepAlert: (alertId, step) => replica.step(alertId, step),
    ingestConnected: () => !started || started.sessions.connected >= keeper.owned().length,
    async view() {
      const [members, leases] = await Promise.all([state.members.list(), state.leases.list()]);
      const now = Date.now();
      return {
        instance: settings.instance,
        partitions: settings.partitions,
        leaseMs: settings.leaseMs,
        owned: keeper.owned(),
        members: members
          .filter((m) => m.heartbeatAt >= now - settings.leaseMs)
          .map((m) => ({ ...m, owned: leases.filter((l) => l.owner === m.instance && l.expiresAt >= now).map((l) => l.partition) })),
        leases,
      };
    },
    async start(startDeps) {
      // Two processes under one name would both own every partition: refuse the second.
      const now = Date.now();
      const twin = (await state.members.list()).find((m) => m.instance === settings.instance && m.heartbeatAt >= now - settings.leaseMs);
      if (twin) {
        throw new HubError('CONFIG_INVALID', `CLUSTER_INSTANCE: another instance named ${settings.instance} is running (it beat ${now - twin.heartbeatAt} ms ago); give each instance its own name, or wait ${Math.ceil(settings.leaseMs / 1000)} s after stopping it`);
      }
      live = startDeps.live;
      bus.attach(startDeps.live.io);
      const relay = new LiveRelay(bus, { registry: startDeps.registry, deviceStates: startDeps.deviceStates, deviceChanged: (device) => startDeps.live.deviceChanged(device) });
      const sessions = new PartitionSessions({
        broker: brokerOf(config),
        topicRoot: config.topicRoot,
        pipeline: startDeps.pipeline,
        logger: deps.logger,
      });
      started = { ...startDeps, sessions, relay };
      keeper.start();
      // Compounds added to the registry join their partition's session; alerts whose message was lost are read again.
      let caughtUp = Date.now() - CATCH_UP_MS;
      follow = setInterval(() => {
        for (const p of keeper.owned()) sessions.follow(p, compoundsOf(p));
        const from = caughtUp;
        caughtUp = Date.now();
        // A margin back: an alert's change time is its event's, a moment before it is written.
        void replica.catchUp(from - CATCH_UP_MS).catch((error: unknown) => {
          caughtUp = from;
          logger.warn({ err: (error as Error).message }, 'alerts not caught up from the database (tried again)');
        });
      }, CATCH_UP_MS);
      logger.info({ partitions: settings.partitions, leaseMs: settings.leaseMs }, 'cluster instance started: taking its share of the partitions');
    },
    stop() {
      stopped ??= stopOnce();
      return stopped;
    },
    async closeBus() {
      // The adapters beat and listen until closed (the live server only closes its engine).
      const io = live?.io;
      if (io) for (const nsp of io._nsps.values()) await Promise.resolve(nsp.adapter.close()).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

function brokerOf(config: HubConfig) {
  if (config.broker.kind !== 'external') throw new Error('CLUSTER needs MQTT_URL');
  const { url, username, password, tls } = config.broker;
  return { url, ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { tls } : {}) };
}
