/** The behaviour of each device type, and their shared types. */
import type { DeviceType } from '../../src/contracts/device-types.ts';
import type { Rng } from '../prng.ts';
import type { Behaviour } from './behaviour.types.ts';
import { elevatorBehaviour } from './elevator.behaviour.ts';
import { manholeBehaviour } from './manhole.behaviour.ts';
import { fireLaneBehaviour } from './fire-lane.behaviour.ts';
import { parkingBehaviour } from './parking.behaviour.ts';

export const BEHAVIOURS: { [T in DeviceType]: (rng: Rng) => Behaviour<T> } = {
  elevator: elevatorBehaviour,
  manhole: manholeBehaviour,
  fire_lane: fireLaneBehaviour,
  parking: parkingBehaviour,
};

/** A behaviour for a device of `type`, drawing from `rng`. */
export function createBehaviour(type: DeviceType, rng: Rng): Behaviour {
  return BEHAVIOURS[type](rng) as Behaviour;
}

export { elevatorBehaviour, manholeBehaviour, fireLaneBehaviour, parkingBehaviour };
export {
  FAULTS,
  assertFault,
  isFaultName,
  type Behaviour,
  type BehaviourEvent,
  type BehaviourFactory,
  type Emission,
  type FaultName,
  type TelemetryFields,
} from './behaviour.types.ts';
