import { describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Spool } from './spool.ts';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'spool-'));

describe('Spool', () => {
  it('persists lines across instances and replays them oldest first', async () => {
    const dir = await tmp();
    const a = new Spool(dir, 1e6, () => undefined);
    await a.open();
    expect(a.append(['l1', 'l2'])).toBe(true);
    await a.flush();
    expect(a.append(['l3'])).toBe(true);
    await a.close();

    const b = new Spool(dir, 1e6, () => undefined);
    await b.open();
    expect(b.lines).toBe(3);
    expect(b.bytes).toBe(9);
    const first = await b.takeOldest();
    expect(first?.lines).toEqual(['l1', 'l2', 'l3']);
    await b.remove(first!.id);
    expect(b.isEmpty).toBe(true);
    expect(await b.takeOldest()).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    await b.close();
  });

  it('refuses lines beyond its byte bound', async () => {
    const spool = new Spool(await tmp(), 11, () => undefined);
    await spool.open();
    expect(spool.append(['12345678'])).toBe(true);
    expect(spool.append(['x'])).toBe(true);
    expect(spool.full).toBe(true);
    expect(spool.append(['y'])).toBe(false);
    expect(spool.lines).toBe(2);
    await spool.close();
  });

  it('reports an unwritable directory without throwing and keeps the lines', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path under a regular file instead
      const file = path.join(await tmp(), 'file');
      await (await import('node:fs/promises')).writeFile(file, 'x');
      const spool = new Spool(path.join(file, 'spool'), 1e6, () => undefined);
      await expect(spool.open()).rejects.toThrow(/ENOTDIR|EEXIST/);
      return;
    }
    const dir = await tmp();
    const spool = new Spool(dir, 1e6, () => undefined);
    await spool.open();
    await chmod(dir, 0o500);
    spool.append(['a']);
    await spool.flush();
    expect(spool.error).toMatch(/EACCES/);
    expect(spool.lines).toBe(1);
  });
});

describe('Spool under concurrent appends', () => {
  it('keeps lines appended while a flush is writing', async () => {
    const spool = new Spool(await tmp(), 1e7, () => undefined);
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
    await spool.flush();
    const replayed: string[] = [];
    for (let segment = await spool.takeOldest(); segment; segment = await spool.takeOldest()) {
      replayed.push(...segment.lines);
      await spool.remove(segment.id);
    }
    expect(replayed.sort()).toEqual(expected.sort());
    await spool.close();
  });
});
