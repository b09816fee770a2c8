/** Behaviour factory per device type. */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import type { Rng } from '../prng.ts';
import type { Behaviour } from './behaviour.types.ts';
import { elevatorBehaviour } from './elevator.behaviour.ts';
import { manholeBehaviour } from './manhole.behaviour.ts';
import { fireLaneBehaviour } from './fire-lane.behaviour.ts';
import { parkingBehaviour } from './parking.behaviour.ts';

export const BEHAVIOURS: Record<DeviceType, (rng: Rng) => Behaviour> = {
  elevator: elevatorBehaviour,
  manhole: manholeBehaviour,
  fire_lane: fireLaneBehaviour,
  parking: parkingBehaviour,
};

export { FAULTS, type Behaviour, type Emission } from './behaviour.types.ts';
