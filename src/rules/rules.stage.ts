/**
 * Wiring of the rules' condition changes (design.md §6) into the rest: active conditions for the
 * API, a silent device marked offline for every view, and alerts (unless a silence keeps a new one
 * from being raised). Conditions that an earlier run left active are taken back first.
 */
import type { Logger } from 'pino';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { DeviceStates } from '../live/device-state.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Silences } from '../alerts/silences.ts';
import type { RulesEngine } from './rules.engine.ts';
import type { ActiveConditions } from './active-conditions.ts';

export interface RulesWiring {
  rules: RulesEngine;
  registry: Registry;
  conditions: ActiveConditions;
  deviceStates: DeviceStates;
  alerts: AlertBook;
  silences: Silences;
  /** A device's live state changed (set once the live server is up). */
  deviceChanged: (device: RegisteredDevice) => void;
  metrics: HubMetrics;
  logger: Logger;
}

export function wireRules(deps: RulesWiring): void {
  const { rules, registry, conditions, deviceStates, alerts, silences, metrics, logger } = deps;
  // Alerts taken back with their condition active are judged again by the rules from the devices'
  // next messages; those no rule can judge any more are cleared now.
  for (const orphan of rules.resume(alerts.activeConditions(), registry)) alerts.clearCondition(orphan, Date.now(), 'no rule judges this condition any more');
  rules.onChange((change) => {
    conditions.apply(change);
    // A silent device is offline for everyone who looks, not only for the rules.
    if (change.kind === 'absence' && change.change === 'raised') {
      const device = registry.getByKey(change.deviceKey);
      if (device && deviceStates.markSilent(device)) deps.deviceChanged(device);
    }
    // A silence (maintenance window) keeps new alerts from being raised; open ones carry on.
    const opens = change.change !== 'cleared' && !alerts.hasOpen(change.deviceKey, change.ruleId);
    if (!(opens && silences.matches(change))) alerts.applyCondition(change);
    metrics.conditions.inc({ rule: change.ruleId, severity: change.severity, change: change.change });
    if (change.change !== 'repeated') logger.info({ stage: 'rules', ...change }, `condition ${change.change}`);
  });
  rules.track(registry.devices());
}
