import { afterEach, describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { AlertBook } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { keepOpenAlerts, loadOpenAlerts } from './open-alerts.file.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { AlertEvent } from './alert.types.ts';

const T0 = 1_800_000_000_000;
const logger = pino({ level: 'silent' });
let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

const config = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] });
const change = (kind: ConditionChange['change'], device: string, at: number, ruleId = 'manhole-open'): ConditionChange => ({
  change: kind, ruleId, kind: 'threshold', severity: 'critical', deviceKey: `c01/manhole/${device}`, compound: 'c01', type: 'manhole', device, at, count: 1, value: true,
});

describe('open alerts file', () => {
  it('keeps the open alerts on disk, so a restarted hub takes them back as they were and does not raise them again', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'open-alerts-'));
    const file = path.join(dir, 'open-alerts.json');
    expect(await loadOpenAlerts(file, logger)).toBeUndefined();
    const rules = await loadRules(undefined);
    let n = 0;
    const first = new AlertBook(config, rules, routingFor(config), () => `a${++n}`);
    const kept = keepOpenAlerts(first, file, logger, 10);
    first.applyCondition(change('raised', 'mh-01', T0));
    first.applyCondition(change('repeated', 'mh-01', T0 + 1000));
    first.accept('a1', 'wang', T0 + 2000);
    first.applyCondition(change('raised', 'mh-02', T0 + 3000));
    first.accept('a2', 'wang', T0 + 4000);
    first.resolve('a2', 'wang', '盖板已复位', T0 + 5000);
    first.applyCondition(change('cleared', 'mh-02', T0 + 5500));
    first.close('a2', 'zhao', T0 + 6000);
    await kept.flush();

    const saved = await loadOpenAlerts(file, logger);
    expect(saved?.map((a) => a.id)).toEqual(['a1']);
    const second = new AlertBook(config, rules, routingFor(config), () => 'b1');
    const events: AlertEvent[] = [];
    second.onEvent((e) => events.push(e));
    second.adopt(saved!);
    expect(second.get('a1')).toEqual(first.get('a1'));
    expect(events).toEqual([]);
    // The condition is raised again after the restart (rule state starts afresh): it repeats the open alert.
    second.applyCondition(change('raised', 'mh-01', T0 + 60_000));
    expect(second.list({ open: true }).map((a) => [a.id, a.count])).toEqual([['a1', 3]]);
    expect(events.map((e) => `${e.alertId} ${e.kind}`)).toEqual(['a1 repeated']);
    // A closed condition of a device not in the file opens a new alert as usual.
    second.applyCondition(change('raised', 'mh-02', T0 + 60_000));
    expect(second.list({ open: true }).map((a) => a.id)).toEqual(['a1', 'b1']);
  });

  it('writes changes together, after a short delay, and the last state at flush', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'open-alerts-'));
    const file = path.join(dir, 'open-alerts.json');
    let n = 0;
    const book = new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
    const kept = keepOpenAlerts(book, file, logger, 60_000);
    for (let i = 1; i <= 5; i += 1) book.applyCondition(change('raised', `mh-0${i}`, T0 + i));
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
    await kept.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).map((a: { id: string }) => a.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('is set aside when broken or unreadable: the hub then rebuilds from the event log', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'open-alerts-'));
    const file = path.join(dir, 'open-alerts.json');
    await writeFile(file, '[{"id": "a1"');
    expect(await loadOpenAlerts(file, logger)).toBeUndefined();
    await writeFile(file, JSON.stringify([{ id: 'a1', workflow: 'sleeping' }]));
    expect(await loadOpenAlerts(file, logger)).toBeUndefined();
    expect(await loadOpenAlerts(dir, logger)).toBeUndefined(); // a folder in the way
  });

  it('reports a failed write once and keeps going', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'open-alerts-'));
    await writeFile(path.join(dir, 'blocker'), 'a file where a folder should be');
    const errors: string[] = [];
    const spy = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line).msg) });
    let n = 0;
    const book = new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
    const kept = keepOpenAlerts(book, path.join(dir, 'blocker', 'open-alerts.json'), spy, 1);
    book.applyCondition(change('raised', 'mh-01', T0));
    await kept.flush();
    book.applyCondition(change('raised', 'mh-02', T0));
    await kept.flush();
    expect(errors).toEqual(['OPEN ALERTS NOT SAVED: a restart while InfluxDB is unreachable would raise them again']);
  });
});
