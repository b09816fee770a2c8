/**
 * The partitions this instance owns (design.md §10), kept in PostgreSQL: every round (a fifth of
 * the lease time) it beats in cluster_members, renews its leases in one statement, gives back
 * those beyond its fair share (K partitions over the instances alive, by name order) and takes
 * free or expired ones up to it. Taking is a conditional update, so two instances never own one
 * partition; and an instance stops acting on a partition before its lease can expire: at
 * `deadline`, a round's length before the expiry its last renewal asked for, judged on its own
 * clock even when the database cannot be reached (a network cut, a pause), so whoever takes the
 * partition after the expiry is alone with it.
 */
import type { Logger } from 'pino';
import type { LeasesRepo, MembersRepo, PartitionLease } from '../state/state.types.ts';

export interface PartitionHandlers {
  /** Start acting on the partition (its session, its rules); throwing gives the lease back. */
  acquired(partition: number, lease: PartitionLease): Promise<void>;
  /** Stop acting and hand over cleanly (before the lease is given back). */
  released(partition: number): Promise<void>;
  /** Stop acting at once: the lease could not be kept. */
  lost(partition: number): void;
}

export interface LeaseKeeperOptions {
  instance: string;
  partitions: number;
  leaseMs: number;
  leases: LeasesRepo;
  members: MembersRepo;
  handlers: PartitionHandlers;
  logger: Logger;
  now?: () => number;
}

export interface HeldPartition {
  lease: PartitionLease;
  /** Local time by which this instance stops acting, unless a renewal moved it on. */
  deadline: number;
  /** The last time it acted on the partition (a message handled), for the log of a loss. */
  lastActedAt?: number;
}

/** A fair share of `partitions` for the instance at `index` among `count`: the first `partitions % count` get one more. */
/** Rounds a member may miss before the others stop counting it in their shares. */
const MISSED_ROUNDS = 3;
/** Partitions taken over at once (their sessions opened side by side). */
const TAKEOVER_CONCURRENCY = 8;

export function fairShare(partitions: number, count: number, index: number): number {
  return Math.floor(partitions / count) + (index < partitions % count ? 1 : 0);
}

export class LeaseKeeper {
  readonly #o: LeaseKeeperOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #held = new Map<number, HeldPartition>();
  readonly #roundMs: number;
  readonly #startedAt: number;
  #timer: NodeJS.Timeout | undefined;
  #enforcer: NodeJS.Timeout | undefined;
  #rounds = 0;
  #stopping = false;
  #round: Promise<void> = Promise.resolve();
  /** Take-overs under way (sessions opening), one batch after another. */
  #takeovers: Promise<void> = Promise.resolve();
  #failing = false;
  #members: Array<{ instance: string; startedAt: number; heartbeatAt: number }> = [];

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
    this.#log = options.logger.child({ stage: 'cluster' });
    this.#now = options.now ?? Date.now;
    this.#roundMs = Math.max(500, Math.floor(options.leaseMs / 5));
    this.#startedAt = this.#now();
  }

  get instance(): string {
    return this.#o.instance;
  }

  /** The partitions it acts on now, ascending. */
  owned(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** Whether it may act on the partition now (it holds the lease and its deadline has not passed). */
  acting(partition: number): boolean {
    const held = this.#held.get(partition);
    if (!held) return false;
    if (this.#now() < held.deadline) return true;
    this.#lose(partition, 'deadline');
    return false;
  }

  /** Notes that it acted on the partition (a message handled). */
  acted(partition: number): void {
    const held = this.#held.get(partition);
    if (held) held.lastActedAt = this.#now();
  }

  /** The members seen alive at the last round. */
  members(): ReadonlyArray<{ instance: string; startedAt: number; heartbeatAt: number }> {
    return this.#members;
  }

  start(): void {
    const loop = () => {
      this.#round = this.round().finally(() => {
        if (!this.#stopping) this.#timer = setTimeout(loop, this.#roundMs);
      });
    };
    loop();
    // Deadlines are kept even while a round waits on an unreachable database.
    this.#enforcer = setInterval(() => {
      for (const partition of this.owned()) this.acting(partition);
    }, Math.min(250, this.#roundMs));
  }

  /** Hands every partition over (the others take them at once) and leaves the member list. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    clearInterval(this.#enforcer);
    await this.#round;
    await this.#takeovers;
    for (const partition of this.owned()) await this.#release(partition, 'stop');
    await this.#o.members.leave(this.#o.instance).catch((error: unknown) => this.#log.warn({ err: (error as Error).message }, 'could not leave the member list (it ages out)'));
  }

  /** One round: beat, renew, give back beyond the fair share, take free ones up to it (start() runs them; tests call it). */
  async round(): Promise<void> {
    const { instance, leaseMs, partitions, leases, members } = this.#o;
    const asked = this.#now();
    try {
      const mine = this.owned();
      const [, renewedLeases] = await Promise.all([members.heartbeat(instance, this.#startedAt, asked), leases.renewMine(instance, mine, asked, leaseMs)]);
      const renewed = new Set(renewedLeases.map((l) => l.partition));
      for (const partition of mine) {
        const held = this.#held.get(partition);
        if (!held) continue; // lost meanwhile
        if (renewed.has(partition)) held.deadline = Math.max(held.deadline, asked + leaseMs - this.#roundMs);
        else this.#lose(partition, 'not renewed');
      }
      // Alive: beat within the last three rounds (a member gone stops counting long before its leases expire).
      const alive = (await members.list()).filter((m) => m.heartbeatAt >= asked - MISSED_ROUNDS * this.#roundMs || m.instance === instance);
      this.#members = alive;
      if (this.#failing) this.#log.info('cluster database reachable again');
      this.#failing = false;
      this.#rounds += 1;
      // The first round only says it is here: instances started together see each other before they share out.
      if (this.#rounds === 1 || this.#stopping) return;
      const index = Math.max(0, alive.findIndex((m) => m.instance === instance));
      const share = fairShare(partitions, Math.max(1, alive.length), index);
      const owned = this.owned();
      if (owned.length > share) {
        // The highest first: instances agree on nothing but fairness, so any choice is as good.
        for (const partition of owned.slice(share).reverse()) await this.#release(partition, 'rebalance');
        return;
      }
      if (owned.length === share) return;
      await this.#takeFree(share - owned.length);
    } catch (error) {
      if (!this.#failing) this.#log.warn({ err: (error as Error).message }, 'cluster database unreachable: leases not renewed (partitions are let go at their deadline)');
      this.#failing = true;
      // Back, it first beats again: the others, back too, are seen before anyone takes a share.
      this.#rounds = 0;
    }
  }

  async #takeFree(wanted: number): Promise<void> {
    const { instance, leaseMs, partitions, leases } = this.#o;
    const now = this.#now();
    const rows = new Map((await leases.list()).map((l) => [l.partition, l]));
    // Free ones only (never held, or expired); spread the start so instances do not all try the same first.
    const free: number[] = [];
    for (let p = 0; p < partitions; p++) {
      const row = rows.get(p);
      if (!this.#held.has(p) && (!row || row.expiresAt < now)) free.push(p);
    }
    const offset = free.length ? hashOf(instance) % free.length : 0;
    const order = [...free.slice(offset), ...free.slice(0, offset)];
    // The leases first, within a round's time (quick statements); then their take-overs side by side.
    const until = now + this.#roundMs;
    const won: Array<{ partition: number; lease: PartitionLease; asked: number }> = [];
    for (const partition of order) {
      if (won.length >= wanted || this.#stopping || this.#now() >= until) break;
      const asked = this.#now();
      const lease = await leases.acquire(partition, instance, asked, leaseMs);
      if (!lease) continue;
      this.#held.set(partition, { lease, deadline: asked + leaseMs - this.#roundMs });
      won.push({ partition, lease, asked });
    }
    const takeOver = async ({ partition, lease, asked }: (typeof won)[number]) => {
      try {
        await this.#o.handlers.acquired(partition, lease);
      } catch (error) {
        this.#log.error({ partition, err: (error as Error).message }, 'partition not taken over: given back');
        if (this.#held.get(partition)?.lease === lease) this.#held.delete(partition);
        await leases.release(lease, this.#now()).catch(() => undefined);
        return;
      }
      if (!this.#held.has(partition)) return; // lost while it was taken over (logged there)
      const row = rows.get(partition);
      this.#log.info({ partition, epoch: lease.epoch, at: asked, previousExpiry: row?.expiresAt ?? null, previousOwner: row?.owner ?? null }, 'partition acquired');
    };
    // Not awaited by the round: renewals go on at their pace however long sessions take to open.
    const run = async () => {
      for (let i = 0; i < won.length; i += TAKEOVER_CONCURRENCY) await Promise.all(won.slice(i, i + TAKEOVER_CONCURRENCY).map(takeOver));
    };
    this.#takeovers = this.#takeovers.then(run, run);
  }

  async #release(partition: number, reason: 'rebalance' | 'stop'): Promise<void> {
    const held = this.#held.get(partition);
    if (!held) return;
    try {
      await this.#o.handlers.released(partition);
    } catch (error) {
      this.#log.warn({ partition, err: (error as Error).message }, 'partition not handed over cleanly');
    }
    this.#held.delete(partition);
    const at = this.#now();
    const given = await this.#o.leases.release(held.lease, at).catch(() => false);
    this.#log.info({ partition, epoch: held.lease.epoch, reason, at, givenBack: given }, 'partition released');
  }

  #lose(partition: number, why: 'deadline' | 'not renewed'): void {
    const held = this.#held.get(partition);
    if (!held) return;
    this.#held.delete(partition);
    this.#o.handlers.lost(partition);
    this.#log.warn({ partition, epoch: held.lease.epoch, why, deadline: held.deadline, lastActedAt: held.lastActedAt ?? null, noticedAt: this.#now() }, 'partition lost');
  }
}

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
