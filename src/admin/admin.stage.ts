/**
 * The hub's side of administration (AdminHooks): after an admin write to the database, the
 * stages that keep lookups in memory take the change at once. A device added can connect at
 * once; a retired device, or one whose secret was rotated, is cut off at once.
 */
import type { Logger } from 'pino';
import type { StateStore } from '../state/state.types.ts';
import type { UsersStore } from '../auth/users.store.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { LiveRegistry, RegisteredDevice } from '../registry/registry.ts';
import type { RulesEngine } from '../rules/rules.engine.ts';
import type { Correlator } from '../incidents/correlator.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Routing } from '../alerts/routing.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { AdminHooks } from './admin.types.ts';

export interface AdminStageDeps {
  state: StateStore;
  users: UsersStore;
  sessions: Sessions;
  registry: LiveRegistry;
  rules: RulesEngine;
  correlator: Pick<Correlator, 'reload'>;
  alerts: AlertBook;
  routing: Routing;
  /** The routing and SLA settings every stage reads: changed in place. */
  alertsConfig: AlertsConfig;
  /** Ends the broker connections of these devices. */
  disconnectDevices(keys: readonly string[]): number;
  /** A device's registry entry changed (name, place, site-plan position): live viewers get it. */
  deviceChanged?: (device: RegisteredDevice) => void;
  metrics: HubMetrics;
  logger: Logger;
  /** The compounds judged here (a cluster instance: its partitions'); default all. */
  owns?: (compound: string) => boolean;
}

export function adminHooks(deps: AdminStageDeps): AdminHooks {
  const log = deps.logger.child({ stage: 'admin' });
  return {
    async userChanged(id) {
      const { before, after } = await deps.users.refresh(id);
      // A disabled login, or a password set by an admin, ends the login's sessions.
      if (before && (!after || after.passwordHash !== before.passwordHash)) deps.sessions.endUser(id);
      deps.routing.refresh();
    },
    async registryChanged(changedKeys) {
      const secrets = new Map(changedKeys.map((key) => [key, deps.registry.getByKey(key)?.secretSha256]));
      const change = deps.registry.replace(await deps.state.places.registry());
      const now = Date.now();
      const owns = deps.owns ?? (() => true);
      deps.rules.track([...change.added, ...change.changed].filter((d) => owns(d.compound)), now);
      deps.rules.untrack(change.removed, now);
      const cut = [...change.removed, ...change.changed.filter((d) => secrets.has(d.key) && secrets.get(d.key) !== d.secretSha256).map((d) => d.key)];
      const disconnected = cut.length ? deps.disconnectDevices(cut) : 0;
      deps.metrics.devicesRegistered.set(deps.registry.size);
      for (const device of change.changed) deps.deviceChanged?.(device);
      log.info({ added: change.added.length, changed: change.changed.length, retired: change.removed.length, disconnected }, 'registry changed');
    },
    routingChanged(config) {
      Object.assign(deps.alertsConfig, config);
      deps.routing.refresh();
      log.info({ grids: config.grids.length, escalation: config.escalation.length }, 'routing changed');
    },
    rulesChanged(data) {
      const now = Date.now();
      deps.rules.reload(data.rules, now);
      deps.alerts.setRules(data.rules);
      deps.correlator.reload(data, now);
      log.info({ rules: data.rules.length, groups: data.groups.length, inhibit: data.inhibit.length }, 'rules changed');
    },
  };
}
