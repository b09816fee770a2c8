import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Silences } from './silences.ts';
import { keepSilences, loadSilences } from './silences.file.ts';

const T0 = 1_800_000_000_000;
const logger = pino({ level: 'silent' });
let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('silences file', () => {
  it('keeps every change on disk and restores the silences not yet over', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'silences-'));
    const file = path.join(dir, 'silences.json');
    expect(await loadSilences(file, T0, logger)).toEqual([]);
    const silences = new Silences();
    keepSilences(silences, file, logger);
    const long = silences.add({ compound: 'c01', type: 'elevator', from: T0, until: T0 + 3_600_000, reason: '年检', actor: 'zhao' }).silence;
    const short = silences.add({ deviceKey: 'c01/manhole/mh-01', from: T0, until: T0 + 60_000, reason: '施工', actor: 'zhao' }).silence;
    const removed = silences.add({ compound: 'c02', from: T0, until: T0 + 60_000, reason: 'x', actor: 'zhao' }).silence;
    silences.remove(removed.id);
    await expect.poll(async () => JSON.parse(await readFile(file, 'utf8')).length).toBe(2);
    expect((await loadSilences(file, T0 + 1000, logger)).map((s) => s.id)).toEqual([long.id, short.id]);
    const later = await loadSilences(file, T0 + 120_000, logger);
    expect(later.map((s) => s.id)).toEqual([long.id]);
    expect(new Silences(later).matches({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at: T0 + 120_000, count: 1 })?.id).toBe(long.id);
  });

  it('starts with no silences when the file is broken', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'silences-'));
    const file = path.join(dir, 'silences.json');
    await writeFile(file, '{"not": "a list"');
    expect(await loadSilences(file, T0, logger)).toEqual([]);
    await writeFile(file, JSON.stringify([{ id: 'x', from: 'yesterday' }]));
    expect(await loadSilences(file, T0, logger)).toEqual([]);
  });

  it('starts with no silences, and says so, when the data dir cannot be read (a file where a folder should be)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'silences-'));
    await writeFile(path.join(dir, 'blocker'), 'not a folder');
    const errors: string[] = [];
    const spy = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line).msg) });
    expect(await loadSilences(path.join(dir, 'blocker', 'silences.json'), T0, spy)).toEqual([]);
    expect(errors).toEqual(['SILENCES NOT RESTORED: the silences file cannot be read']);
  });
});
