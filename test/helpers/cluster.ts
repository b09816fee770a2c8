/**
 * A scaled-out hub on one box for tests (design.md §10, issue 17): one PostgreSQL, one Mosquitto
 * (persistence on, large queues for the partitions' offline sessions), one influxd, and N hub
 * instances as child processes (hub-process.ts) sharing the database, the broker, the store, the
 * registry and the logins, each with its own DATA_DIR, HTTP port, MQTT_CLIENT_ID and instance
 * name. The first instance makes DATA_DIR/mfa.key; the others get a copy before they start (the
 * TOTP secrets in the shared database are sealed with it).
 *
 *   const cluster = await startCluster({ instances: 3, compounds: ['k01', …], leaseMs: 4000 });
 *   await cluster.waitFor((views) => …, 'all 64 partitions owned');   // polls GET /api/cluster on every live instance
 *   const pub = cluster.publish(cluster.devices.filter(…), { rate: 150 }); … await pub.stop();
 *   cluster.events(cluster.hubs[0], 'partition acquired');              // pino lines of its stdout
 *   await cluster.stop();
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import type { ClusterView } from '../../src/contracts/cluster.ts';
import { buildFleet, fleetToRegistry, type FleetDevice, type PerCompound } from '../../simulators/fleet.ts';
import { startLoad, type LoadReport, type LoadRun } from '../../simulators/load.runner.ts';
import { DeliveryLedger } from './delivery-check.ts';
import { startHubProcess, type HubProcess } from './hub-process.ts';
import { startMosquitto, type Mosquitto } from './mosquitto.ts';
import { startPostgres, type Postgres } from './postgres.ts';
import { sleep, tempDir } from './temp-dir.ts';
import { FLEET_KEY, apiFetch } from './test-hub.ts';

export interface ClusterOptions {
  /** Instances started at once (more with addInstance). */
  instances: number;
  compounds: string[];
  /** CLUSTER_LEASE, ms (default 4000). */
  leaseMs?: number;
  /** CLUSTER_PARTITIONS (default: the hub's, 64). */
  partitions?: number;
  /** Devices per compound (default 2 elevators and 1 manhole). */
  perCompound?: Partial<PerCompound>;
  /** Seconds between a device's reports, as registered (default 60: nobody goes offline in a test run). */
  reportIntervalSec?: number;
  /** CLUSTER=off: instances that run alone on the shared broker and database (to check the harness). */
  clusterOff?: boolean;
  /** Contents of ALERTS_FILE (grids, routing); default: one grid of every compound, workers wang and li. */
  alertsFile?: object;
  /** More env for every instance. */
  env?: Record<string, string>;
  /** Instance names (default a, b, c, …). */
  names?: string[];
}

export interface ClusterHub extends HubProcess {
  /** CLUSTER_INSTANCE. */
  readonly name: string;
  readonly dataDir: string;
}

export interface Publisher {
  readonly ledger: DeliveryLedger;
  readonly run: LoadRun;
  /** Ends the run and waits for what is in flight; the report says what the broker acknowledged. */
  stop(): Promise<LoadReport>;
}

export interface Cluster {
  readonly dir: string;
  readonly postgres: Postgres;
  readonly databaseUrl: string;
  readonly mosquitto: Mosquitto;
  readonly influx: LocalInfluxd;
  /** Where the instances store readings. */
  readonly settings: StoreSettings;
  readonly devices: FleetDevice[];
  readonly registryFile: string;
  readonly leaseMs: number;
  readonly partitions: number;
  /** Every instance started, in order (also those killed or stopped). */
  readonly hubs: ClusterHub[];
  /** Starts one more instance (with the first one's mfa.key). */
  addInstance(name?: string): Promise<ClusterHub>;
  /** The instances whose process runs (a SIGSTOPped one counts as running: leave it out with `except`). */
  running(except?: readonly ClusterHub[]): ClusterHub[];
  /** GET /api/cluster on one instance (admin). */
  view(hub: ClusterHub): Promise<ClusterView>;
  /**
   * Polls GET /api/cluster on `hubs` (default: every running instance) until `check` returns true,
   * or fails after `timeoutMs` with `what`, the last views and the end of the instances' logs.
   */
  waitFor(check: (views: ClusterView[]) => boolean, what: string, options?: { hubs?: readonly ClusterHub[]; timeoutMs?: number; intervalMs?: number }): Promise<ClusterView[]>;
  /** QoS 1 telemetry from `devices` (each on its own connection, per-device `seq` and `ts`) at `rate` msg/s, every ack in the ledger. */
  publish(devices: readonly FleetDevice[], options?: { rate?: number; seed?: number }): Publisher;
  /** The pino JSON lines of an instance's stdout with this `msg` (and stage cluster unless `stage` says otherwise). */
  events(hub: ClusterHub, msg: string, stage?: string | null): ClusterEvent[];
  /** The end of every instance's log, for failure messages. */
  logTails(chars?: number): string;
  stop(): Promise<void>;
}

/** One log line as the hub's pino writes it. */
export type ClusterEvent = Record<string, any> & { msg: string; time?: number };

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** The pino JSON lines of a log with this `msg` (and `stage`, unless null). */
export function logEvents(log: string, msg: string, stage: string | null = 'cluster'): ClusterEvent[] {
  const found: ClusterEvent[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{') || !line.includes(msg)) continue;
    try {
      const event = JSON.parse(line) as ClusterEvent;
      if (event.msg === msg && (stage === null || event.stage === stage)) found.push(event);
    } catch {
      // a line cut at the log limit
    }
  }
  return found;
}

/** Partition → owner, from the leases in a view that have not expired at `now`. */
export function ownersOf(view: ClusterView, now = Date.now()): Map<number, string> {
  return new Map(view.leases.filter((l) => l.expiresAt >= now).map((l) => [l.partition, l.owner]));
}

/** Per instance, how many partitions the view says it holds (members' `owned`). */
export function shares(view: ClusterView): Record<string, number> {
  return Object.fromEntries(view.members.map((m) => [m.instance, m.owned.length]));
}

/** A view, short enough for an assertion message. */
export function describeView(view: ClusterView | undefined): string {
  if (!view) return '(no view)';
  const leases = [...view.leases].sort((a, b) => a.partition - b.partition).map((l) => `${l.partition}:${l.owner}@${l.epoch}${l.expiresAt < Date.now() ? '(expired)' : ''}`);
  return `${view.instance} owns [${view.owned.join(',')}]; members ${JSON.stringify(shares(view))}; leases ${leases.join(' ')}`;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const leaseMs = options.leaseMs ?? 4000;
  const partitions = options.partitions ?? 64;
  const dir = await tempDir('cluster');
  const names = [...(options.names ?? NAMES)];
  const hubs: ClusterHub[] = [];
  let postgres: Postgres | undefined;
  let mosquitto: Mosquitto | undefined;
  let influx: LocalInfluxd | undefined;

  const stopAll = async () => {
    await Promise.all(hubs.map((h) => h.stop().catch(() => undefined)));
    await Promise.all([postgres?.stop(), mosquitto?.stop(), influx?.stop()].map((p) => p?.catch(() => undefined)));
    await dir.remove();
  };

  try {
    const perCompound: PerCompound = { elevator: 2, manhole: 1, fire_lane: 0, parking: 0, ...options.perCompound };
    const devices = buildFleet({ compounds: options.compounds, perCompound, fleetKey: FLEET_KEY, reportIntervalSec: options.reportIntervalSec ?? 60 });
    const registryFile = path.join(dir.path, 'registry.json');
    await writeFile(registryFile, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify(options.alertsFile ?? { grids: [{ id: 'g1', compounds: options.compounds, workers: ['wang', 'li'] }] }));

    [postgres, mosquitto, influx] = await Promise.all([
      startPostgres(),
      // Partitions' sessions are offline between owners: the broker must keep all they get meanwhile.
      startMosquitto({ persistence: true, extraConfig: ['max_queued_messages 100000', 'max_inflight_messages 20'].join('\n') }),
      startLocalInfluxd({ dataDir: path.join(dir.path, 'influxdb') }),
    ]);
    const databaseUrl = await postgres.createDatabase();
    const database = 'cluster_it';
    const settings: StoreSettings = { url: influx.url, api: 'v1', database };

    const shared: Record<string, string> = {
      DEMO: 'off',
      DATABASE_URL: databaseUrl,
      MQTT_URL: mosquitto.url,
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: database,
      REGISTRY_FILE: registryFile,
      ALERTS_FILE: alertsFile,
      ...(options.clusterOff ? {} : { CLUSTER: 'on', CLUSTER_LEASE: String(leaseMs), CLUSTER_PARTITIONS: String(partitions) }),
      ...options.env,
    };
    /** The logins file of the first instance: every instance seeds the same one. */
    let usersFile: string | undefined;
    let mfaKey: string | undefined;

    const launch = async (name: string): Promise<ClusterHub> => {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`instance name ${name}: letters, digits, _ . - only`);
      if (hubs.some((h) => h.name === name)) throw new Error(`instance ${name} exists already`);
      const dataDir = path.join(dir.path, `data-${name}`);
      await mkdir(dataDir, { recursive: true });
      if (mfaKey) {
        const target = path.join(dataDir, 'mfa.key');
        await copyFile(mfaKey, target);
        await chmod(target, 0o600);
      }
      const hub = await startHubProcess({
        ...shared,
        ...(usersFile ? { USERS_FILE: usersFile } : {}),
        DATA_DIR: dataDir,
        MQTT_CLIENT_ID: `hub-${name}`,
        ...(options.clusterOff ? {} : { CLUSTER_INSTANCE: name }),
      });
      const clusterHub = Object.assign(hub, { name, dataDir }) as ClusterHub;
      hubs.push(clusterHub);
      return clusterHub;
    };

    const first = await launch(names.shift()!);
    usersFile = first.env.USERS_FILE;
    mfaKey = path.join(first.dataDir, 'mfa.key');
    // The rest together: the schema is there, the logins seeded.
    await Promise.all(Array.from({ length: options.instances - 1 }, () => launch(names.shift()!)));

    const view = async (hub: ClusterHub): Promise<ClusterView> => {
      const res = await apiFetch(hub, '/api/cluster', { signal: AbortSignal.timeout(3000) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /api/cluster on ${hub.name}: ${res.status} ${text}`);
      return JSON.parse(text) as ClusterView;
    };
    const running = (except: readonly ClusterHub[] = []) => hubs.filter((h) => h.pid !== undefined && !except.includes(h));
    const logTails = (chars = 1500) =>
      hubs.map((h) => `--- ${h.name} (pid ${h.pid ?? 'exited'}) ---\n${h.log().split('\n').filter((l) => !l.includes('"level":20')).join('\n').slice(-chars)}`).join('\n');

    const cluster: Cluster = {
      dir: dir.path,
      postgres,
      databaseUrl,
      mosquitto,
      influx,
      settings,
      devices,
      registryFile,
      leaseMs,
      partitions,
      hubs,
      addInstance: (name) => launch(name ?? names.shift()!),
      running,
      view,
      async waitFor(check, what, { hubs: which, timeoutMs = 30_000, intervalMs = 250 } = {}) {
        const deadline = Date.now() + timeoutMs;
        let views: ClusterView[] = [];
        let lastError = '';
        for (;;) {
          try {
            views = await Promise.all((which ?? running()).map(view));
            if (check(views)) return views;
            lastError = '';
          } catch (error) {
            lastError = (error as Error).message;
          }
          if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}\n${views.map(describeView).join('\n')}\n${logTails()}`);
          }
          await sleep(intervalMs);
        }
      },
      publish(publishing, { rate = 150, seed = 17 } = {}) {
        const ledger = new DeliveryLedger();
        const run = startLoad({
          url: mosquitto!.url, devices: publishing, qos: 1, rate, durationMs: 600_000, alertShare: 0, inflight: 10, topicRoot: 'compounds', seed,
          connectConcurrency: 10, connection: 'per-device', ts: true, onAcked: ledger.record, drainMs: 20_000,
        });
        return {
          ledger,
          run,
          async stop() {
            run.stop();
            return run.done;
          },
        };
      },
      events: (hub, msg, stage = 'cluster') => logEvents(hub.log(), msg, stage),
      logTails,
      stop: stopAll,
    };
    return cluster;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
