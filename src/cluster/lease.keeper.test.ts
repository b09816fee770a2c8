/** The lease keeper over a real operational database (SQLite here; the repository suite runs the statements on PostgreSQL too), on a clock of the test's own. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openState } from '../state/state.stage.ts';
import type { StateStore } from '../state/state.types.ts';
import { LeaseKeeper, fairShare } from './lease.keeper.ts';

const LEASE = 10_000;
const logger = pino({ level: 'silent' });

describe('fairShare', () => {
  it('shares every partition, the first instances one more', () => {
    expect([0, 1, 2].map((i) => fairShare(64, 3, i))).toEqual([22, 21, 21]);
    expect([0, 1, 2, 3].map((i) => fairShare(64, 4, i)).reduce((a, b) => a + b)).toBe(64);
    expect(fairShare(8, 1, 0)).toBe(8);
  });
});

describe('LeaseKeeper', () => {
  const dirs: string[] = [];
  const stores: StateStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function setup() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keeper-'));
    dirs.push(dir);
    const state = await openState({ dataDir: dir }, logger);
    stores.push(state);
    let now = 1_000_000;
    const events: string[] = [];
    const keeper = (instance: string) =>
      new LeaseKeeper({
        instance,
        partitions: 8,
        leaseMs: LEASE,
        leases: state.leases,
        members: state.members,
        logger,
        now: () => now,
        handlers: {
          acquired: async (p) => void events.push(`${instance}+${p}`),
          released: async (p) => void events.push(`${instance}-${p}`),
          lost: (p) => void events.push(`${instance}!${p}`),
        },
      });
    return { state, keeper, events, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('takes nothing in its first round, then its fair share; a second instance gets half, handed over cleanly', async () => {
    const { keeper, events, advance } = await setup();
    const a = keeper('a');
    await a.round();
    expect(a.owned()).toEqual([]);
    advance(2000);
    await a.round();
    expect(a.owned()).toHaveLength(8);

    const b = keeper('b');
    await b.round();
    advance(2000);
    await a.round(); // a sees b: gives back the 4 beyond its share
    expect(a.owned()).toHaveLength(4);
    expect(events.filter((e) => e.startsWith('a-'))).toHaveLength(4);
    await b.round();
    expect(b.owned()).toHaveLength(4);
    expect(new Set([...a.owned(), ...b.owned()]).size).toBe(8);
  });

  it('stops acting before the lease can expire when it cannot renew, and another takes it only after the expiry', async () => {
    const { state, keeper, events, advance, now } = await setup();
    const a = keeper('a');
    await a.round();
    advance(2000);
    await a.round();
    const leases = await state.leases.list();
    const expiry = Math.min(...leases.map((l) => l.expiresAt));
    // No round runs (a pause, a cut): at its deadline it stops on its own clock.
    advance(LEASE - 2000); // the deadline: a round (a fifth of the lease) before the expiry
    expect(a.acting(0)).toBe(false);
    expect(now()).toBeLessThan(expiry);
    expect(events.filter((e) => e.startsWith('a!'))).toHaveLength(1);
    // b cannot take a partition before the expiry.
    const b = keeper('b');
    await b.round();
    advance(1);
    await b.round();
    expect(b.owned()).not.toContain(0);
    advance(expiry - now() + 1);
    await b.round();
    await b.round();
    expect(b.owned()).toContain(0);
    // a's next round learns the rest are gone too, without taking anything b holds.
    await a.round();
    expect(a.owned().filter((p) => b.owned().includes(p))).toEqual([]);
  });

  it('hands everything over at stop and leaves the member list', async () => {
    const { state, keeper, advance } = await setup();
    const a = keeper('a');
    await a.round();
    advance(2000);
    await a.round();
    await a.stop();
    expect(a.owned()).toEqual([]);
    expect(await state.members.list()).toEqual([]);
    const b = keeper('b');
    await b.round();
    advance(1);
    await b.round();
    expect(b.owned()).toHaveLength(8);
  });
});
