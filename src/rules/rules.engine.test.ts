import { describe, expect, it } from 'vitest';
import { RulesEngine, type ConditionChange } from './rules.engine.ts';
import { loadRules, parseRules } from './rules.loader.ts';
import type { Reading } from '../contracts/readings.ts';
import type { RegisteredDevice } from '../registry/registry.ts';
import { isHubError } from '../errors.ts';

const T0 = 1_800_000_000_000;
const dev = (type: RegisteredDevice['type'], device = 'd1', reportIntervalSec = 60): RegisteredDevice => ({
  compound: 'c01', type, device, key: `c01/${type}/${device}`, tags: {}, secretSha256: '', reportIntervalSec,
});

/** The default pack; offline detection left out unless a test is about it (long ticks make silent devices offline). */
async function setup(withOffline = false) {
  const engine = new RulesEngine((await loadRules(undefined)).filter((r) => withOffline || r.id !== 'device-offline'), T0);
  const changes: ConditionChange[] = [];
  engine.onChange((c) => changes.push(c));
  const seen = () => changes.map((c) => `${c.change}:${c.ruleId}`);
  return { engine, changes, seen };
}

const telemetry = (d: RegisteredDevice, at: number, fields: Reading extends never ? never : Record<string, number | boolean | string>): Reading => ({
  compound: d.compound, type: d.type, device: d.device, kind: 'telemetry', ts: at, receivedAt: at, tags: {}, fields,
});
const event = (d: RegisteredDevice, at: number, name: string): Reading => ({
  compound: d.compound, type: d.type, device: d.device, kind: 'event', ts: at, receivedAt: at, tags: {}, event: name,
});

describe('rules engine with the default pack', () => {
  it('raises a trapped passenger at once, counts repeats, clears after the quiet period', async () => {
    const { engine, changes, seen } = await setup();
    const e = dev('elevator');
    engine.ingest(event(e, T0, 'trapped'), e);
    engine.ingest(event(e, T0 + 5000, 'trapped'), e);
    engine.tick(T0 + 1_000_000);
    expect(seen()).toEqual(['raised:elevator-trapped', 'repeated:elevator-trapped']);
    expect(changes[0]).toMatchObject({ severity: 'critical', deviceKey: 'c01/elevator/d1', at: T0, value: 'trapped' });
    expect(changes[1]!.count).toBe(2);
    engine.tick(T0 + 5000 + 1_800_000);
    expect(seen().at(-1)).toBe('cleared:elevator-trapped');
  });

  it('keeps to the newest sample when samples arrive out of order: a late older one neither clears nor re-raises', async () => {
    const { engine, seen } = await setup();
    const m = dev('manhole');
    engine.ingest(telemetry(m, T0 + 1000, { waterLevelCm: 100 }), m);
    engine.ingest(telemetry(m, T0 + 3000, { waterLevelCm: 200 }), m);
    engine.ingest(telemetry(m, T0 + 2000, { waterLevelCm: 100 }), m); // sent before the rise, arrives after it
    engine.ingest(telemetry(m, T0 + 4000, { waterLevelCm: 210 }), m);
    expect(seen()).toEqual(['raised:manhole-water-high']);
    engine.ingest(telemetry(m, T0 + 5000, { waterLevelCm: 90 }), m);
    expect(seen()).toEqual(['raised:manhole-water-high', 'cleared:manhole-water-high']);
  });

  it('a late event does not move its rule\'s quiet period back', async () => {
    const { engine, seen } = await setup();
    const e = dev('elevator');
    engine.ingest(event(e, T0, 'trapped'), e);
    engine.ingest(event(e, T0 + 600_000, 'trapped'), e);
    engine.ingest(event(e, T0 + 1000, 'trapped'), e); // a redelivery of an early one, late
    engine.tick(T0 + 1000 + 1_800_000);
    expect(seen()).toEqual(['raised:elevator-trapped', 'repeated:elevator-trapped', 'repeated:elevator-trapped']);
    engine.tick(T0 + 600_000 + 1_800_000);
    expect(seen().at(-1)).toBe('cleared:elevator-trapped');
  });

  it('ignores a manhole tilt shorter than 30 s (a passing car) and alarms on one held longer', async () => {
    const { engine, seen } = await setup();
    const m = dev('manhole');
    engine.ingest(telemetry(m, T0, { tiltDeg: 40 }), m);
    engine.ingest(telemetry(m, T0 + 2000, { tiltDeg: 1 }), m);
    engine.tick(T0 + 60_000);
    expect(seen()).toEqual([]);
    engine.ingest(telemetry(m, T0 + 100_000, { tiltDeg: 28 }), m);
    engine.tick(T0 + 120_000);
    expect(seen()).toEqual([]);
    engine.tick(T0 + 130_000);
    expect(seen()).toEqual(['raised:manhole-tilt']);
    // Hysteresis: 12° is below the alarm level but above the clear level.
    engine.ingest(telemetry(m, T0 + 140_000, { tiltDeg: 12 }), m);
    expect(seen()).toEqual(['raised:manhole-tilt']);
    engine.ingest(telemetry(m, T0 + 150_000, { tiltDeg: 9 }), m);
    expect(seen()).toEqual(['raised:manhole-tilt', 'cleared:manhole-tilt']);
  });

  it('escalates a blocked fire lane at 5 and 15 minutes, and clears both when it is free', async () => {
    const { engine, seen } = await setup();
    const f = dev('fire_lane');
    engine.ingest(telemetry(f, T0, { occupied: true, objectType: 'car' }), f);
    engine.tick(T0 + 299_000);
    expect(seen()).toEqual([]);
    engine.tick(T0 + 300_000);
    expect(seen()).toEqual(['raised:fire-lane-blocked']);
    engine.tick(T0 + 900_000);
    expect(seen()).toEqual(['raised:fire-lane-blocked', 'raised:fire-lane-blocked-long']);
    engine.ingest(telemetry(f, T0 + 1_000_000, { occupied: false }), f);
    expect(seen().slice(2).sort()).toEqual(['cleared:fire-lane-blocked', 'cleared:fire-lane-blocked-long']);
  });

  it('raises repeated faults only at the third within an hour', async () => {
    const { engine, seen } = await setup();
    const e = dev('elevator');
    engine.ingest(event(e, T0, 'fault'), e);
    engine.ingest(event(e, T0 + 3_700_000, 'fault'), e); // the first has left the window
    engine.ingest(event(e, T0 + 3_800_000, 'fault'), e);
    expect(seen()).toEqual([]);
    engine.ingest(event(e, T0 + 3_900_000, 'fault'), e);
    expect(seen()).toEqual(['raised:elevator-repeated-faults']);
  });

  it('lets an elevator in maintenance raise no fault alerts', async () => {
    const { engine, seen } = await setup();
    const e = dev('elevator');
    engine.ingest(telemetry(e, T0, { mode: 'maintenance' }), e);
    engine.ingest(event(e, T0 + 1, 'trapped'), e);
    engine.ingest(event(e, T0 + 2, 'door_open_while_moving'), e);
    expect(seen()).toEqual([]);
    engine.ingest(telemetry(e, T0 + 3, { mode: 'normal' }), e);
    engine.ingest(event(e, T0 + 4, 'trapped'), e);
    expect(seen()).toEqual(['raised:elevator-trapped']);
  });

  it('finds a device offline after 3 report intervals of silence or on its Last Will, and back on its next message', async () => {
    const { engine, seen } = await setup(true);
    const p = dev('parking', 'p1', 10);
    const q = dev('parking', 'p2', 10);
    engine.track([p, q]);
    engine.ingest(telemetry(p, T0 + 1000, { occupied: false, spaceKind: 'resident' }), p);
    engine.tick(T0 + 30_500);
    expect(seen()).toEqual(['raised:device-offline']); // q never reported
    engine.ingest({ ...telemetry(p, T0 + 31_000, {}), kind: 'status', online: false } as Reading, p);
    expect(seen()).toEqual(['raised:device-offline', 'raised:device-offline']);
    engine.ingest(telemetry(p, T0 + 32_000, { occupied: true }), p);
    expect(seen().at(-1)).toBe('cleared:device-offline');
  });

  it('a device added while the hub runs is silent only from then; a retired one is judged no more and its conditions clear', async () => {
    const { engine, seen } = await setup(true);
    const p = dev('parking', 'p1', 10);
    engine.track([p]);
    engine.ingest(telemetry(p, T0 + 1000, { occupied: false }), p);
    // Added at T0 + 100 s: not offline at T0 + 120 s (20 s of silence), offline after 3 intervals.
    const added = dev('parking', 'p9', 10);
    engine.track([added], T0 + 100_000);
    engine.ingest(telemetry(p, T0 + 119_000, { occupied: false }), p);
    engine.tick(T0 + 120_000);
    expect(seen()).toEqual([]);
    engine.tick(T0 + 131_000);
    expect(seen()).toEqual(['raised:device-offline']);
    engine.untrack([added.key], T0 + 132_000);
    expect(seen()).toEqual(['raised:device-offline', 'cleared:device-offline']);
    engine.tick(T0 + 500_000);
    expect(seen().filter((s) => s === 'raised:device-offline')).toHaveLength(2); // p1 only, not the retired one again
  });

  it('does not take a device for offline while its messages are held up before the hub (storage full, broker connection down)', async () => {
    const { engine, seen } = await setup(true);
    const p = dev('parking', 'p1', 10);
    engine.track([p]);
    engine.ingest(telemetry(p, T0 + 1000, { occupied: false }), p);
    // 60 s without a message, but the hub was not taking any from T0 + 10 s to T0 + 60 s.
    for (let t = T0 + 10_000; t <= T0 + 60_000; t += 1000) {
      engine.excuseSilence(t);
      engine.tick(t);
    }
    expect(seen()).toEqual([]);
    // Silence counts again from when the hub took messages again.
    engine.tick(T0 + 89_000);
    expect(seen()).toEqual([]);
    engine.tick(T0 + 91_000);
    expect(seen()).toEqual(['raised:device-offline']);
  });

  it('applies preconditions: only a fire-engine space raises the fire-space rule', async () => {
    const { engine, seen } = await setup();
    const fire = dev('parking', 'f1');
    const resident = dev('parking', 'r1');
    engine.ingest(telemetry(fire, T0, { occupied: true, spaceKind: 'fire' }), fire);
    engine.ingest(telemetry(resident, T0, { occupied: true, spaceKind: 'resident' }), resident);
    engine.tick(T0 + 301_000);
    expect(seen()).toEqual(['raised:parking-fire-space-occupied']);
  });

  it('reloads rules keeping open conditions of rules that stay, clearing those removed', async () => {
    const { engine, seen } = await setup();
    const e = dev('elevator');
    engine.ingest(event(e, T0, 'trapped'), e);
    engine.ingest(event(e, T0, 'ebike_detected'), e);
    const kept = engine.rules.filter((r) => r.id !== 'elevator-ebike');
    engine.reload(kept, T0 + 1);
    expect(seen()).toEqual(['raised:elevator-trapped', 'raised:elevator-ebike', 'cleared:elevator-ebike']);
    engine.ingest(event(e, T0 + 2, 'trapped'), e);
    expect(seen().at(-1)).toBe('repeated:elevator-trapped');
    // Still there but disabled, or narrowed to other compounds: it judges this device no more, so its condition clears.
    const narrowed = engine.rules.map((r) => (r.id === 'elevator-trapped' ? { ...r, match: { ...r.match, compounds: ['c99'] } } : r));
    engine.reload(narrowed, T0 + 3);
    expect(seen().at(-1)).toBe('cleared:elevator-trapped');
  });
});

describe('rules files', () => {
  it('the built-in pack is valid and covers the issue list', async () => {
    const ids = (await loadRules(undefined)).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([
      'elevator-trapped', 'elevator-door-open-moving', 'elevator-overspeed', 'elevator-stopped-outside-door-zone',
      'elevator-top-overrun', 'elevator-bottom-overrun', 'elevator-repeated-faults', 'elevator-ebike', 'manhole-tilt',
      'manhole-displaced', 'manhole-open', 'manhole-water-high', 'manhole-gas-high', 'manhole-battery-low',
      'fire-lane-blocked', 'fire-lane-blocked-long', 'parking-zombie-car', 'parking-fire-space-occupied',
      'parking-charging-space-overstay', 'device-offline',
    ]));
  });

  it('reports mistakes as path: message lines', () => {
    const rule = { id: 'x', name: { zh: 'x', en: 'x' }, severity: 'major', match: { types: ['manhole'] } };
    try {
      parseRules({ rules: [
        { ...rule, condition: { kind: 'threshold', field: 'floor', op: '>', value: 1 } },
        { ...rule, condition: { kind: 'event', event: 'trapped' } },
        { ...rule, id: 'y', severity: 'urgent', condition: { kind: 'absence' } },
      ] }, 'rules.json');
      expect.unreachable();
    } catch (error) {
      expect(isHubError(error, 'RULES_INVALID')).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/^rules\.2\.severity: /m);
    }
    try {
      parseRules({ rules: [
        { ...rule, condition: { kind: 'threshold', field: 'floor', op: '>', value: 1 } },
        { ...rule, condition: { kind: 'event', event: 'trapped' } },
      ] }, 'rules.json');
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^rules\.0\.condition\.field: manhole has no field "floor"/m);
      expect(message).toMatch(/^rules\.1\.id: duplicate rule id "x"/m);
      expect(message).toMatch(/^rules\.1\.condition\.event: manhole has no event "trapped"/m);
    }
  });
});

describe('rules engine across a restart and a stop', () => {
  const status = (d: RegisteredDevice, at: number, online: boolean): Reading => ({
    compound: d.compound, type: d.type, device: d.device, kind: 'status', ts: at, receivedAt: at, tags: {}, online,
  });
  const registryOf = (...devices: RegisteredDevice[]) => ({ getByKey: (key: string) => devices.find((d) => d.key === key) });

  it('judges conditions taken back at start again: each clears as its rule says, counted from this start', async () => {
    const { engine, seen } = await setup(true);
    const lane = dev('fire_lane', 'fl1');
    const lift = dev('elevator', 'e1');
    const cover = dev('manhole', 'm1');
    const orphans = engine.resume(
      [
        { deviceKey: lane.key, ruleId: 'fire-lane-blocked' },
        { deviceKey: lift.key, ruleId: 'elevator-trapped' },
        { deviceKey: cover.key, ruleId: 'device-offline' },
        { deviceKey: cover.key, ruleId: 'a-rule-since-removed' },
        { deviceKey: 'c01/manhole/unregistered', ruleId: 'device-offline' },
      ],
      registryOf(lane, lift, cover),
    );
    expect(orphans.map((o) => `${o.deviceKey} ${o.ruleId}`)).toEqual(['c01/manhole/m1 a-rule-since-removed', 'c01/manhole/unregistered device-offline']);
    // Still blocked: stays active, nothing raised twice.
    engine.ingest(telemetry(lane, T0 + 1000, { occupied: true, objectType: 'car', confidence: 0.9 }), lane);
    expect(seen()).toEqual([]);
    // The lane clears: the condition clears.
    engine.ingest(telemetry(lane, T0 + 2000, { occupied: false }), lane);
    expect(seen()).toEqual(['cleared:fire-lane-blocked']);
    // The cover reports: it is not offline any more.
    engine.ingest(telemetry(cover, T0 + 3000, { tiltDeg: 1 }), cover);
    expect(seen()).toEqual(['cleared:fire-lane-blocked', 'cleared:device-offline']);
    // The trap's quiet period counts from this start, not from before it.
    engine.tick(T0 + 30 * 60_000 - 1);
    expect(seen()).not.toContain('cleared:elevator-trapped');
    engine.tick(T0 + 30 * 60_000);
    expect(seen()).toContain('cleared:elevator-trapped');
  });

  it('raises nothing once halted: devices going offline as the hub stops are not alerted', async () => {
    const { engine, seen } = await setup(true);
    const e = dev('elevator', 'e1', 5);
    engine.track([e]);
    engine.ingest(telemetry(e, T0, { floor: 1 }), e);
    engine.halt();
    engine.ingest(status(e, T0 + 1000, false), e);
    engine.ingest(event(e, T0 + 1000, 'trapped'), e);
    engine.tick(T0 + 3_600_000);
    expect(seen()).toEqual([]);
  });

  it('counts a device that never reports as silent from the hub start, not from before it', async () => {
    const { engine, seen, changes } = await setup(true);
    const e = dev('elevator', 'e1', 5);
    engine.track([e]);
    engine.tick(T0 + 15_000);
    expect(seen()).toEqual([]);
    engine.tick(T0 + 15_001);
    expect(seen()).toEqual(['raised:device-offline']);
    expect(changes[0]).toMatchObject({ kind: 'absence' });
  });
});
