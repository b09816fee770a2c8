import { describe, expect, it } from 'vitest';
import { buildFleet } from '../fleet.ts';
import { runOffline } from '../offline.runner.ts';
import type { RunMessage } from '../sim.device.ts';
import { SCENARIOS, randomFaultsScenario, resolveScenario, timelineScenario, type Scenario } from './index.ts';

const fleet = buildFleet({ compounds: ['t1', 't2'], perCompound: { elevator: 3, manhole: 3, fire_lane: 2, parking: 3 }, fleetKey: 'k' });
const events = (messages: Iterable<RunMessage>) =>
  [...messages].flatMap((m) => (m.channel === 'event' ? [{ key: `${m.ref.compound}/${m.ref.type}/${m.ref.device}`, event: m.payload.event, ts: m.payload.ts! }] : []));

describe('scenarios', () => {
  it('resolves names and refuses unknown ones', () => {
    expect(resolveScenario(undefined).name).toBe('normal');
    expect(resolveScenario('faults')).toBe(SCENARIOS.faults);
    expect(() => resolveScenario('chaos')).toThrow('unknown scenario "chaos" (known: normal, faults, trapped-passenger, manhole-tilted, fire-lane-blocked, zombie-car, flapping-sensor, maintenance-mode, power-cut, rainstorm, gateway-down)');
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
    expect(() => timelineScenario('bad', '', [{ atMs: 5, match: {}, outage: 'flood' as 'power' }])).toThrow(/step 0: "flood" is not an outage \(power or uplink\)/);
  });

  it('a timeline cuts the matching devices off, whatever their type, and restores only the outage it caused', () => {
    const scenario = timelineScenario('blackout', 't1 building b2 loses power, t2 its uplink, which a power cut of mh-02 then replaces', [
      { atMs: 20_000, untilMs: 60_000, match: { compound: 't1', building: 'b2' }, outage: 'power' },
      { atMs: 20_000, untilMs: 80_000, match: { compound: 't2' }, outage: 'uplink' },
      { atMs: 40_000, match: { compound: 't2', device: 'mh-02' }, outage: 'power' },
    ]);
    const seen = new Map<string, string[]>();
    const watched: Scenario = {
      name: 'watched',
      description: 'the blackout, recorded',
      start() {
        const inner = scenario.start();
        return {
          beforeStep(device, elapsedMs) {
            inner.beforeStep(device, elapsedMs);
            const trace = seen.get(device.key) ?? [];
            if (trace.at(-1)?.split(' ')[1] !== String(device.outage)) trace.push(`${elapsedMs} ${String(device.outage)}`);
            seen.set(device.key, trace);
          },
        };
      },
    };
    [...runOffline({ devices: fleet, seed: 3, scenario: watched, stepMs: 10_000, durationMs: 120_000 })];
    const b2 = fleet.filter((d) => d.compound === 't1' && d.building === 'b2').map((d) => d.key);
    expect(b2).toEqual(['t1/elevator/elev-02', 't1/manhole/mh-02', 't1/fire_lane/fl-02', 't1/parking/park-02']);
    for (const key of b2) expect(seen.get(key)).toEqual(['0 undefined', '20000 power', '60000 undefined']);
    for (const key of fleet.filter((d) => d.compound === 't2' && d.device !== 'mh-02').map((d) => d.key)) {
      expect(seen.get(key)).toEqual(['0 undefined', '20000 uplink', '80000 undefined']);
    }
    // The uplink step ends its own outage only: mh-02 stays without power.
    expect(seen.get('t2/manhole/mh-02')).toEqual(['0 undefined', '20000 uplink', '40000 power']);
    expect(seen.get('t1/elevator/elev-01')).toEqual(['0 undefined']);
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
