/**
 * Scale-out (design.md §10, issue 17): hub instances with CLUSTER=on over one external broker
 * (Debian's Mosquitto, persistence on, large queues), one PostgreSQL (initdb + pg_ctl in a temp
 * dir) and the run's influxd; the hubs are child processes, the load is the hub phase's
 * (compound-sim --rate, every device on its own connection, QoS 1, per-device `seq`).
 *
 * - Throughput with 1 and with 2 instances at the same offered rate, above what the hubs take:
 *   Mosquitto acknowledges on receipt and queues the rest in the partitions' sessions, so the
 *   figure is "acknowledged readings / (last one stored − first one sent)" (throughput.ts's
 *   formula), with the rate stored while the load ran next to it. Zero loss is checked per
 *   device by `seq` in InfluxDB.
 * - Takeover: 2 instances at a load both keep up with, `kill -9` one; the time until the survivor
 *   owns every partition (GET /api/cluster), until readings of the moved compounds sent after the
 *   kill are stored (the first one, and one of every moved compound), until those compounds are
 *   caught up again; then what was lost (acknowledged by Mosquitto, never stored).
 * - Cost per reading of one instance (its CPU seconds from /proc/<pid>/stat over the readings
 *   stored), and the sizing it gives: devices per instance at one reading every 30 s with 50 %
 *   headroom, instances for 1,000,000 devices.
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { influxQuery, type StoreSettings } from '../../src/store/index.ts';
import type { ClusterView } from '../../src/contracts/cluster.ts';
import { partitionOf } from '../../src/cluster/partitions.ts';
import { compoundIds } from '../../simulators/fleet.ts';
import { startHubProcess, type HubProcess } from '../../test/helpers/hub-process.ts';
import { startMosquitto, type Mosquitto } from '../../test/helpers/mosquitto.ts';
import { startPostgres, type Postgres } from '../../test/helpers/postgres.ts';
import { apiFetch } from '../../test/helpers/test-hub.ts';
import type { BenchContext } from '../lib/context.ts';
import { waitForOutput } from '../lib/children.ts';
import { runLoad, startLoadProcess, type LoadResult } from '../lib/load.ts';
import { watchProcess } from '../lib/proc-stats.ts';
import { checkLoss, storedPerDevice, type LossCheck } from '../lib/stored.ts';

/** CLUSTER_PARTITIONS: the hub's default. */
const PARTITIONS = 64;
/** Seconds between a device's readings the sizing assumes. */
const REPORT_EVERY_SEC = 30;
/** Share of an instance's capacity the sizing plans to use. */
const HEADROOM = 0.5;
const CITY = 1_000_000;
const LOGS_STAMP = new Date().toISOString().replace(/[:.]/g, '-');

export interface ScaleOutRun {
  instances: number;
  /** Offered msg/s (the generator's target). */
  offered: number;
  /** Acknowledged readings per second from the first sent until the last stored. */
  rate: number;
  /** Readings per second Mosquitto acknowledged while the load ran. */
  ackedRate: number;
  /** Readings per second the hubs wrote to InfluxDB while the load ran. */
  storedDuringLoad: number;
  /** Seconds from the end of the load until everything acknowledged was stored (the broker's queue drained). */
  drainSec: number;
  loss: LossCheck;
  /** CPU seconds of all hub processes, start of load → all stored. */
  hubCpuSec: number;
  /** Hub CPU per stored reading, µs (all instances together). */
  cpuUsPerReading: number;
  /** Cores the hubs used together on average. */
  hubCores: number;
  /** Mosquitto and InfluxDB CPU per reading, µs. */
  brokerUsPerReading: number;
  influxUsPerReading: number;
  generatorCores: number;
  peakRssMb: number;
  /** "partition lost" events (deadline missed or not renewed) over the run: none expected without a failure. */
  leasesLost: number;
  /** Per instance: partitions, compounds with load, share of the readings. */
  split: Array<{ instance: string; partitions: number; compounds: number; readings: number }>;
}

export interface TakeoverRow {
  leaseMs: number;
  offered: number;
  killed: string;
  movedPartitions: number;
  movedCompounds: number;
  /** kill -9 → the survivor owns all partitions (GET /api/cluster). */
  ownedAgainSec: number;
  /** kill -9 → the first reading of a moved compound sent after the kill is in InfluxDB. */
  firstFlowSec: number;
  /** kill -9 → every moved compound has a reading sent after the kill in InfluxDB. */
  allFlowSec: number;
  /** kill -9 → the newest stored reading of every moved compound is less than 2 s old. */
  caughtUpSec: number;
  /** From the survivor's log: the last "partition acquired" after the kill, and the latest expiry of the leases it took over. */
  lastAcquiredSec: number;
  latestPreviousExpirySec: number;
  loss: LossCheck;
  /** Of the readings lost: those of the moved compounds (the killed instance's), those of the survivor's own. */
  lostMoved: number;
  lostOwn: number;
  /** "partition lost" (deadline missed) on the survivor during the run. */
  survivorLeasesLost: number;
  /** Readings Mosquitto acknowledged over the run. */
  acked: number;
}

export interface ScaleOutRow {
  partitions: number;
  runs: ScaleOutRun[];
  /** 2-instance rate / 1-instance rate. */
  ratio: number | null;
  takeover?: TakeoverRow;
  sizing?: { cpuUsPerReading: number; readingsPerCoreSec: number; devicesPerInstance: number; instancesForCity: number; reportEverySec: number; headroom: number; city: number };
  notes: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number) => Math.round(x);

interface Instance {
  name: string;
  hub: HubProcess;
  dataDir: string;
}

/** One cluster for one measurement: a fresh Mosquitto, a fresh PostgreSQL database and InfluxDB database, N instances. */
class Cluster {
  readonly instances: Instance[] = [];
  #usersFile: string | undefined;
  #mfaKey: string | undefined;

  private constructor(
    readonly ctx: BenchContext,
    readonly mosquitto: Mosquitto,
    readonly databaseUrl: string,
    readonly settings: StoreSettings,
    readonly leaseMs: number,
  ) {}

  static async start(ctx: BenchContext, pg: Postgres, label: string, leaseMs: number): Promise<Cluster> {
    // Partitions' sessions are offline between owners and fall behind under an offered rate above
    // what the hubs take: the broker must keep everything it acknowledged meanwhile.
    const mosquitto = await startMosquitto({
      persistence: true,
      extraConfig: ['max_queued_messages 10000000', 'max_queued_bytes 0', 'max_inflight_messages 100'].join('\n'),
    });
    try {
      return new Cluster(ctx, mosquitto, await pg.createDatabase(), ctx.database(label), leaseMs);
    } catch (error) {
      await mosquitto.stop();
      throw error;
    }
  }

  /** Starts an instance; the first one seeds the logins and makes mfa.key, the others get both. */
  async launch(name: string): Promise<Instance> {
    const dataDir = await this.ctx.subdir(`scaleout-${name}`);
    if (this.#mfaKey) {
      const target = path.join(dataDir, 'mfa.key');
      await copyFile(this.#mfaKey, target);
      await chmod(target, 0o600);
    }
    const hub = await startHubProcess({
      DATABASE_URL: this.databaseUrl,
      MQTT_URL: this.mosquitto.url,
      MQTT_CLIENT_ID: `hub-${name}`,
      INFLUX_URL: this.settings.url,
      INFLUX_API: 'v1',
      INFLUX_DATABASE: this.settings.database!,
      REGISTRY_FILE: this.ctx.registryFile,
      DATA_DIR: dataDir,
      CLUSTER: 'on',
      CLUSTER_INSTANCE: name,
      CLUSTER_PARTITIONS: String(PARTITIONS),
      CLUSTER_LEASE: String(this.leaseMs),
      // info: the cluster's events ("partition acquired" …); nothing per message is logged at info.
      LOG_LEVEL: 'info',
      ...(this.#usersFile ? { USERS_FILE: this.#usersFile } : {}),
    });
    const instance = { name, hub, dataDir };
    this.instances.push(instance);
    if (!this.#usersFile) {
      this.#usersFile = hub.env.USERS_FILE;
      this.#mfaKey = path.join(dataDir, 'mfa.key');
    }
    return instance;
  }

  async view(instance: Instance): Promise<ClusterView> {
    const res = await apiFetch(instance.hub, '/api/cluster', { signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/cluster on ${instance.name}: ${res.status} ${text}`);
    return JSON.parse(text) as ClusterView;
  }

  running(): Instance[] {
    return this.instances.filter((i) => i.hub.pid !== undefined);
  }

  /** Polls until every running instance owns its fair share and all partitions are owned; resolves with the views. */
  async settled(timeoutMs = 60_000): Promise<ClusterView[]> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const live = this.running();
        const gone = this.instances.filter((i) => !live.includes(i)).map((i) => i.name);
        if (gone.length) throw new Error(`instance ${gone.join(', ')} exited on its own before the partitions were shared out\n${this.logTails(3000)}`);
        const views = await Promise.all(live.map((i) => this.view(i)));
        const owned = views.flatMap((v) => v.owned);
        // Everything owned, once, and by everyone its fair share (a newcomer's first round only says hello).
        const fair = Math.floor(PARTITIONS / live.length);
        if (owned.length === PARTITIONS && new Set(owned).size === PARTITIONS && views.every((v) => v.members.length === live.length && v.owned.length >= fair)) return views;
        last = views.map((v) => `${v.instance} owns ${v.owned.length}, sees ${v.members.length} members`).join('; ');
      } catch (error) {
        if ((error as Error).message.includes('exited on its own')) throw error;
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`partitions not shared out within ${timeoutMs / 1000} s (${last})\n${this.logTails()}`);
      await sleep(250);
    }
  }

  /** Readings written to InfluxDB by every running instance (their /readyz), and whether all are idle. */
  async storage(): Promise<{ written: number; idle: boolean }> {
    const bodies = await Promise.all(this.running().map(async (i) => (await i.hub.readyz()).body.storage));
    return { written: bodies.reduce((n, s) => n + s.pointsWritten, 0), idle: bodies.every((s) => s.bufferedLines === 0 && s.spoolLines === 0) };
  }

  /**
   * Waits until the running instances have written `expected` readings more than `base`, hold
   * nothing, and have written nothing more for 3 s (the broker's queues drained into InfluxDB:
   * a reading handled twice counts twice in pointsWritten, so the count alone can be reached
   * early); gives up after `quietMs` without progress. Resolves with when the last one was written.
   */
  async stored(expected: number, base = 0, quietMs = 30_000): Promise<number> {
    let last = -1;
    let movedAt = Date.now();
    for (;;) {
      try {
        const s = await this.storage();
        if (s.written !== last) [last, movedAt] = [s.written, Date.now()];
        else if (s.written - base >= expected && s.idle && Date.now() - movedAt >= 3000) return movedAt;
      } catch {
        // a busy hub may answer /readyz late: ask again
      }
      if (Date.now() - movedAt > quietMs) {
        this.ctx.say(`  (written ${last - base} of ${expected} acknowledged readings; nothing more for ${quietMs / 1000} s: checking what is in InfluxDB)`);
        return movedAt;
      }
      await sleep(100);
    }
  }

  /** Per instance, its cluster events (acquired, released, lost) from its log; the first lost ones in full. */
  leaseEvents(): { summary: string; lost: string[] } {
    const lost: string[] = [];
    const parts = this.instances.map((i) => {
      const lines = i.hub.log().split('\n');
      const count = (msg: string) => lines.filter((l) => l.includes(`"msg":"${msg}"`)).length;
      lost.push(...lines.filter((l) => l.includes('"msg":"partition lost"') || l.includes('"level":50') || l.includes('unreachable')).slice(0, 3).map((l) => `${i.name}: ${l.slice(0, 400)}`));
      return `${i.name}: ${count('partition acquired')} acquired, ${count('partition released')} released, ${count('partition lost')} lost`;
    });
    return { summary: parts.join('; '), lost };
  }

  /** Keeps the instances' logs (outside the work dir, which the run removes). */
  async saveLogs(label: string): Promise<string> {
    const dir = path.join(os.tmpdir(), `compound-bench-scaleout-logs-${LOGS_STAMP}`);
    await mkdir(dir, { recursive: true });
    for (const i of this.instances) await writeFile(path.join(dir, `${label}-${i.name}.log`), i.hub.log());
    await writeFile(path.join(dir, `${label}-mosquitto.log`), this.mosquitto.log());
    return dir;
  }

  logTails(chars = 1500): string {
    return this.instances.map((i) => `--- ${i.name} (pid ${i.hub.pid ?? 'exited'}) ---\n${i.hub.log().split('\n').filter((l) => !l.includes('"level":20')).join('\n').slice(-chars)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.hub.stop().catch(() => undefined)));
    await this.mosquitto.stop();
  }
}

/** Compound → partition for the bench fleet. */
function compoundsOf(ctx: BenchContext): Map<string, number> {
  return new Map(compoundIds(ctx.shape.compounds).map((c) => [c, partitionOf(c, PARTITIONS)]));
}

/** Readings acknowledged per compound (device keys are `compound/type/device`). */
function perCompound(load: LoadResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of Object.entries(load.perDevice)) {
    const compound = key.slice(0, key.indexOf('/'));
    out.set(compound, (out.get(compound) ?? 0) + n);
  }
  return out;
}

async function throughputRun(ctx: BenchContext, pg: Postgres, instances: number, offered: number, leaseMs: number): Promise<ScaleOutRun> {
  const cluster = await Cluster.start(ctx, pg, `scaleout_${instances}`, leaseMs);
  try {
    const names = ['a', 'b', 'c', 'd'].slice(0, instances);
    await cluster.launch(names[0]!);
    await Promise.all(names.slice(1).map((n) => cluster.launch(n)));
    const views = await cluster.settled();
    ctx.say(`  ${instances} instance${instances > 1 ? 's' : ''} up: ${views.map((v) => `${v.instance} owns ${v.owned.length}`).join(', ')}; offering ${offered.toLocaleString('en-US')} msg/s for ${ctx.options.durationSec} s …`);
    const dir = await ctx.subdir('scaleout-load');
    const base = (await cluster.storage()).written;
    const hubWatches = cluster.instances.map((i) => watchProcess(i.hub.pid!));
    const brokerWatch = watchProcess(cluster.mosquitto.pid!);
    const influxWatch = watchProcess(ctx.influx.pid!);
    // The rate stored while the load runs: /readyz's pointsWritten, sampled once a second.
    const samples: Array<{ at: number; written: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          samples.push({ at: Date.now(), written: (await cluster.storage()).written });
        } catch {
          // busy: next time
        }
        await sleep(1000);
      }
    })();
    const load = await runLoad({ url: cluster.mosquitto.url, shape: ctx.shape, qos: 1, rate: offered, durationSec: ctx.options.durationSec, dir });
    const loadEnd = load.startedAt + load.elapsedMs;
    sampling = false;
    await sampler;
    ctx.say(`  load done: ${load.acked.toLocaleString('en-US')} acknowledged by Mosquitto (${load.achievedRate.toLocaleString('en-US')} msg/s); waiting for the hubs to store them …`);
    const storedAt = await cluster.stored(load.acked, base);
    const hubUsage = hubWatches.map((w) => w.stop());
    const brokerUsage = brokerWatch.stop();
    const influxUsage = influxWatch.stop();
    const loss = await checkLoss(cluster.settings, load.perDevice);
    // Samples of the steady part of the run: after the first 2 s, up to the end of the load.
    const steady = samples.filter((s) => s.at >= load.startedAt + 2000 && s.at <= loadEnd);
    const storedDuringLoad = steady.length >= 2 ? ((steady.at(-1)!.written - steady[0]!.written) * 1000) / (steady.at(-1)!.at - steady[0]!.at) : NaN;
    const finalViews = await Promise.all(cluster.running().map((i) => cluster.view(i)));
    const byCompound = perCompound(load);
    const partitionOfCompound = compoundsOf(ctx);
    const split = finalViews.map((v) => {
      const owned = new Set(v.owned);
      const mine = [...partitionOfCompound].filter(([, p]) => owned.has(p)).map(([c]) => c);
      return { instance: v.instance, partitions: v.owned.length, compounds: mine.length, readings: mine.reduce((n, c) => n + (byCompound.get(c) ?? 0), 0) };
    });
    const events = cluster.leaseEvents();
    ctx.say(`  lease events: ${events.summary}; logs in ${await cluster.saveLogs(`throughput-${instances}`)}`);
    for (const line of events.lost) ctx.say(`    ${line}`);
    const hubCpuSec = hubUsage.reduce((n, u) => n + u.cpuSec, 0);
    const stored = Math.max(1, loss.stored);
    const seconds = (storedAt - load.startedAt) / 1000;
    return {
      instances,
      offered,
      rate: round(load.acked / seconds),
      ackedRate: load.achievedRate,
      storedDuringLoad: round(storedDuringLoad),
      drainSec: Math.max(0, (storedAt - loadEnd) / 1000),
      loss,
      hubCpuSec,
      cpuUsPerReading: (hubCpuSec * 1e6) / stored,
      hubCores: hubCpuSec / seconds,
      brokerUsPerReading: (brokerUsage.cpuSec * 1e6) / stored,
      influxUsPerReading: (influxUsage.cpuSec * 1e6) / stored,
      generatorCores: load.generatorCpuSec / (load.elapsedMs / 1000),
      peakRssMb: Math.max(...hubUsage.map((u) => u.peakRssMb)),
      leasesLost: cluster.instances.reduce((n, i) => n + i.hub.log().split('\n').filter((l) => l.includes('"msg":"partition lost"')).length, 0),
      split,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${cluster.logTails()}`);
  } finally {
    await cluster.stop();
  }
}

/** Moved compounds: per compound, the newest stored reading sent after `since` (ms epoch), from InfluxDB. */
async function newestSince(settings: StoreSettings, compounds: readonly string[], since: number): Promise<Map<string, number>> {
  const re = compounds.map((c) => c.replace(/[^a-z0-9_-]/g, '')).join('|');
  // Every compound of the bench fleet has elevators: one measurement says whether a compound flows.
  const [result] = await influxQuery(settings, `SELECT LAST("seq") FROM "elevator" WHERE time > ${since}ms AND "compound" =~ /^(${re})$/ GROUP BY "compound"`);
  const out = new Map<string, number>();
  for (const series of result?.series ?? []) {
    const t = series.values[0]?.[0];
    const at = typeof t === 'number' ? t : Date.parse(String(t));
    if (series.tags?.compound && Number.isFinite(at)) out.set(series.tags.compound, at);
  }
  return out;
}

async function takeoverRun(ctx: BenchContext, pg: Postgres, offered: number, leaseMs: number): Promise<TakeoverRow> {
  const cluster = await Cluster.start(ctx, pg, 'scaleout_takeover', leaseMs);
  try {
    await cluster.launch('a');
    await cluster.launch('b');
    const views = await cluster.settled();
    const partitionOfCompound = compoundsOf(ctx);
    const movedOf = (v: ClusterView) => [...partitionOfCompound].filter(([, p]) => v.owned.includes(p)).map(([c]) => c);
    // The victim: the instance with the more loaded compounds (its partitions move).
    const [victimView] = [...views].sort((x, y) => movedOf(y).length - movedOf(x).length);
    const victim = cluster.instances.find((i) => i.name === victimView!.instance)!;
    const survivor = cluster.instances.find((i) => i !== victim)!;
    const moved = movedOf(victimView!);
    const movedPartitions = victimView!.owned.length;
    const loadSec = Math.ceil((3 * leaseMs) / 1000) + (ctx.options.quick ? 10 : 20);
    const dir = await ctx.subdir('scaleout-takeover');
    const base = (await cluster.storage()).written;
    const load = startLoadProcess({ url: cluster.mosquitto.url, shape: ctx.shape, qos: 1, rate: offered, durationSec: loadSec, dir });
    await waitForOutput(load.child, /devices connected/, 60_000);
    await sleep(ctx.options.quick ? 3000 : 5000);
    ctx.say(`  ${offered.toLocaleString('en-US')} msg/s over 2 instances; kill -9 ${victim.name} (${movedPartitions} partitions, ${moved.length} loaded compounds), lease ${leaseMs / 1000} s …`);
    const killedAt = Date.now();
    victim.hub.kill('SIGKILL');

    let ownedAgainAt = NaN;
    let firstFlowAt = NaN;
    let allFlowAt = NaN;
    let caughtUpAt = NaN;
    const deadline = killedAt + 4 * leaseMs + 60_000;
    const watchOwners = (async () => {
      while (Number.isNaN(ownedAgainAt) && Date.now() < deadline) {
        try {
          const v = await cluster.view(survivor);
          if (v.owned.length === PARTITIONS) ownedAgainAt = Date.now();
        } catch {
          // busy: next time
        }
        if (Number.isNaN(ownedAgainAt)) await sleep(100);
      }
    })();
    const watchFlow = (async () => {
      while (Number.isNaN(caughtUpAt) && Date.now() < deadline) {
        try {
          const asked = Date.now();
          const newest = await newestSince(cluster.settings, moved, killedAt);
          if (newest.size > 0 && Number.isNaN(firstFlowAt)) firstFlowAt = asked;
          if (newest.size === moved.length && Number.isNaN(allFlowAt)) allFlowAt = asked;
          if (newest.size === moved.length && [...newest.values()].every((t) => asked - t < 2000)) caughtUpAt = asked;
        } catch {
          // InfluxDB busy: next time
        }
        if (Number.isNaN(caughtUpAt)) await sleep(200);
      }
    })();
    await Promise.all([watchOwners, watchFlow]);
    const since = (t: number) => (t - killedAt) / 1000;
    ctx.say(`  all ${PARTITIONS} partitions on ${survivor.name} after ${since(ownedAgainAt).toFixed(1)} s; moved compounds flow after ${since(firstFlowAt).toFixed(1)} s (all ${since(allFlowAt).toFixed(1)} s), caught up after ${since(caughtUpAt).toFixed(1)} s`);
    const report = await load.result;
    await cluster.stored(report.acked, base);
    const loss = await checkLoss(cluster.settings, report.perDevice);
    const perDevice = await storedPerDevice(cluster.settings);
    const movedSet = new Set(moved);
    let lostMoved = 0;
    let lostOwn = 0;
    for (const [key, count] of Object.entries(report.perDevice)) {
      const missing = Math.max(0, count - (perDevice.get(key)?.distinct ?? 0));
      if (movedSet.has(key.slice(0, key.indexOf('/')))) lostMoved += missing;
      else lostOwn += missing;
    }
    const survivorLeasesLost = survivor.hub.log().split('\n').filter((l) => l.includes('"msg":"partition lost"')).length;
    const events = cluster.leaseEvents();
    ctx.say(`  lease events: ${events.summary}; logs in ${await cluster.saveLogs('takeover')}`);
    for (const line of events.lost) ctx.say(`    ${line}`);
    const acquired = survivor.hub
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"partition acquired"'))
      .map((l) => {
        try {
          return JSON.parse(l) as { at?: number; previousExpiry?: number | null };
        } catch {
          return {};
        }
      })
      .filter((e) => typeof e.at === 'number' && e.at >= killedAt);
    const lastAcquired = Math.max(...acquired.map((e) => e.at!));
    const latestExpiry = Math.max(...acquired.map((e) => e.previousExpiry ?? -Infinity));
    return {
      leaseMs,
      offered,
      killed: victim.name,
      movedPartitions,
      movedCompounds: moved.length,
      ownedAgainSec: since(ownedAgainAt),
      firstFlowSec: since(firstFlowAt),
      allFlowSec: since(allFlowAt),
      caughtUpSec: since(caughtUpAt),
      lastAcquiredSec: acquired.length ? since(lastAcquired) : NaN,
      latestPreviousExpirySec: Number.isFinite(latestExpiry) ? since(latestExpiry) : NaN,
      loss,
      lostMoved,
      lostOwn,
      survivorLeasesLost,
      acked: report.acked,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${cluster.logTails()}`);
  } finally {
    await cluster.stop();
  }
}

/**
 * The phase: 1 instance, 2 instances, the takeover; the sizing from the 1-instance cost.
 * `offered`: msg/s for the throughput runs (default 40,000; quick 30,000): above what the hubs
 * store, so the rate measured is theirs, not the generator's.
 */
export async function scaleOut(ctx: BenchContext, offered?: number): Promise<ScaleOutRow> {
  const quick = ctx.options.quick;
  const rate = offered ?? (quick ? 30_000 : 40_000);
  // The default lease in the full run (what a deployment gets); a short one for --quick.
  const leaseMs = quick ? 5000 : 15_000;
  const row: ScaleOutRow = {
    partitions: PARTITIONS,
    runs: [],
    ratio: null,
    notes: [
      'one 2-core machine: the load generator, Mosquitto, InfluxDB, PostgreSQL and every hub instance share it, so a second instance adds no cores; the 2-instance figure shows the cost of partitioning, not the gain of a second machine',
      'other work ran on this machine at the same time (test suites of other sessions): figures are noisy',
      `compounds map to ${PARTITIONS} partitions by hash: ${ctx.shape.compounds} compounds do not split evenly between instances (see the split)`,
    ],
  };
  const pg = await startPostgres();
  try {
    ctx.say(`  PostgreSQL on port ${pg.port}; Mosquitto per run (persistence on, max_queued_messages 10,000,000, max_inflight_messages 100)`);
    for (const n of [1, 2]) {
      const run = await throughputRun(ctx, pg, n, rate, leaseMs);
      row.runs.push(run);
      ctx.say(
        `  ${n} instance${n > 1 ? 's' : ''}: ${run.rate.toLocaleString('en-US')} readings/s stored (${run.storedDuringLoad.toLocaleString('en-US')}/s during the load, queue drained ${run.drainSec.toFixed(1)} s after it), ` +
          `lost ${run.loss.lost}, duplicated ${run.loss.duplicated}; hubs ${run.cpuUsPerReading.toFixed(1)} µs CPU/reading, ${run.hubCores.toFixed(2)} cores; ` +
          `split ${run.split.map((s) => `${s.instance}: ${s.compounds} compounds, ${s.readings.toLocaleString('en-US')} readings`).join('; ')}`,
      );
    }
    const [one, two] = row.runs;
    if (one && two) {
      row.ratio = two.rate / Math.max(1, one.rate);
      ctx.say(`  2 instances / 1 instance: ${row.ratio.toFixed(2)} × (limited on 2 cores: the instances compete with the generator, Mosquitto and InfluxDB for the same cores)`);
    }
    if (one) {
      const readingsPerCoreSec = 1e6 / one.cpuUsPerReading;
      const devicesPerInstance = Math.floor(readingsPerCoreSec * REPORT_EVERY_SEC * HEADROOM);
      row.sizing = {
        cpuUsPerReading: one.cpuUsPerReading,
        readingsPerCoreSec,
        devicesPerInstance,
        instancesForCity: Math.ceil(CITY / devicesPerInstance),
        reportEverySec: REPORT_EVERY_SEC,
        headroom: HEADROOM,
        city: CITY,
      };
      ctx.say(
        `  cost: ${one.cpuUsPerReading.toFixed(1)} µs hub CPU per reading (${(one.cpuUsPerReading / 1000).toFixed(4)} CPU s per 1000) → ${round(readingsPerCoreSec).toLocaleString('en-US')} readings/s per core; ` +
          `devices per instance at one reading every ${REPORT_EVERY_SEC} s with ${HEADROOM * 100} % headroom: ${devicesPerInstance.toLocaleString('en-US')}; instances for ${CITY.toLocaleString('en-US')} devices: ${row.sizing.instancesForCity}`,
      );
    }
    // The takeover at a load two instances keep up with: half of what they stored, at most 10,000 msg/s.
    const takeoverRate = Math.max(500, Math.min(10_000, round((two?.storedDuringLoad && Number.isFinite(two.storedDuringLoad) ? two.storedDuringLoad : 10_000) / 2)));
    row.takeover = await takeoverRun(ctx, pg, takeoverRate, leaseMs);
    const t = row.takeover;
    ctx.say(`  takeover: lost ${t.loss.lost} (${t.lostMoved} of the moved compounds, ${t.lostOwn} of the survivor's own), duplicated ${t.loss.duplicated} of ${t.acked.toLocaleString('en-US')} acknowledged; the survivor missed ${t.survivorLeasesLost} lease deadlines`);
    if (t.lostMoved > 0) row.notes.push(`takeover loss in the moved compounds (${t.lostMoved}): readings the killed instance had acknowledged to Mosquitto (taken into its pipeline) but not yet written to InfluxDB die with it (the in-flight bound)`);
    if (t.lostOwn > 0) row.notes.push(`takeover loss in the survivor's own compounds (${t.lostOwn}): not explained by the kill; the survivor missed ${t.survivorLeasesLost} lease deadlines under load (see the report to the lead)`);
    for (const run of row.runs) {
      if (run.leasesLost > 0) row.notes.push(`${run.instances}-instance run: ${run.leasesLost} leases lost at their deadline under load (no instance died): renewals fell behind`);
    }
  } finally {
    await pg.stop();
  }
  return row;
}
