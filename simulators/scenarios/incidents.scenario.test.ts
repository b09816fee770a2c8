/**
 * The building-, zone- and compound-wide incidents (power-cut, rainstorm, gateway-down) on the
 * demo fleet, in simulated time: which devices say what, when; everyone else is untouched.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../../src/contracts/payloads.ts';
import { demoFleet } from '../fleet.ts';
import { OFFLINE_EPOCH_MS, runOffline } from '../offline.runner.ts';
import type { RunMessage } from '../sim.device.ts';

const T0 = OFFLINE_EPOCH_MS;
const S = 1000;
const MIN = 60 * S;
const STEP = 5 * S;
const fleet = demoFleet('k');
const keyOf = (m: RunMessage) => `${m.ref.compound}/${m.ref.type}/${m.ref.device}`;
const run = (scenario: string, durationMs: number, seed = 1) => [...runOffline({ devices: fleet, seed, scenario, stepMs: STEP, durationMs })];
/** `key ts(s after the start) status` of every status message. */
const statuses = (messages: RunMessage[]) => messages.flatMap((m) => (m.channel === 'status' ? [`${keyOf(m)} ${m.ts - T0} ${m.payload}`] : []));
const of = (messages: RunMessage[], keys: readonly string[]) => messages.filter((m) => keys.includes(keyOf(m)));
const others = (messages: RunMessage[], keys: readonly string[]) => messages.filter((m) => !keys.includes(keyOf(m)));
/** The times (ms after the start) of a device's samples. */
const sampleTimes = (messages: RunMessage[], key: string) => messages.flatMap((m) => (m.channel === 'telemetry' && keyOf(m) === key ? [m.payload.ts! - T0] : []));
const grid = (fromMs: number, toMs: number) => Array.from({ length: (toMs - fromMs) / STEP + 1 }, (_, i) => fromMs + i * STEP);

function expectContract(messages: RunMessage[]) {
  const seqs = new Map<string, number>();
  for (const m of messages) {
    if (m.channel === 'status') continue;
    const schema = m.channel === 'telemetry' ? TELEMETRY_SCHEMAS[m.ref.type] : EVENT_SCHEMAS[m.ref.type];
    expect(schema.safeParse(m.payload).success).toBe(true);
    // Nothing sent is nothing counted: seq goes on without a gap after an outage.
    expect(m.payload.seq).toBe((seqs.get(keyOf(m)) ?? 0) + 1);
    seqs.set(keyOf(m), m.payload.seq!);
  }
}

/** Whole simulated runs (12 to 30 minutes of a fleet) compared with each other: seconds of CPU on a busy machine, not 5. */
const SIMULATION_TIMEOUT = { timeout: 30_000 };

describe('power-cut', () => {
  const ELEVATORS = ['c01/elevator/elev-01', 'c01/elevator/elev-04', 'c01/elevator/elev-07'];
  const MAINS = [...ELEVATORS, 'c01/fire_lane/fl-01'];
  const out = run('power-cut', 12 * MIN);

  it('building b1 of c01 has three elevators and a fire-lane camera on mains power, and battery sensors', () => {
    const b1 = fleet.filter((d) => d.compound === 'c01' && d.building === 'b1').map((d) => d.key);
    expect(b1).toEqual([...ELEVATORS, 'c01/manhole/mh-01', 'c01/manhole/mh-04', 'c01/manhole/mh-07', 'c01/fire_lane/fl-01', 'c01/parking/park-01', 'c01/parking/park-04', 'c01/parking/park-07', 'c01/parking/park-10']);
  });

  it('every elevator of b1 reports power_loss at 10 s; nothing else does', () => {
    const losses = out.flatMap((m) => (m.channel === 'event' && m.payload.event === 'power_loss' ? [`${keyOf(m)} ${m.payload.ts! - T0}`] : []));
    // At 10 s, a millisecond after the sample stamped at that same time.
    expect(losses).toEqual(ELEVATORS.map((k) => `${k} ${10 * S + 1}`));
  });

  it('the fire-lane camera goes offline at 10 s, the elevators at 20 s when their backup cells are spent; all back online at 10 min 10 s', () => {
    expect(statuses(out)).toEqual([
      `c01/fire_lane/fl-01 ${10 * S + 1} offline`,
      ...ELEVATORS.map((k) => `${k} ${20 * S + 1} offline`),
      ...MAINS.map((k) => `${k} ${10 * MIN + 10 * S} online`),
    ]);
  });

  it('while the power is off they are silent; once back they report every step again', () => {
    for (const k of ELEVATORS) expect(sampleTimes(out, k)).toEqual([...grid(5 * S, 20 * S), ...grid(10 * MIN + 15 * S, 12 * MIN)]);
    expect(sampleTimes(out, 'c01/fire_lane/fl-01')).toEqual([...grid(5 * S, 10 * S), ...grid(10 * MIN + 15 * S, 12 * MIN)]);
    for (const k of MAINS) {
      const silent = of(out, [k]).filter((m) => m.channel !== 'status' && m.payload.ts! - T0 > 20 * S + 10 && m.payload.ts! - T0 <= 10 * MIN + 10 * S);
      expect(silent).toEqual([]);
    }
    // Stopped without power; back, the car re-levels and opens its doors.
    const elevator = (at: number) => of(out, ['c01/elevator/elev-01']).find((m) => m.channel === 'telemetry' && m.payload.ts === T0 + at)!.payload;
    expect([elevator(15 * S), elevator(20 * S)]).toMatchObject([{ moving: false, speed: 0 }, { moving: false, speed: 0 }]);
    expect(elevator(10 * MIN + 15 * S)).toMatchObject({ moving: false, doorOpen: true, occupied: false });
    expectContract(out);
  });

  it('battery sensors of b1 (manholes, parking) and every other device report as if nothing happened', SIMULATION_TIMEOUT, () => {
    expect(others(out, MAINS)).toEqual(others(run('normal', 12 * MIN), MAINS));
  });

  it('is the same for the same seed; the devices themselves follow the seed', SIMULATION_TIMEOUT, () => {
    expect(run('power-cut', 12 * MIN)).toEqual(out);
    const other = run('power-cut', 12 * MIN, 2);
    expect(statuses(other)).toEqual(statuses(out));
    expect(other).not.toEqual(out);
  });
});

describe('rainstorm', () => {
  const NORTH = ['c01/manhole/mh-01', 'c01/manhole/mh-04', 'c01/manhole/mh-07'];
  const out = run('rainstorm', 30 * MIN);
  /** [seconds after the start, waterLevelCm] of a manhole's samples. */
  const water = (key: string) => of(out, [key]).flatMap((m) => (m.channel === 'telemetry' ? [[(m.payload.ts! - T0) / S, (m.payload as { waterLevelCm: number }).waterLevelCm] as const] : []));

  it('zone north of c01 holds three manholes, and only they fill up', () => {
    expect(fleet.filter((d) => d.compound === 'c01' && d.type === 'manhole' && d.zone === 'north').map((d) => d.key)).toEqual(NORTH);
    const high = new Set(out.flatMap((m) => (m.channel === 'telemetry' && m.ref.type === 'manhole' && (m.payload as { waterLevelCm: number }).waterLevelCm > 150 ? [keyOf(m)] : [])));
    expect([...high]).toEqual(NORTH);
  });

  it('their water rises past 150 cm within a minute of 10 s, stays above it until the rain stops at 20 min 10 s, then drains below 120 cm within 5 min', () => {
    for (const key of NORTH) {
      const levels = water(key);
      expect(levels.filter(([t]) => t <= 10).every(([, cm]) => cm < 120)).toBe(true);
      expect(levels.filter(([t]) => t >= 70 && t <= 20 * 60 + 10).every(([, cm]) => cm > 150)).toBe(true);
      expect(levels.filter(([t]) => t >= 25 * 60 + 10).every(([, cm]) => cm < 120)).toBe(true);
    }
  });

  it('raises no event and no status; every other device reports as if it were dry', SIMULATION_TIMEOUT, () => {
    expect(of(out, NORTH).filter((m) => m.channel !== 'telemetry')).toEqual([]);
    expect(others(out, NORTH)).toEqual(others(run('normal', 30 * MIN), NORTH));
    expect(run('rainstorm', 30 * MIN)).toEqual(out);
    expectContract(out);
  });
});

describe('gateway-down', () => {
  const C01 = fleet.filter((d) => d.compound === 'c01').map((d) => d.key);
  const out = run('gateway-down', 20 * MIN);

  it("every device of c01 is silent from 10 s until 15 min 10 s, with no status, then reports every step again", () => {
    expect(C01).toHaveLength(29);
    expect(statuses(out)).toEqual([]);
    for (const key of C01) expect(sampleTimes(out, key)).toEqual([...grid(5 * S, 10 * S), ...grid(15 * MIN + 15 * S, 20 * MIN)]);
    expect(of(out, C01).filter((m) => m.channel !== 'status' && m.payload.ts! - T0 > 10 * S && m.payload.ts! - T0 <= 15 * MIN + 10 * S)).toEqual([]);
    expectContract(out);
  });

  it('c02 and c03 report as if nothing happened; the same seed gives the same run', SIMULATION_TIMEOUT, () => {
    expect(others(out, C01)).toEqual(others(run('normal', 20 * MIN), C01));
    expect(run('gateway-down', 20 * MIN)).toEqual(out);
  });
});
