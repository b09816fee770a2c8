/**
 * Issue 14 on a controlled clock: the scenarios `power-cut`, `rainstorm`, `gateway-down` and
 * `trapped-passenger`, played by the offline runner on the demo's compounds (buildFleet with the
 * demo's counts: c01 building b1 has 3 elevators, zone north 3 manholes) through the hub's own
 * wiring (src/testing/controlled-hub.fixture.ts: ingest → rules → wireRules' correlator → the
 * alert book as the alerts stage builds it, ticked every second like hub.ts).
 *
 * It proves, with the exact alerts, members, held conditions and timer steps a person would
 * expect (every expected time is derived from the scenario's timeline, the rules pack, the
 * routing below, or the played messages, never copied from a run):
 * - power-cut: ONE incident for building b1's elevators, formed 5 s later (settleSec) with all three
 *   in its first notification; the building's offline devices and the elevators' own stops raise
 *   nothing (held as inhibited, with why), a trapped passenger is its own alert at once; the incident is reminded every `remindMin`, rings the call tree serially
 *   every `ringMin`, escalates at its accept deadline; it clears once the power is back, its
 *   members leave, and nothing was dispatched per member.
 * - rainstorm: ONE water incident for zone north with its 3 manholes, no manhole alerts; it clears
 *   as the water falls, each manhole leaving as its level drops below the clear threshold.
 * - gateway-down: ONE compound-wide offline incident with all of c01's 29 devices (all 29 in its
 *   first notification), no per-device alerts; it clears when they report again.
 * - arrival (到场): a trapped passenger in a city compound must be on site 30 min after dispatch,
 *   in a county compound 60 min; a check-in with a position stores its distance from the
 *   compound; a missed arrival escalates with the note 'arrival deadline missed'.
 * - figures: closedLoopReport over those events gives MTTA, arrival mean/p90 and the 30 分钟到达率
 *   per compound and street, computed here from the chosen accept and arrival times.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, DEMO_PER_COMPOUND, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { runOffline } from '../simulators/offline.runner.ts';
import { resolveScenario, type Scenario, type ScenarioDevice } from '../simulators/scenarios/index.ts';
import type { RunMessage } from '../simulators/sim.device.ts';
import type { RegistryFile } from '../src/config/registry.schema.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { ARRIVAL_MISSED } from '../src/alerts/alert-book.ts';
import { controlledHub, type ControlledHub } from '../src/testing/controlled-hub.fixture.ts';

const START = Date.UTC(2026, 10, 20, 1, 0, 0); // 09:00 in the compounds' time
const S = 1000;
const MIN = 60 * S;
/** The demo's report interval: one sample per device every 5 s, so silence counts after 3 × 5 s. */
const STEP = 5 * S;

/**
 * The routing: c01's grid with three workers in call order, c02's with two, then the street's
 * emergency desk. Reminders and rings of a major alert are 4 and 6 min apart, so each shows on its
 * own clock; a critical alert has 2 h to be resolved, so its arrival deadline stands alone.
 */
const ALERTS = {
  sla: {
    critical: { acceptMin: 5, resolveMin: 120 },
    major: { acceptMin: 15, resolveMin: 240 },
    minor: { acceptMin: 60, resolveMin: 1440 },
    info: { acceptMin: 240, resolveMin: 4320 },
  },
  remindMin: { critical: 1, major: 4 },
  callTree: { critical: { ringMin: 2, mode: 'serial' }, major: { ringMin: 6, mode: 'serial' } },
  arrival: { cityMin: 30, countyMin: 60 },
  grids: [
    { id: 'g1', compounds: ['c01'], workers: ['wang', 'li', 'zhao'] },
    { id: 'g2', compounds: ['c02'], workers: ['zhang', 'chen'] },
  ],
  groups: [{ id: 'street-desk', name: '街道应急值守', members: ['sun'] }],
  escalation: ['street-desk'],
};

/** Where the compounds are: c01 in Xihu district, Hangzhou (a city), c02 in Chun'an county. */
const C01_SITE = { lat: 30.2905, lon: 120.1229 };
const C02_SITE = { lat: 29.6052, lon: 119.0421 };

/** The demo's compounds: 7 elevators, 7 manholes, 3 fire lanes, 12 parking spaces each, over 3 buildings. */
const fleet = (compounds: string[]) => buildFleet({ compounds, perCompound: DEMO_PER_COMPOUND, fleetKey: 'test-fleet', reportIntervalSec: STEP / S, seed: 2026 });

/** The fleet's registry; c01 a city compound in street wenxin, c02 (if any) a county one in its own county and town. */
function registryOf(devices: FleetDevice[]): RegistryFile {
  const file = fleetToRegistry(devices);
  const community = file.districts[0]!.streets[0]!.communities[0]!;
  const [c01, c02] = community.compounds;
  community.compounds = [{ ...c01!, area: 'city', location: C01_SITE }];
  if (c02) {
    const compounds = [{ ...c02, area: 'county' as const, location: C02_SITE }];
    file.districts.push({ id: 'chunan', name: '淳安县', streets: [{ id: 'qiandaohu', name: '千岛湖镇', communities: [{ id: 'yangguang', name: '阳光社区', compounds }] }] });
  }
  return file;
}

/** The first tick of the hub's 1 s ticker at or after `at` (timers are judged on ticks). */
const tick = (at: number) => START + Math.ceil((at - START) / S) * S;
/**
 * The first tick after a message at `at`: a group that reaches `min` on a message forms there
 * (the fixture, like the hub, runs the ticks up to a message's time before handling it, so a
 * message on a tick's very millisecond comes after that tick).
 */
const tickAfter = (at: number) => START + (Math.floor((at - START) / S) + 1) * S;
const secs = (at: number) => `+${(at - START) / S}s`;

/** An alert's steps as `+time kind > assignee note`; `kinds` keeps only those. */
function story(alert: Alert, kinds?: readonly string[]): string[] {
  return alert.history
    .filter((e) => !kinds || kinds.includes(e.kind))
    .map((e) => [secs(e.at), e.kind, e.assignee && `> ${e.assignee}`, e.note].filter(Boolean).join(' '));
}

const MEMBERSHIP = ['raised', 'member_joined', 'member_left', 'condition_cleared', 'released'] as const;
/** `rule device workflow/condition` of every alert. */
const summary = (hub: ControlledHub) => hub.alerts.list().map((a) => `${a.ruleId} ${a.device} ${a.workflow}/${a.condition}`);
/** How many times each alert was dispatched, by its device (an incident's is `{group}@{place}`). */
const dispatches = (hub: ControlledHub) => Object.fromEntries(hub.alerts.list().map((a) => [a.device, a.history.filter((e) => e.kind === 'dispatched').length]));
/** The active conditions with what holds them back, as GET /api/conditions shows them. */
const held = (hub: ControlledHub) =>
  hub.conditions
    .list()
    .map((c) => ({ rule: c.ruleId, device: c.device, held: c.held }))
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.device.localeCompare(b.device));

interface Played {
  hub: ControlledHub;
  messages: RunMessage[];
  /** The name of each incident alert when it was raised and dispatched (what the first notification said), as `kind zh`, by alert id. */
  announced: Map<string, string[]>;
}

/** Plays `scenario` on `devices` for `durationMs` through a fresh hub started at START; `act` runs after every tick. */
async function play(devices: FleetDevice[], scenario: string | Scenario, durationMs: number, seed: number, act?: (hub: ControlledHub, now: number) => void): Promise<Played> {
  const hub = await controlledHub({ registry: registryOf(devices), alerts: ALERTS, start: START });
  const messages = [...runOffline({ devices, seed, scenario, startMs: START, stepMs: STEP, durationMs })];
  const announced = new Map<string, string[]>();
  hub.alerts.onEvent((e, a) => {
    if (a.incident && (e.kind === 'raised' || e.kind === 'dispatched')) announced.set(a.id, [...(announced.get(a.id) ?? []), `${e.kind} ${a.name.zh}`]);
  });
  hub.play(messages, act && ((now) => act(hub, now)));
  expect(hub.deadLetters.total).toBe(0); // the simulators speak the contract
  return { hub, messages, announced };
}

/** Telemetry samples of one device, in time order. */
const samples = (messages: RunMessage[], key: string) =>
  messages.filter((m) => m.channel === 'telemetry' && `${m.ref.compound}/${m.ref.type}/${m.ref.device}` === key).map((m) => m.payload as Record<string, unknown> & { ts: number });

describe('power-cut: building b1 of c01 loses power from 10 s to 10 min 10 s', () => {
  // With seed 26, elev-01 is caught between floors with a passenger when the power goes (it
  // reports stopped_outside_door_zone and trapped too), elev-04 between floors empty.
  let hub: ControlledHub;
  let announced: Played['announced'];
  let incident: Alert;
  let heldAt5Min: ReturnType<typeof held>;
  /** The elevators' last gasp: their monitoring units report power_loss at the step's first instant, a millisecond after their sample at 10 s. */
  const LOSS = START + 10 * S + 1;
  /** The group reaches `min` 2 on the second power_loss; it settles 5 s (settleSec) and forms at the next tick, 16 s, with all three. */
  const FORMED = tickAfter(LOSS + 5 * S);

  beforeAll(async () => {
    ({ hub, announced } = await play(fleet(['c01']), 'power-cut', 16 * MIN, 26, (h, now) => {
      if (now === START + 5 * MIN) heldAt5Min = held(h);
    }));
    incident = hub.alerts.list().find((a) => a.incident)!;
  });

  it('raises ONE incident for the building: its three elevators, by device, peak 3', () => {
    expect(incident).toMatchObject({
      ruleId: 'power-cut-building',
      name: { zh: '1号楼 3 台电梯停电 · 疑似停电', en: '1号楼: 3 elevators lost power · likely power cut' },
      severity: 'major', // the power-loss rule's
      compound: 'c01',
      type: 'elevator',
      device: 'power-cut-building@b1',
      deviceKey: 'c01/incident/power-cut-building@b1',
      raisedAt: FORMED,
    });
    expect(secs(FORMED)).toBe('+16s');
    // Its first notification already counts the three elevators that lost power at the same moment.
    expect(announced.get(incident.id)).toEqual(['raised 1号楼 3 台电梯停电 · 疑似停电', 'dispatched 1号楼 3 台电梯停电 · 疑似停电']);
    expect(incident.history.some((e) => e.kind === 'member_joined')).toBe(false);
    expect(incident.incident).toMatchObject({ group: 'power-cut-building', scope: 'building', place: 'b1', peak: 3 });
    expect(incident.incident!.members.map(({ device, ruleId, since, name }) => ({ device, ruleId, since, name }))).toEqual([
      { device: 'elev-01', ruleId: 'elevator-power-loss', since: LOSS, name: '1号楼 1号电梯' },
      { device: 'elev-04', ruleId: 'elevator-power-loss', since: LOSS, name: '1号楼 2号电梯' },
      { device: 'elev-07', ruleId: 'elevator-power-loss', since: LOSS, name: '1号楼 3号电梯' },
    ]);
  });

  it("holds the building's offline devices and the elevators' stops as inhibited, saying by what", () => {
    const cut = { reason: 'inhibited', inhibit: 'power-cut-offline', source: { id: 'power-cut-building', incident: incident.id } };
    const lossOf = (device: string) => ({ reason: 'inhibited', inhibit: 'power-loss-elevator', source: { id: 'elevator-power-loss', deviceKey: `c01/elevator/${device}` } });
    const grouped = { reason: 'grouped', incident: incident.id };
    // The fire-lane camera goes dark with the mains at 10 s, the elevators when their backup cell
    // is spent at 20 s (their Last Will says offline); the battery sensors of b1 report on.
    expect(heldAt5Min).toEqual([
      { rule: 'device-offline', device: 'elev-01', held: cut },
      { rule: 'device-offline', device: 'elev-04', held: cut },
      { rule: 'device-offline', device: 'elev-07', held: cut },
      { rule: 'device-offline', device: 'fl-01', held: cut },
      { rule: 'elevator-power-loss', device: 'elev-01', held: grouped },
      { rule: 'elevator-power-loss', device: 'elev-04', held: grouped },
      { rule: 'elevator-power-loss', device: 'elev-07', held: grouped },
      { rule: 'elevator-stopped-outside-door-zone', device: 'elev-01', held: lossOf('elev-01') },
      { rule: 'elevator-stopped-outside-door-zone', device: 'elev-04', held: lossOf('elev-04') },
      // A rescue is never held: its own alert.
      { rule: 'elevator-trapped', device: 'elev-01', held: undefined },
    ]);
  });

  it('raises the trapped passenger of elev-01 as its own critical alert at once, and nothing else', () => {
    expect(summary(hub).sort()).toEqual(['elevator-trapped elev-01 dispatched/active', 'power-cut-building power-cut-building@b1 dispatched/cleared']);
    const trapped = hub.alerts.list().find((a) => a.ruleId === 'elevator-trapped')!;
    // power_loss, stopped_outside_door_zone, trapped: one millisecond apart in the last gasp.
    expect(trapped).toMatchObject({ severity: 'critical', raisedAt: LOSS + 2, arrival: { dueAt: LOSS + 2 + 30 * MIN } });
    // Not held while the power cut's group settles: raised before the incident forms.
    expect(trapped.raisedAt).toBeLessThan(incident.raisedAt);
    expect(story(trapped).slice(0, 2)).toEqual([`${secs(LOSS + 2)} raised`, `${secs(LOSS + 2)} dispatched > wang`]);
  });

  it('reminds the incident every 4 min, rings the call order every 6 min, escalates at its 15 min accept deadline', () => {
    // Timers count from the raise and dispatch at the tick of 16 s (the incident forms there) and
    // are judged on the 1 s ticks: a reminder 4 min after the dispatch or the last reminder (tick
    // 256 s, then 496, 736 s), a ring 6 min after the dispatch or the last ring (tick 376 s: li,
    // then 736 s: zhao; serially, the chain wang, li, zhao, sun), and the accept deadline 15 min
    // after the raise (tick 916 s), which hands it to the next of the chain, li (the next
    // reminder, 976 s, and ring, 1096 s, would come later).
    expect(story(incident, ['dispatched', 'reminded', 'called', 'escalated'])).toEqual([
      '+16s dispatched > wang',
      '+256s reminded > wang',
      '+376s called > li',
      '+496s reminded > wang',
      '+736s reminded > wang',
      '+736s called > zhao',
      '+916s escalated > li accept deadline missed',
    ]);
    expect([tick(FORMED + 4 * MIN), tick(FORMED + 6 * MIN), tick(FORMED + 15 * MIN)].map(secs)).toEqual(['+256s', '+376s', '+916s']);
    expect(incident).toMatchObject({ workflow: 'dispatched', assignee: 'li', escalationLevel: 1, called: ['li', 'zhao'] });
  });

  it('clears once the power is back: members leave, nothing is released into its own alert, nothing is left held', () => {
    // The devices say `online` at 610 s (their offline conditions end, still inhibited); the
    // power-loss conditions end 10 quiet minutes after the last gasp (tick 611 s), in fleet order:
    // two leave, the third is below `min` 2 and released, and ends in the same tick. All three
    // were in it from its raise: none joined.
    expect(story(incident, MEMBERSHIP)).toEqual([
      '+16s raised',
      '+611s member_left c01/elevator/elev-01',
      '+611s member_left c01/elevator/elev-04',
      '+611s condition_cleared',
      '+611s released c01/elevator/elev-07',
    ]);
    expect(incident.incident!.members.map((m) => m.leftAt)).toEqual([tick(LOSS + 10 * MIN), tick(LOSS + 10 * MIN), tick(LOSS + 10 * MIN)]);
    // What is still happening: the trapped passenger (its condition lasts 30 min), nothing held.
    expect(held(hub)).toEqual([{ rule: 'elevator-trapped', device: 'elev-01', held: undefined }]);
    // Still open: the incident (nobody accepted it) and the rescue.
    expect(hub.alerts.list({ open: true }).map((a) => `${a.device} ${a.condition}`).sort()).toEqual(['elev-01 active', 'power-cut-building@b1 cleared']);
  });

  it('dispatches the incident once and no member on its own', () => {
    expect(dispatches(hub)).toEqual({ 'power-cut-building@b1': 1, 'elev-01': 1 });
    expect(hub.alerts.events().filter((e) => e.kind === 'dispatched')).toHaveLength(2);
  });
});

describe('rainstorm: the water in every manhole of c01 zone north rises past 150 cm from 10 s, drains after 20 min 10 s', () => {
  const NORTH = ['c01/manhole/mh-01', 'c01/manhole/mh-04', 'c01/manhole/mh-07'];
  let played: Played;
  /** From the played samples: when each north manhole's level is first > 150 cm (raised) and then first < 120 cm (cleared). */
  let water: Array<{ key: string; rise: number; fall: number }>;

  beforeAll(async () => {
    played = await play(fleet(['c01']), 'rainstorm', 25 * MIN, 7);
    water = NORTH.map((key) => {
      const levels = samples(played.messages, key);
      const rise = levels.find((s) => (s.waterLevelCm as number) > 150)!.ts;
      const fall = levels.find((s) => s.ts > rise && (s.waterLevelCm as number) < 120)!.ts;
      return { key, rise, fall };
    });
  });

  it('the scenario floods zone north only, within a minute, until it drains', () => {
    for (const { rise, fall } of water) {
      expect(rise).toBeGreaterThan(START + 10 * S);
      expect(rise).toBeLessThanOrEqual(START + 70 * S);
      expect(fall).toBeGreaterThan(START + 20 * MIN + 10 * S);
    }
    const others = played.hub.registry.devicesOf('c01').filter((d) => d.type === 'manhole' && !NORTH.includes(d.key));
    expect(others).toHaveLength(4);
    for (const d of others) expect(samples(played.messages, d.key).every((s) => (s.waterLevelCm as number) <= 150)).toBe(true);
  });

  it('raises ONE water incident for zone north with its 3 manholes, and no manhole alert', () => {
    const { hub } = played;
    expect(summary(hub)).toEqual(['water-zone water-zone@north dispatched/cleared']);
    expect(dispatches(hub)).toEqual({ 'water-zone@north': 1 });
    const [incident] = hub.alerts.list();
    const byRise = [...water].sort((a, b) => a.rise - b.rise);
    expect(incident).toMatchObject({
      name: { zh: '北区 3 个井盖水位过高 · 疑似暴雨积水', en: '北区: 3 manholes with high water · likely rainstorm' },
      severity: 'major',
      type: 'manhole',
      deviceKey: 'c01/incident/water-zone@north',
      // The first manhole is held (up to 2 min) for its group; the second brings it to `min` 2,
      // and it forms at the next tick.
      raisedAt: tickAfter(byRise[1]!.rise),
    });
    expect(byRise[1]!.rise - byRise[0]!.rise).toBeLessThanOrEqual(2 * MIN);
    // The third rises later (the levels climb at their own pace): it joins the open incident.
    expect(byRise[2]!.rise).toBeGreaterThanOrEqual(tickAfter(byRise[1]!.rise));
    expect(played.announced.get(incident!.id)).toEqual(['raised 北区 2 个井盖水位过高 · 疑似暴雨积水', 'dispatched 北区 2 个井盖水位过高 · 疑似暴雨积水']);
    expect(incident!.incident).toMatchObject({ group: 'water-zone', scope: 'zone', place: 'north', peak: 3 });
    expect(incident!.incident!.members.map(({ deviceKey, ruleId, since }) => ({ deviceKey, ruleId, since })).sort((a, b) => a.deviceKey.localeCompare(b.deviceKey))).toEqual(
      water.map((w) => ({ deviceKey: w.key, ruleId: 'manhole-water-high', since: w.rise })),
    );
  });

  it('clears as the water falls: each manhole leaves below 120 cm, the last one is released and raises nothing', () => {
    const { hub } = played;
    const [incident] = hub.alerts.list();
    const byRise = [...water].sort((a, b) => a.rise - b.rise);
    const byFall = [...water].sort((a, b) => a.fall - b.fall);
    const [first, second, last] = byFall as [(typeof water)[number], (typeof water)[number], (typeof water)[number]];
    expect(story(incident!, MEMBERSHIP)).toEqual([
      `${secs(tickAfter(byRise[1]!.rise))} raised`,
      `${secs(byRise[2]!.rise)} member_joined ${byRise[2]!.key}`,
      `${secs(first.fall)} member_left ${first.key}`,
      // Below `min` 2: the incident clears and lets the last one go, to be judged on its own.
      `${secs(second.fall)} member_left ${second.key}`,
      `${secs(second.fall)} condition_cleared`,
      `${secs(second.fall)} released ${last.key}`,
    ]);
    // Held for its group up to 2 min once released; its water is below 120 cm before that.
    expect(last.fall - second.fall).toBeLessThan(2 * MIN);
    const leftAt = Object.fromEntries(incident!.incident!.members.map((m) => [m.deviceKey, m.leftAt]));
    expect(leftAt).toEqual({ [first.key]: first.fall, [second.key]: second.fall, [last.key]: second.fall });
    expect(held(hub)).toEqual([]);
  });
});

describe("gateway-down: c01's gateway fails at 10 s, all its devices are silent until 15 min 10 s", () => {
  let hub: ControlledHub;
  let announced: Played['announced'];
  /**
   * Their last samples are at 10 s; silent for more than 3 × 5 s at the tick of 26 s. The rules'
   * tick raises the 29 conditions, the correlator's tick right after it (hub.ts ticks rules,
   * correlator, alerts, in that order) forms the incident: in the same second, with all 29.
   */
  const SILENT = START + 26 * S;
  /** The uplink is back at 15 min 10 s; their first samples come at the end of that step. */
  const BACK = START + 15 * MIN + 15 * S;

  beforeAll(async () => {
    ({ hub, announced } = await play(fleet(['c01']), 'gateway-down', 20 * MIN, 7));
  });

  it("raises ONE compound-wide offline incident with all of c01's devices, and no device alert", () => {
    expect(summary(hub)).toEqual(['offline-compound offline-compound@c01 dispatched/cleared']);
    expect(dispatches(hub)).toEqual({ 'offline-compound@c01': 1 });
    const [incident] = hub.alerts.list();
    const all = hub.registry.devicesOf('c01').map((d) => d.key);
    expect(all).toHaveLength(29);
    expect(incident).toMatchObject({
      name: { zh: '翠苑一区 29 台设备离线 · 疑似网关/网络故障', en: '翠苑一区: 29 devices offline · likely gateway or network failure' },
      severity: 'major',
      deviceKey: 'c01/incident/offline-compound@c01',
      raisedAt: SILENT,
    });
    expect(incident!.incident).toMatchObject({ group: 'offline-compound', scope: 'compound', peak: 29 });
    expect(incident!.incident!.place).toBeUndefined();
    expect(incident!.incident!.members.map((m) => `${m.deviceKey} ${m.ruleId} ${m.since}`).sort()).toEqual(all.map((k) => `${k} device-offline ${SILENT}`).sort());
    // 80 % of the 29 (24) are enough; it forms at the tick with every device silent by then, so its
    // first notification counts all 29 and no member joins afterwards.
    expect(announced.get(incident!.id)).toEqual(['raised 翠苑一区 29 台设备离线 · 疑似网关/网络故障', 'dispatched 翠苑一区 29 台设备离线 · 疑似网关/网络故障']);
    expect(story(incident!, ['member_joined'])).toEqual([]);
  });

  it('clears when they report again: 25 leave, the last 4 are released below `min` 5 and raise nothing', () => {
    const [incident] = hub.alerts.list();
    const all = hub.registry.devicesOf('c01').map((d) => d.key);
    expect(story(incident!, ['member_left', 'condition_cleared', 'released'])).toEqual([
      ...all.slice(0, 25).map((k) => `${secs(BACK)} member_left ${k}`),
      `${secs(BACK)} condition_cleared`,
      `${secs(BACK)} released ${all.slice(25).join(' ')}`,
    ]);
    expect(incident!.incident!.members.every((m) => m.leftAt === BACK)).toBe(true);
    expect(held(hub)).toEqual([]);
  });
});

/**
 * A named scenario played on several compounds: its driver sees each listed compound's devices
 * as c01's (the named scenarios play on c01).
 */
function onCompounds(name: string, compounds: readonly string[]): Scenario {
  const named = resolveScenario(name);
  const asC01 = (d: ScenarioDevice): ScenarioDevice => ({
    spec: { ...d.spec, compound: 'c01' },
    key: d.key,
    behaviour: d.behaviour,
    scenarioRng: d.scenarioRng,
    get outage() {
      return d.outage;
    },
    cut: (outage) => d.cut(outage),
    restore: () => d.restore(),
  });
  return {
    name: `${name} in ${compounds.join(', ')}`,
    description: named.description,
    start() {
      const driver = named.start();
      return {
        beforeStep(d, elapsedMs) {
          if (compounds.includes(d.spec.compound)) driver.beforeStep(asC01(d), elapsedMs);
        },
      };
    },
  };
}

describe('trapped-passenger in a city compound (c01) and a county compound (c02): arrival on site and the figures', () => {
  /** The chosen times: wang (c01) accepts at 3 min and checks in at 35 min, 111 m from the compound; zhang (c02) at 4 and 45 min, his browser giving no position. */
  const C01 = { worker: 'wang', acceptAt: START + 3 * MIN, arriveAt: START + 35 * MIN, position: { lat: C01_SITE.lat + 0.001, lon: C01_SITE.lon, accuracyM: 15 } };
  const C02 = { worker: 'zhang', acceptAt: START + 4 * MIN, arriveAt: START + 45 * MIN };
  let played: Played;
  /** From the played messages: when c0x/elev-01 reported each event (the rules raise its alert then). */
  let eventAt: (compound: string, event: string) => number;
  const alertOf = (compound: string, ruleId: string) => played.hub.alerts.list({ compound }).find((a) => a.ruleId === ruleId)!;

  beforeAll(async () => {
    played = await play(fleet(['c01', 'c02']), onCompounds('trapped-passenger', ['c01', 'c02']), 46 * MIN, 7, (hub, now) => {
      for (const a of hub.alerts.list({ open: true })) {
        if (now === C01.acceptAt && a.compound === 'c01') hub.alerts.accept(a.id, C01.worker, now);
        if (now === C02.acceptAt && a.compound === 'c02') hub.alerts.accept(a.id, C02.worker, now);
        if (now === C01.arriveAt && a.compound === 'c01' && a.arrival) hub.alerts.arrive(a.id, C01.worker, now, C01.position);
        if (now === C02.arriveAt && a.compound === 'c02' && a.arrival) hub.alerts.arrive(a.id, C02.worker, now);
      }
    });
    eventAt = (compound, event) => {
      const reported = played.messages.find((m) => m.channel === 'event' && m.ref.compound === compound && m.ref.device === 'elev-01' && m.payload.event === event);
      if (reported?.channel !== 'event') throw new Error(`${compound}/elev-01 reported no ${event}`);
      return reported.payload.ts!;
    };
  });

  it('raises the same three alerts in each compound, two of them rescues, all accepted in time by the grid worker', () => {
    for (const [compound, who] of [['c01', C01], ['c02', C02]] as const) {
      const alerts = played.hub.alerts.list({ compound });
      expect(alerts.map((a) => `${a.ruleId} ${a.device} ${a.raisedAt}`).sort()).toEqual([
        `elevator-alarm-button elev-01 ${eventAt(compound, 'alarm_button')}`,
        `elevator-stopped-outside-door-zone elev-01 ${eventAt(compound, 'stopped_outside_door_zone')}`,
        `elevator-trapped elev-01 ${eventAt(compound, 'trapped')}`,
      ]);
      // The passengers press the alarm 20–90 s after being trapped at 10 s: before anyone accepts.
      expect(eventAt(compound, 'alarm_button')).toBeLessThan(who.acceptAt);
      for (const a of alerts) expect(a.history.find((e) => e.kind === 'accepted')).toMatchObject({ at: who.acceptAt, actor: who.worker });
      expect(alerts.filter((a) => a.arrival).map((a) => a.ruleId).sort()).toEqual(['elevator-alarm-button', 'elevator-trapped']);
    }
  });

  it('sets the arrival deadline from dispatch: 30 min in the city compound, 60 min in the county one', () => {
    for (const [compound, minutes] of [['c01', 30], ['c02', 60]] as const) {
      for (const ruleId of ['elevator-trapped', 'elevator-alarm-button']) {
        const alert = alertOf(compound, ruleId);
        const dispatchedAt = alert.history.find((e) => e.kind === 'dispatched')!.at;
        expect(dispatchedAt).toBe(alert.raisedAt);
        expect(alert.arrival!.dueAt).toBe(dispatchedAt + minutes * MIN);
      }
    }
  });

  it('a check-in stores who, when and, with a position, its distance from the compound', () => {
    // 0.001° of latitude north of c01: a meridian arc of 6 371 008.8 m × 0.001 × π/180 = 111.2 m.
    expect(alertOf('c01', 'elevator-trapped').arrival).toEqual({ dueAt: expect.any(Number), at: C01.arriveAt, by: 'wang', position: C01.position, distanceM: 111 });
    expect(alertOf('c02', 'elevator-trapped').arrival).toEqual({ dueAt: expect.any(Number), at: C02.arriveAt, by: 'zhang' });
  });

  it("a missed arrival escalates with the note 'arrival deadline missed'; one in time does not", () => {
    for (const ruleId of ['elevator-trapped', 'elevator-alarm-button']) {
      const alert = alertOf('c01', ruleId);
      // Accepted, so it stays with wang, on his way; the next of the chain (li) is told.
      expect(alert.history.filter((e) => e.kind === 'escalated').map((e) => ({ at: e.at, assignee: e.assignee, note: e.note }))).toEqual([
        { at: tick(alert.raisedAt + 30 * MIN), assignee: 'li', note: ARRIVAL_MISSED },
      ]);
      expect(alert).toMatchObject({ workflow: 'accepted', assignee: 'wang', escalationLevel: 1 });
    }
    for (const a of played.hub.alerts.list({ compound: 'c02' })) expect(a.history.some((e) => e.kind === 'escalated')).toBe(false);
  });

  it('gives MTTA, arrival mean/p90 and the 30 分钟到达率 per compound and street from the chosen times', () => {
    const report = played.hub.figures({ from: START, to: START + 46 * MIN });
    const seconds = (ms: number) => ms / S;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const expected = (compound: string, who: typeof C01 | typeof C02, inTime: number) => {
      const raised = ['trapped', 'stopped_outside_door_zone', 'alarm_button'].map((event) => eventAt(compound, event));
      const rescues = ['trapped', 'alarm_button'].map((event) => seconds(who.arriveAt - eventAt(compound, event)));
      return {
        alerts: 3,
        accepted: 3,
        mtta: mean(raised.map((at) => seconds(who.acceptAt - at))),
        rescues: 2,
        arrived: 2,
        arriveMean: mean(rescues),
        // p90 of two: the longer (the trapped alert, dispatched first).
        arriveP90: Math.max(...rescues),
        arrivedInTime: inTime,
        arrivalRate: inTime / 2,
      };
    };
    const shown = (f: (typeof report)['overall']) => ({
      alerts: f.alerts,
      accepted: f.accepted,
      mtta: f.timeToAccept.mean,
      rescues: f.rescues,
      arrived: f.arrived,
      arriveMean: f.timeToArrive.mean,
      arriveP90: f.timeToArrive.p90,
      arrivedInTime: f.arrivedInTime,
      arrivalRate: f.arrivalRate,
    });
    // c01: on site 35 min after the start, more than 30 min after either dispatch: none in time.
    // c02: 45 min after the start, within 60 min of either dispatch: both in time.
    const c01 = expected('c01', C01, 0);
    const c02 = expected('c02', C02, 2);
    const close = (actual: ReturnType<typeof shown>, wanted: typeof c01) => {
      for (const [k, v] of Object.entries(wanted)) expect(actual[k as keyof typeof actual], k).toBeCloseTo(v, 9);
    };
    close(shown(report.byCompound.c01!), c01);
    close(shown(report.byCompound.c02!), c02);
    close(shown(report.byStreet.wenxin!), c01);
    close(shown(report.byStreet.qiandaohu!), c02);
    expect(Object.keys(report.byStreet).sort()).toEqual(['qiandaohu', 'wenxin']);
    // Overall: 2 of 4 rescues on site in time; p90 of four arrivals is the longest.
    const overall = shown(report.overall);
    expect(overall.arrivalRate).toBe(0.5);
    expect(overall.mtta).toBeCloseTo((c01.mtta + c02.mtta) / 2, 9);
    expect(overall.arriveMean).toBeCloseTo((c01.arriveMean + c02.arriveMean) / 2, 9);
    expect(overall.arriveP90).toBeCloseTo(Math.max(c01.arriveP90, c02.arriveP90), 9);
    expect(report.byWorker.wang!.arrivalRate).toBe(0);
    expect(report.byWorker.zhang!.arrivalRate).toBe(1);
  });
});
