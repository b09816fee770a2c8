import { describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Spool } from './spool.ts';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'spool-'));
const quiet = () => undefined;

async function drain(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for (let batch = await spool.takeOldest(); batch; batch = await spool.takeOldest()) {
    out.push(...batch.lines);
    await spool.remove(batch.id);
  }
  return out;
}

/** A path that cannot become a folder, even for root: it lies under a regular file. */
async function unwritableDir(): Promise<{ dir: string; fix: () => Promise<void> }> {
  const parent = await tmp();
  const blocker = path.join(parent, 'blocker');
  await writeFile(blocker, 'not a folder');
  return { dir: path.join(blocker, 'spool'), fix: () => rm(blocker) };
}

describe('Spool', () => {
  it('counts lines on their way to disk: never empty while a write is in progress (the replayer must not go live and leave them behind)', async () => {
    const dir = await tmp();
    const spool = new Spool(dir, 1e6, quiet);
    await spool.open();
    const seen: Array<[boolean, number]> = [];
    for (const first of [true, false]) {
      // The first write also creates a segment file; the second appends to it.
      expect(spool.append(['a', 'b', 'c'])).toBe(true);
      let done = false;
      const flushing = spool.flush().then(() => (done = true));
      while (!done) {
        seen.push([spool.isEmpty, spool.lines]);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await flushing;
      expect(spool.lines, `after the ${first ? 'first' : 'second'} write`).toBe(first ? 3 : 6);
      expect(spool.pendingLines).toBe(0);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.filter(([empty, lines]) => empty || (lines !== 3 && lines !== 6))).toEqual([]);
    expect(await drain(spool)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(spool.isEmpty).toBe(true);
    await spool.close();
  });

  it('persists lines across instances and replays them oldest first, deleting a segment only when removed', async () => {
    const dir = await tmp();
    const a = new Spool(dir, 1e6, quiet, { segmentBytes: 20 });
    await a.open();
    for (let i = 0; i < 10; i += 1) {
      expect(a.append([`line-${i}`])).toBe(true);
      await a.flush(); // one flush per line: segments of ~20 bytes rotate every 3 lines
    }
    await a.close();
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(2);

    const b = new Spool(dir, 1e6, quiet);
    await b.open();
    expect(b.lines).toBe(10);
    expect(b.bytes).toBe(10 * 7);
    const first = await b.takeOldest();
    expect(first?.lines).toEqual(['line-0', 'line-1', 'line-2']);
    // Not removed yet: a crash now replays it again (repeat, never skip).
    const c = new Spool(dir, 1e6, quiet);
    await c.open();
    expect(c.lines).toBe(10);
    await b.remove(first!.id);
    expect(b.lines).toBe(7);
    expect(await drain(b)).toEqual([3, 4, 5, 6, 7, 8, 9].map((i) => `line-${i}`));
    expect(b.isEmpty).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    await b.close();
  });

  it('cuts a torn last line left by a crash, and counts only whole lines', async () => {
    const dir = await tmp();
    const a = new Spool(dir, 1e6, quiet);
    await a.open();
    a.append(['whole-1', 'whole-2']);
    await a.close();
    const [file] = await readdir(dir);
    await appendFile(path.join(dir, file!), 'torn-li'); // a crash mid-write
    await writeFile(path.join(dir, 'seg-000000000099.lp'), 'only a torn line'); // nothing whole: removed

    const b = new Spool(dir, 1e6, quiet);
    await b.open();
    expect(b.lines).toBe(2);
    expect(await readFile(path.join(dir, file!), 'utf8')).toBe('whole-1\nwhole-2\n');
    b.append(['after']);
    expect(await drain(b)).toEqual(['whole-1', 'whole-2', 'after']);
    await b.close();
  });

  it('reports full a little before its byte bound, still takes what was on its way up to twice the bound, and refuses beyond', async () => {
    const spool = new Spool(await tmp(), 100, quiet);
    await spool.open();
    expect(spool.append(['x'.repeat(89)])).toBe(true); // 90 bytes with its newline
    expect(spool.full).toBe(false);
    expect(spool.append(['y'.repeat(5)])).toBe(true); // 96: within 5 % of the bound
    expect(spool.full).toBe(true);
    expect(spool.hardMaxBytes).toBe(200);
    expect(spool.append(['z'.repeat(3), 'v'.repeat(99)])).toBe(true); // exactly 200: lines on their way still fit
    expect(spool.append(['w'])).toBe(false);
    expect(spool.lines).toBe(4);
    expect(new Spool('unused', 1024 ** 3, quiet).hardMaxBytes).toBe(1024 ** 3 + 64 * 1024 ** 2);
    await spool.close();
    expect(spool.append(['after close'])).toBe(false);
  });

  it('refuses more lines in memory than maxPendingLines', async () => {
    const spool = new Spool(await tmp(), 1e6, quiet, { maxPendingLines: 3 });
    expect(spool.append(['a', 'b'])).toBe(true);
    expect(spool.append(['c', 'd'])).toBe(false);
    expect(spool.append(['c'])).toBe(true);
    await spool.close();
  });

  it('survives an unwritable folder: no throw on append or flush, the error is kept, lines wait in memory and reach disk once it is fixed', async () => {
    const { dir, fix } = await unwritableDir();
    const errors: string[] = [];
    const spool = new Spool(dir, 1e6, (e) => errors.push(e.message));
    await expect(spool.open()).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(spool.error).toMatch(/ENOTDIR|EEXIST/);
    expect(spool.append(['a', 'b'])).toBe(true);
    await spool.flush();
    await spool.flush();
    expect(errors).toHaveLength(1); // reported once, not on every retry
    expect(spool.lines).toBe(2);
    expect(spool.pendingLines).toBe(2);

    await fix();
    await spool.flush();
    expect(spool.error).toBeUndefined();
    expect(spool.pendingLines).toBe(0);
    expect(await drain(spool)).toEqual(['a', 'b']);
    await spool.close();
  });

  it('hands out lines from memory while the disk refuses them, and takes back what was not delivered', async () => {
    const { dir } = await unwritableDir();
    const spool = new Spool(dir, 1e6, quiet);
    await spool.open().catch(() => undefined);
    spool.append(['m1', 'm2', 'm3']);
    const batch = await spool.takeOldest(2);
    expect(batch).toEqual({ id: 0, lines: ['m1', 'm2'], memory: true });
    expect(spool.lines).toBe(1);
    spool.giveBack(['m2']); // m1 was delivered, m2 was not
    expect(spool.lines).toBe(2);
    expect((await spool.takeOldest(10))?.lines).toEqual(['m2', 'm3']);
    expect(spool.isEmpty).toBe(true);
    await spool.close();
  });
});

describe('Spool under concurrent appends', () => {
  it('keeps lines appended while a flush is writing', async () => {
    const spool = new Spool(await tmp(), 1e7, quiet, { segmentBytes: 4096 });
    await spool.open();
    const expected: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const line = `line-${i}`;
      expected.push(line);
      spool.append([line]);
      if (i % 100 === 0) void spool.flush();
      // Let the flush reach its disk write, so the next appends land while it is in flight.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await drain(spool)).toEqual(expected); // and in order
    await spool.close();
  });
});
