/**
 * Assembly of the alerts stage (design.md §7): the routing checked against the logins, the
 * alert book with the alerts of the last run taken back from the operational database (or, at a
 * first start, rebuilt from the event log), every change written back, and the silences.
 */
import type { Logger } from 'pino';
import type { Rule } from '../rules/rule.schema.ts';
import type { StoreSettings } from '../store/index.ts';
import type { Me } from '../contracts/access.ts';
import type { StateStore } from '../state/state.types.ts';
import { HubError } from '../errors.ts';
import { AlertBook, newAlertId } from './alert-book.ts';
import type { CompoundSites } from './arrival.policy.ts';
import { readAlertEvents } from './alert-log.ts';
import { keepAlerts } from './alerts.keeper.ts';
import { Routing, checkRouting, unroutedCompounds } from './routing.ts';
import { Silences } from './silences.ts';
import { keepSilences } from './silences.keeper.ts';
import type { AlertsConfig } from './sla.config.ts';

/** How far back the event log is read to rebuild open alerts. */
const ALERT_REBUILD_DAYS = 90;

export interface AlertsStageDeps {
  alertsConfig: AlertsConfig;
  /** Where the routing came from, for error messages (`ALERTS_FILE x.json`, `demo routing`). */
  alertsSource: string;
  rules: readonly Rule[];
  people: () => readonly Me[];
  compounds: readonly string[];
  /** The compounds' area and location (the live registry's): arrival deadlines and distances. */
  sites: CompoundSites;
  state: StateStore;
  /** The database was made by this start: the alerts of an earlier version come from the event log. */
  firstStart: boolean;
  /** The event log, when there is an InfluxDB. */
  storage?: StoreSettings | undefined;
  /** A cluster instance: its alerts are read and written as versioned rows by the cluster stage (alerts.replica.ts). */
  replicated?: boolean;
  logger: Logger;
}

export interface AlertsStage {
  alerts: AlertBook;
  routing: Routing;
  silences: Silences;
  /** Writes what is pending to the database (on stop). */
  flush(): Promise<void>;
}

export async function createAlertsStage(deps: AlertsStageDeps): Promise<AlertsStage> {
  const { alertsConfig, logger, state } = deps;
  const problems = checkRouting(alertsConfig, deps.people());
  if (problems.length) throw new HubError('ROUTING_INVALID', `${deps.alertsSource}: routing reaches nobody:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const routing = new Routing(alertsConfig, deps.people);
  const unrouted = unroutedCompounds(routing, deps.compounds, Date.now());
  if (unrouted.length) {
    logger.warn({ compounds: unrouted.slice(0, 20), count: unrouted.length }, 'NO ROUTING: alerts of these compounds reach no grid worker or escalation (set grids in ALERTS_FILE)');
  }

  const alerts = new AlertBook(alertsConfig, deps.rules, routing, newAlertId, deps.sites);
  const silences = new Silences(await state.silences.list(Date.now()));
  const keptSilences = keepSilences(silences, state.silences, logger);
  if (deps.replicated) return { alerts, routing, silences, flush: () => keptSilences.flush() };
  // Open alerts and their timers come back from the database (InfluxDB need not be up at start),
  // or, at a first start with nothing imported, from the event log.
  const saved = await state.alerts.listOpen();
  if (saved.length || !deps.firstStart) {
    alerts.adopt(saved);
    if (saved.length) logger.info({ open: saved.length }, 'open alerts taken back from the last run');
  } else if (deps.storage) {
    try {
      alerts.restore(await readAlertEvents(deps.storage, ALERT_REBUILD_DAYS));
      logger.info({ open: alerts.list({ open: true }).length }, 'alerts rebuilt from the event log');
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'OPEN ALERTS NOT REBUILT: the alert event log could not be read');
    }
  }
  const kept = keepAlerts(alerts, state.alerts, logger);
  // Alerts rebuilt from the log are kept from now on.
  const rebuilt = alerts.list({ open: true }).filter((a) => !saved.some((s) => s.id === a.id));
  if (rebuilt.length) await state.alerts.save(rebuilt);

  // Silences (maintenance windows) are kept across restarts (above).
  return { alerts, routing, silences, flush: async () => void (await Promise.all([kept.flush(), keptSilences.flush()])) };
}
