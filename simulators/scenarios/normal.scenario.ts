/** `normal`: devices go about their day; nothing is forced. */
import type { Scenario } from './scenario.types.ts';

export const normalScenario: Scenario = {
  name: 'normal',
  description: 'devices go about their day; no forced faults',
  start: () => ({ beforeStep: () => undefined }),
};
