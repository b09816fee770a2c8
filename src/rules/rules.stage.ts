/**
 * Wiring of the rules' condition changes (design.md §6) into the rest: active conditions for the
 * API, a silent device marked offline for every view, and alerts through the correlator (grouping,
 * inhibition, flapping; a silence keeps a new alert from being raised). Conditions that an earlier
 * run left active are taken back first.
 */
import type { Logger } from 'pino';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { DeviceStates } from '../live/device-state.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Silences } from '../alerts/silences.ts';
import { Correlator } from '../incidents/correlator.ts';
import type { RulesEngine } from './rules.engine.ts';
import type { ActiveConditions } from './active-conditions.ts';
import type { RulesData } from './rule.schema.ts';

export interface RulesWiring {
  rules: RulesEngine;
  /** The rules data the engine runs on: its groups, inhibition and flapping go to the correlator. */
  data: RulesData;
  registry: Registry;
  conditions: ActiveConditions;
  deviceStates: DeviceStates;
  alerts: AlertBook;
  silences: Pick<Silences, 'matches'>;
  /** A device's live state changed (set once the live server is up). */
  deviceChanged: (device: RegisteredDevice) => void;
  metrics: HubMetrics;
  logger: Logger;
  /** The clock at start (tests pass their own). */
  now?: number;
}

/** Returns the correlator: the hub's ticker calls its tick(), a rules reload its reload(). */
export function wireRules(deps: RulesWiring): Correlator {
  const { rules, registry, conditions, deviceStates, alerts, silences, metrics, logger } = deps;
  const correlator = new Correlator(deps.data, {
    alerts,
    registry,
    silenced: (change) => silences.matches(change) !== undefined,
    held: (condition, hold) => conditions.hold(condition, hold),
    heldCount: (reason, count) => metrics.conditionsHeld.set({ reason }, count),
  });
  // Alerts taken back with their condition active (and open incidents' members) are judged again
  // by the rules from the devices' next messages; those no rule can judge any more are cleared now.
  const now = deps.now ?? Date.now();
  const resumed = [...alerts.activeConditions(), ...correlator.adopt(now)];
  for (const orphan of rules.resume(resumed, registry)) correlator.orphaned(orphan, now, 'no rule judges this condition any more');
  rules.onChange((change) => {
    conditions.apply(change);
    // A silent device is offline for everyone who looks, not only for the rules.
    if (change.kind === 'absence' && change.change === 'raised') {
      const device = registry.getByKey(change.deviceKey);
      if (device && deviceStates.markSilent(device)) deps.deviceChanged(device);
    }
    correlator.apply(change);
    metrics.conditions.inc({ rule: change.ruleId, severity: change.severity, change: change.change });
    if (change.change !== 'repeated') logger.info({ stage: 'rules', ...change }, `condition ${change.change}`);
  });
  rules.track(registry.devices());
  return correlator;
}
