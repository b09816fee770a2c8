/**
 * Named incident scenarios: each plays one incident on the first compound (`c01`) of a
 * fleet, the way the demo fleet and `buildFleet` name devices, so a demo or a test can
 * trigger it with `--scenario NAME`. Deterministic: the timeline is fixed and the devices'
 * own behaviour follows the run seed. One device each (issue #3), or a whole building,
 * zone or compound at once (issue #14: what the hub groups into one incident).
 */
import { timelineScenario } from './timeline.scenario.ts';
import type { Scenario } from './scenario.types.ts';

const S = 1000;
const MIN = 60 * S;

/** Building b1 of c01 loses its mains power from 10 s until 10 min 10 s. */
const B1 = { compound: 'c01', building: 'b1' } as const;
const POWER_FAILS = 10 * S;
const POWER_BACK = 10 * MIN + 10 * S;
/** An elevator's monitoring unit reports the power loss from its backup cell, which lasts this long. */
const BACKUP_CELL_MS = 10 * S;

export const INCIDENT_SCENARIOS: Record<string, Scenario> = {
  'trapped-passenger': timelineScenario('trapped-passenger', 'c01 elev-01 stops between floors with a passenger inside at 10 s, until rescued at 20 min', [
    { atMs: 10 * S, untilMs: 20 * MIN, match: { compound: 'c01', type: 'elevator', device: 'elev-01' }, fault: 'trapped' },
  ]),
  'manhole-tilted': timelineScenario('manhole-tilted', 'c01 mh-01 is knocked askew by a vehicle at 10 s and stays tilted for 5 min', [
    { atMs: 10 * S, untilMs: 5 * MIN + 10 * S, match: { compound: 'c01', type: 'manhole', device: 'mh-01' }, fault: 'tilt' },
  ]),
  'fire-lane-blocked': timelineScenario('fire-lane-blocked', 'a car blocks c01 fl-01 at 10 s for 20 min, then leaves', [
    { atMs: 10 * S, untilMs: 20 * MIN + 10 * S, match: { compound: 'c01', type: 'fire_lane', device: 'fl-01' }, fault: 'blocked' },
  ]),
  'zombie-car': timelineScenario('zombie-car', 'a car parks in c01 park-01 and never leaves', [
    { atMs: 0, match: { compound: 'c01', type: 'parking', device: 'park-01' }, fault: 'zombie' },
  ]),
  'flapping-sensor': timelineScenario('flapping-sensor', 'c01 fl-02 flips between blocked and clear every 30 s for 5 min', [
    ...Array.from({ length: 5 }, (_, i) => ({
      atMs: i * MIN,
      untilMs: i * MIN + 30 * S,
      match: { compound: 'c01', type: 'fire_lane' as const, device: 'fl-02' },
      fault: 'blocked' as const,
    })),
  ]),
  'maintenance-mode': timelineScenario('maintenance-mode', 'c01 elev-02 goes into maintenance mode at 10 s for 30 min: its faults raise no alerts', [
    { atMs: 10 * S, untilMs: 30 * MIN, match: { compound: 'c01', type: 'elevator', device: 'elev-02' }, fault: 'maintenance' },
  ]),
  'power-cut': timelineScenario(
    'power-cut',
    'c01 building b1 loses power at 10 s: its elevators report power_loss and go offline 10 s later, its fire-lane cameras at once; battery sensors report on; power is back at 10 min 10 s',
    [
      { atMs: POWER_FAILS, untilMs: POWER_BACK, match: { ...B1, type: 'elevator' }, fault: 'power_loss' },
      // What runs on mains goes dark: fire-lane cameras at once, elevators when their backup cell is spent.
      // Manhole and parking sensors run on batteries and report on.
      { atMs: POWER_FAILS, untilMs: POWER_BACK, match: { ...B1, type: 'fire_lane' }, outage: 'power' },
      { atMs: POWER_FAILS + BACKUP_CELL_MS, untilMs: POWER_BACK, match: { ...B1, type: 'elevator' }, outage: 'power' },
    ],
  ),
  rainstorm: timelineScenario('rainstorm', 'heavy rain from 10 s: the water in every manhole of c01 zone north rises past 150 cm within a minute, stays high until 20 min 10 s, then drains', [
    { atMs: 10 * S, untilMs: 20 * MIN + 10 * S, match: { compound: 'c01', type: 'manhole', zone: 'north' }, fault: 'flood' },
  ]),
  'gateway-down': timelineScenario('gateway-down', "c01's gateway fails at 10 s: all its devices go silent (no message, no status) until 15 min 10 s, then report again", [
    { atMs: 10 * S, untilMs: 15 * MIN + 10 * S, match: { compound: 'c01' }, outage: 'uplink' },
  ]),
};
