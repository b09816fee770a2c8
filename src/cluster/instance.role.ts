/**
 * This hub's place among others, as the other stages ask it (design.md §10): a cluster instance's
 * answers (CLUSTER=on, cluster.stage.ts), or a single hub's, which judges every compound and has
 * no one to tell anything. hub.ts asks these without asking which of the two it is.
 * Built in two steps, as the cluster stage is: `clusterBusOf` before the logins (they tell the other
 * instances of locks and sessions), `instanceRole` once the alerts exist.
 */
import type { Logger } from 'pino';
import type { AdminHooks } from '../admin/admin.types.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Silence, Silences } from '../alerts/silences.ts';
import type { ApiDeps } from '../api/api.types.ts';
import type { HubConfig } from '../config/config.loader.ts';
import type { Reading } from '../contracts/readings.ts';
import type { LiveDeps } from '../live/live.server.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { RegisteredDevice } from '../registry/registry.ts';
import type { StateStore } from '../state/state.types.ts';
import { createClusterStage, type ClusterStartDeps } from './cluster.stage.ts';
import { SocketClusterBus } from './cluster.bus.ts';
import { partitionOf } from './partitions.ts';
import { syncState } from './state-sync.ts';

export interface InstanceRole {
  /** Whether this instance judges the compound now (a cluster instance: its partition's lease is held and in time). */
  owns(compound: string): boolean;
  /** The compounds the rules judge from the start: a single hub every one; a cluster instance none until it takes a partition over. */
  ownsAtStart(compound: string): boolean;
  /** A reading taken here: noted for its partition and told to the other instances. */
  accepted(reading: Reading, device: RegisteredDevice): void;
  /** A device the rules here found silent: told to the other instances. */
  silent(device: RegisteredDevice): void;
  /** Whether the broker sessions the readings come in by are all connected (a single hub: its broker stage says). */
  ingestConnected(): boolean;
  /** Written with each alert event: the instance and the compound's partition (a single hub: nothing). */
  readonly eventTags?: { instance: string; partitionOf: (compound: string) => number };
  /** Administration changes taken here, and told to the other instances, whose changes are taken here too. */
  shareChanges(hooks: AdminHooks, kept: { silences: Silences; load: () => Promise<Silence[]> }): AdminHooks;
  /** What the HTTP routes use: workflow steps locked in the database, GET /api/cluster. */
  readonly http: Pick<ApiDeps, 'stepAlert' | 'cluster'>;
  /** What the live server uses: socket.io's PostgreSQL adapter. */
  readonly live: Pick<LiveDeps, 'adapter'>;
  /** Once the ingest pipeline and the live server exist. */
  start(deps: ClusterStartDeps): Promise<void>;
  /** Stops taking messages and hands every partition over, while the rules still judge (once). */
  stop(): Promise<void>;
  /** Ends the connections to the other instances (after the live server closed). */
  closeBus(): Promise<void>;
}

const SINGLE_HUB: InstanceRole = {
  owns: () => true,
  ownsAtStart: () => true,
  accepted: () => undefined,
  silent: () => undefined,
  ingestConnected: () => true,
  shareChanges: (hooks) => hooks,
  http: {},
  live: {},
  start: async () => undefined,
  stop: async () => undefined,
  closeBus: async () => undefined,
};

/** A cluster instance's bus to the others (attached to the live server's adapter at `start`); none for a single hub. */
export function clusterBusOf(config: HubConfig): SocketClusterBus | undefined {
  return config.cluster ? new SocketClusterBus(config.cluster.instance) : undefined;
}

export async function instanceRole(
  config: HubConfig,
  deps: { bus: SocketClusterBus | undefined; state: StateStore; alerts: AlertBook; metrics: HubMetrics; logger: Logger },
): Promise<InstanceRole> {
  const { cluster: settings, state: stateSettings } = config;
  if (!settings || !stateSettings.databaseUrl || !deps.bus) return SINGLE_HUB;
  const stage = await createClusterStage({ ...config, cluster: settings, state: { ...stateSettings, databaseUrl: stateSettings.databaseUrl } }, { ...deps, bus: deps.bus });
  const bus = deps.bus;
  return {
    owns: stage.owns,
    ownsAtStart: () => false,
    accepted: stage.accepted,
    silent: stage.silent,
    ingestConnected: stage.ingestConnected,
    eventTags: { instance: settings.instance, partitionOf: (compound) => partitionOf(compound, settings.partitions) },
    shareChanges: (hooks, kept) =>
      syncState(bus, hooks, kept, (what, err) => deps.logger.error({ stage: 'cluster', what, err: err.message }, 'a change made on another instance was not taken')),
    http: { stepAlert: stage.stepAlert, cluster: stage.view },
    live: { adapter: stage.adapter },
    start: stage.start,
    stop: stage.stop,
    closeBus: stage.closeBus,
  };
}
