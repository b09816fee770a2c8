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
  /** The compounds judged here (a cluster instance: those of the partitions it owns; at its start none, see takeOver). Default: all. */
  owns?: (compound: string) => boolean;
}

export interface RulesWired {
  correlator: Correlator;
  /**
   * This instance now judges these compounds (a partition taken over, design.md §10): their
   * devices are known from `at` (silence counts from then), and the conditions their open alerts
   * left active are judged again from the devices' next messages.
   */
  takeOver(compounds: ReadonlySet<string>, at: number): void;
  /** Another instance judges these compounds now: their state here is dropped, nothing cleared. */
  handOver(compounds: ReadonlySet<string>): void;
}

/** Returns the correlator (the hub's ticker calls its tick(), a rules reload its reload()) and the partition hand-over. */
export function wireRules(deps: RulesWiring): RulesWired {
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
  const owns = deps.owns ?? (() => true);
  const resume = (judged: (compound: string) => boolean, at: number) => {
    const own = alerts.activeConditions().filter((c) => judged(c.deviceKey.slice(0, c.deviceKey.indexOf('/'))));
    const resumed = [...own, ...correlator.adopt(at, judged)];
    for (const orphan of rules.resume(resumed, registry)) correlator.orphaned(orphan, at, 'no rule judges this condition any more');
  };
  resume(owns, deps.now ?? Date.now());
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
  rules.track([...registry.devices()].filter((d) => owns(d.compound)));
  return {
    correlator,
    takeOver(compounds, at) {
      rules.track([...registry.devices()].filter((d) => compounds.has(d.compound)), at);
      resume((compound) => compounds.has(compound), at);
    },
    handOver(compounds) {
      rules.forget([...registry.devices()].filter((d) => compounds.has(d.compound)).map((d) => d.key));
      correlator.forget(compounds);
      conditions.forget(compounds);
    },
  };
}
