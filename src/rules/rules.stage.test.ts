/**
 * wireRules end to end on virtual time: simulated devices (offline runner, seeded) → ingest and
 * validation → a real rules engine → the correlator → the alert book, with the built-in pack. A
 * building loses power: its elevators report `power_loss`, then all its devices go silent.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildFleet, fleetToRegistry } from '../../simulators/fleet.ts';
import { runOffline } from '../../simulators/offline.runner.ts';
import { timelineScenario } from '../../simulators/scenarios/index.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { DeviceStates } from '../live/device-state.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import { Silences } from '../alerts/silences.ts';
import { routingFor } from '../testing/routing.fixture.ts';
import { testPipeline } from '../testing/controlled-hub.fixture.ts';
import { RulesEngine } from './rules.engine.ts';
import { ActiveConditions } from './active-conditions.ts';
import { loadRulesData } from './rules.loader.ts';
import { wireRules } from './rules.stage.ts';

const START = Date.UTC(2026, 10, 20, 1, 0, 0);
const STEP = 5000;
const CUT_MS = 60_000;

describe('wireRules: conditions → correlator → alerts', () => {
  it('a power cut in one building: one power-cut incident, its devices going silent raise nothing; when the power-loss conditions end, one offline incident', async () => {
    // Three buildings; b1 holds elev-01 and elev-04, and one manhole, fire lane and parking space.
    const devices = buildFleet({ compounds: 1, perCompound: { elevator: 6, manhole: 3, fire_lane: 3, parking: 3 }, fleetKey: 'k', reportIntervalSec: 10 });
    const registry = buildRegistry(parseRegistry(fleetToRegistry(devices), 'fleet'));
    const inB1 = new Set(devices.filter((d) => d.building === 'b1').map((d) => d.key));
    const data = await loadRulesData(undefined);
    const rules = new RulesEngine(data.rules, START);
    const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }], remindMin: {}, callTree: {} });
    const alerts = new AlertBook(alertsConfig, data.rules, routingFor(alertsConfig));
    const conditions = new ActiveConditions();
    const metrics = createHubMetrics();
    const logger = pino({ level: 'silent' });
    const { correlator } = wireRules({ rules, data, registry, conditions, deviceStates: new DeviceStates(), alerts, silences: new Silences(), deviceChanged: () => {}, metrics, logger, now: START });
    let now = START;
    const { pipeline, deadLetters } = testPipeline(registry, (reading, device) => rules.ingest(reading, device), () => now, metrics);
    const cut = timelineScenario('cut', "b1's elevators lose power at 60 s", [{ atMs: CUT_MS, match: { compound: 'c01', building: 'b1', type: 'elevator' }, fault: 'power_loss' }]);
    const seen: Record<string, { held: string[]; alerts: string[] }> = {};
    /** The loop's ticks, and its clock when it handled each power_loss (the runner yields device by device, so a message may come after a later tick). */
    const ticks: number[] = [];
    const lossHandled: number[] = [];
    const summary = () => alerts.list().filter((a) => a.ruleId !== 'elevator-trapped').map((a) => `${a.ruleId} ${a.device} ${a.condition}`);
    for (const message of runOffline({ devices, seed: 3, scenario: cut, startMs: START, stepMs: STEP, durationMs: 20 * 60_000 })) {
      // A status (the plain word `online` / `offline`) carries no time of its own.
      const ts = typeof message.payload === 'object' ? (message.payload.ts ?? now) : now;
      if (ts > now) {
        now = ts;
        ticks.push(now);
        rules.tick(now);
        correlator.tick(now);
        alerts.tick(now);
        for (const at of [5 * 60_000, 15 * 60_000]) {
          if (now - START === at) seen[at / 60_000] = { held: conditions.list().map((c) => `${c.ruleId} ${c.device} ${c.held?.reason ?? '-'}`).sort(), alerts: summary() };
        }
      }
      // The building's power is gone: after the step in which its elevators said so, its devices are silent.
      if (inB1.has(`c01/${message.topic.split('/').slice(2, 4).join('/')}`) && ts > START + CUT_MS + STEP) continue;
      pipeline.handle(message.topic, Buffer.from(typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload)));
      if (message.channel === 'event' && message.payload.event === 'power_loss') lossHandled.push(now);
    }
    expect(deadLetters.total).toBe(0);

    // 5 min: one incident for both elevators; every silent device of b1 is held by it (inhibited), none raised.
    expect(seen[5]!.alerts).toEqual(['power-cut-building power-cut-building@b1 active']);
    expect(seen[5]!.held.filter((h) => h.startsWith('device-offline'))).toEqual(
      ['elev-01', 'elev-04', 'fl-01', 'mh-01', 'park-01'].map((d) => `device-offline ${d} inhibited`),
    );
    expect(seen[5]!.held).toEqual(expect.arrayContaining(['elevator-power-loss elev-01 grouped', 'elevator-power-loss elev-04 grouped']));
    const cutIncident = alerts.list().find((a) => a.ruleId === 'power-cut-building')!;
    expect(cutIncident.name.zh).toBe('1号楼 2 台电梯停电 · 疑似停电');
    expect(cutIncident.incident!.members.map((m) => m.device).sort()).toEqual(['elev-01', 'elev-04']);
    // It forms at the first tick after the second power_loss was handled (this loop ticks on the
    // messages' times), not on that message, with both elevators from its raise: none joins later.
    expect(lossHandled).toHaveLength(2);
    expect(cutIncident.raisedAt).toBe(ticks.find((t) => t > Math.max(...lossHandled)));
    expect(cutIncident.history.some((e) => e.kind === 'member_joined')).toBe(false);

    // 15 min: the power-loss conditions ended after 10 quiet minutes; b1's devices are still silent: ONE offline incident holds them.
    expect(seen[15]!.alerts).toEqual(['power-cut-building power-cut-building@b1 cleared', 'offline-building offline-building@b1 active']);
    const offline = alerts.list().find((a) => a.ruleId === 'offline-building')!;
    expect(offline.name.zh).toBe('1号楼 5 台设备离线 · 疑似停电');
    expect(offline.incident!.members.map((m) => m.device).sort()).toEqual(['elev-01', 'elev-04', 'fl-01', 'mh-01', 'park-01']);
    expect(seen[15]!.held.filter((h) => h.startsWith('device-offline'))).toEqual(
      ['elev-01', 'elev-04', 'fl-01', 'mh-01', 'park-01'].map((d) => `device-offline ${d} grouped`),
    );
    // A trapped passenger, if the cut caught one, is its own critical alert at once.
    for (const trapped of alerts.list().filter((a) => a.ruleId === 'elevator-trapped')) expect(trapped.raisedAt - START).toBeLessThan(CUT_MS + 2 * STEP);
    expect(summary()).toEqual(['power-cut-building power-cut-building@b1 cleared', 'offline-building offline-building@b1 active']);
  });
});
