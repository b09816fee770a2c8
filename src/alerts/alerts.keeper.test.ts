/** Alerts and silences kept in the operational database: written behind each change, back after a reopen. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openState } from '../state/index.ts';
import type { StateStore } from '../state/state.types.ts';
import { routingFor } from '../testing/routing.fixture.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import { AlertBook } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { keepAlerts } from './alerts.keeper.ts';
import { Silences } from './silences.ts';
import { keepSilences } from './silences.keeper.ts';

const T0 = 1_800_000_000_000;
const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(dir?: string): Promise<{ dir: string; state: StateStore }> {
  const d = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'alerts-keeper-')));
  if (!dir) cleanups.push(() => rm(d, { recursive: true, force: true }));
  const state = await openState({ dataDir: d }, silent);
  cleanups.push(() => state.close());
  return { dir: d, state };
}

const trapped = (change: ConditionChange['change'], at: number): ConditionChange => ({
  change, ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at, count: 1, value: 'trapped',
});

async function book() {
  const config = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }] });
  let n = 0;
  return new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
}

describe('alerts kept in the database', () => {
  it('writes each changed alert with its workflow and history, and no longer lists it open once closed', async () => {
    const { dir, state } = await open();
    const alerts = await book();
    const kept = keepAlerts(alerts, state.alerts, silent, 20);
    alerts.applyCondition(trapped('raised', T0));
    alerts.accept('a1', 'wang', T0 + 60_000);
    await kept.flush();
    const [saved] = await state.alerts.listOpen();
    expect(saved).toMatchObject({ id: 'a1', workflow: 'accepted', assignee: 'wang', condition: 'active' });
    expect(saved?.history.map((e) => e.kind)).toEqual(['raised', 'dispatched', 'accepted']);

    // After a reopen (a restart), the same alert comes back.
    const reopened = await open(dir);
    expect((await reopened.state.alerts.listOpen()).map((a) => a.id)).toEqual(['a1']);

    alerts.resolve('a1', 'wang', '已救出', T0 + 120_000);
    alerts.applyCondition(trapped('cleared', T0 + 130_000));
    alerts.close('a1', 'zhao', T0 + 140_000);
    await kept.flush();
    expect(await state.alerts.listOpen()).toEqual([]);
    expect((await state.alerts.get('a1'))?.workflow).toBe('closed');
  });

  it('keeps silences added, extended and ended', async () => {
    const { state } = await open();
    const silences = new Silences();
    const kept = keepSilences(silences, state.silences, silent, () => T0);
    const { silence } = silences.add({ compound: 'c01', from: T0, until: T0 + 3_600_000, reason: '电梯年检', actor: 'zhao' });
    await kept.flush();
    expect(await state.silences.list(T0)).toEqual([silence]);
    silences.add({ compound: 'c01', from: T0, until: T0 + 7_200_000, reason: '电梯年检', actor: 'zhao' });
    await kept.flush();
    expect((await state.silences.list(T0))[0]?.until).toBe(T0 + 7_200_000);
    silences.remove(silence.id);
    await kept.flush();
    expect(await state.silences.list(T0)).toEqual([]);
  });
});
