import { describe, expect, it } from 'vitest';
import { buildFleet } from '../fleet.ts';
import { runOffline } from '../offline.runner.ts';
import type { SimMessage } from '../sim.device.ts';
import { SCENARIOS, randomFaultsScenario, resolveScenario, timelineScenario, type Scenario } from './index.ts';

const fleet = buildFleet({ compounds: ['t1', 't2'], perCompound: { elevator: 3, manhole: 3, fire_lane: 2, parking: 3 }, fleetKey: 'k' });
const events = (messages: Iterable<SimMessage>) =>
  [...messages].filter((m) => m.channel === 'event').map((m) => ({ key: `${m.ref.compound}/${m.ref.type}/${m.ref.device}`, event: (m.payload as { event: string }).event, ts: m.payload.ts! }));

describe('scenarios', () => {
  it('resolves names and refuses unknown ones', () => {
    expect(resolveScenario(undefined).name).toBe('normal');
    expect(resolveScenario('faults')).toBe(SCENARIOS.faults);
    expect(() => resolveScenario('chaos')).toThrow('unknown scenario "chaos" (known: normal, faults, trapped-passenger, manhole-tilted, fire-lane-blocked, zombie-car, flapping-sensor, maintenance-mode)');
    expect(() => resolveScenario('__proto__')).toThrow(/unknown scenario/);
  });

  it('normal raises no fault events', () => {
    const names = new Set(events(runOffline({ devices: fleet, seed: 1, stepMs: 60_000, durationMs: 24 * 3_600_000 })).map((e) => e.event));
    expect([...names].sort()).toEqual(['blocked', 'cleared', 'vehicle_in', 'vehicle_out']);
  });

  it('a timeline forces faults on the matching devices only, at its time, and recovers them', () => {
    const start = Date.UTC(2026, 0, 1);
    const scenario = timelineScenario('drill', 'trapped in t1 building b1, a tilted cover in t2', [
      { atMs: 60_000, untilMs: 300_000, match: { compound: 't1', type: 'elevator', building: 'b1' }, fault: 'trapped' },
      { atMs: 120_000, match: { compound: 't2', device: 'mh-02' }, fault: 'tilt' },
    ]);
    const out = events(runOffline({ devices: fleet, seed: 3, scenario, startMs: start, stepMs: 10_000, durationMs: 600_000 }));
    const trapped = out.filter((e) => e.event === 'trapped');
    expect(trapped.map((e) => e.key)).toEqual(['t1/elevator/elev-01']); // b1 holds elev-01 (and elev-04, not in this fleet)
    // At its time, one millisecond after the sample stamped at that same time (a device never stamps two messages alike).
    expect(trapped[0]!.ts).toBe(start + 60_000 + 1);
    expect(out.filter((e) => e.event === 'impact')).toEqual([{ key: 't2/manhole/mh-02', event: 'impact', ts: start + 120_000 + 1 }]);
    // After untilMs the elevator moves again.
    const elev = [...runOffline({ devices: fleet.filter((d) => d.key === 't1/elevator/elev-01'), seed: 3, scenario, startMs: start, stepMs: 10_000, durationMs: 1_800_000 })]
      .filter((m) => m.channel === 'telemetry')
      .map((m) => m.payload as { ts: number; moving: boolean });
    expect(elev.filter((t) => t.ts > start + 60_000 && t.ts < start + 300_000).every((t) => !t.moving)).toBe(true);
    expect(elev.filter((t) => t.ts > start + 300_000).some((t) => t.moving)).toBe(true);
  });

  it('a timeline refuses a fault no matched type has', () => {
    expect(() => timelineScenario('bad', '', [{ atMs: 0, match: { type: 'parking' }, fault: 'trapped' }])).toThrow(/"trapped" is not a fault of parking/);
    expect(() => timelineScenario('bad', '', [{ atMs: 5, untilMs: 5, match: {}, fault: 'tilt' }])).toThrow(/untilMs must be after atMs/);
  });

  it('random faults reach every device type, reproducibly, and each run has its own state', () => {
    const scenario = randomFaultsScenario({ meanTimeToFaultMs: 30 * 60_000, meanFaultDurationMs: 5 * 60_000 });
    const run = () => events(runOffline({ devices: fleet, seed: 5, scenario, stepMs: 30_000, durationMs: 12 * 3_600_000 }));
    const first = run();
    expect(run()).toEqual(first);
    const typesWithFaultEvents = new Set(
      first.filter((e) => !['blocked', 'cleared', 'vehicle_in', 'vehicle_out'].includes(e.event)).map((e) => e.key.split('/')[1]),
    );
    expect([...typesWithFaultEvents].sort()).toEqual(['elevator', 'manhole']);
    // Fire lanes and parking spaces fault without event names of their own (a lane held blocked, a zombie car):
    // watch the behaviours through a scenario that wraps this one.
    const forced = new Set<string>();
    const watched: Scenario = {
      name: 'watched',
      description: 'random faults, recorded',
      start() {
        const inner = scenario.start();
        return {
          beforeStep(device, elapsedMs) {
            inner.beforeStep(device, elapsedMs);
            const fault = device.behaviour.activeFault();
            if (fault) forced.add(device.spec.type);
          },
        };
      },
    };
    [...runOffline({ devices: fleet, seed: 5, scenario: watched, stepMs: 30_000, durationMs: 12 * 3_600_000 })];
    expect([...forced].sort()).toEqual(['elevator', 'fire_lane', 'manhole', 'parking']);
    const other = events(runOffline({ devices: fleet, seed: 6, scenario, stepMs: 30_000, durationMs: 12 * 3_600_000 }));
    expect(other).not.toEqual(first);
  });
});
