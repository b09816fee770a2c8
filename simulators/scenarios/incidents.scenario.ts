/**
 * Named incident scenarios (issue #3): each plays one incident on the first compound
 * (`c01`) of a fleet, the way the demo fleet and `buildFleet` name devices, so a demo or
 * a test can trigger it with `--scenario NAME`. Deterministic: the timeline is fixed and
 * the devices' own behaviour follows the run seed.
 */
import { timelineScenario } from './timeline.scenario.ts';
import type { Scenario } from './scenario.types.ts';

const S = 1000;
const MIN = 60 * S;

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
};
