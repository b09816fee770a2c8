/**
 * Assembly of the alerts stage (design.md §7): the routing checked against the logins, the
 * alert book with the open alerts of the last run taken back (DATA_DIR/open-alerts.json, or
 * the event log at a first start), kept on disk on every change, and the silences.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Rule } from '../rules/rule.schema.ts';
import type { StoreSettings } from '../store/index.ts';
import type { Me } from '../contracts/access.ts';
import { HubError } from '../errors.ts';
import { AlertBook } from './alert-book.ts';
import { readAlertEvents } from './alert-log.ts';
import { keepOpenAlerts, loadOpenAlerts } from './open-alerts.file.ts';
import { Routing, checkRouting, unroutedCompounds } from './routing.ts';
import { Silences } from './silences.ts';
import { keepSilences, loadSilences } from './silences.file.ts';
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
  dataDir: string;
  /** The event log, when there is an InfluxDB. */
  storage?: StoreSettings | undefined;
  logger: Logger;
}

export interface AlertsStage {
  alerts: AlertBook;
  routing: Routing;
  silences: Silences;
  /** Writes what is pending to disk (on stop). */
  flush(): Promise<void>;
}

export async function createAlertsStage(deps: AlertsStageDeps): Promise<AlertsStage> {
  const { alertsConfig, logger } = deps;
  const problems = checkRouting(alertsConfig, deps.people());
  if (problems.length) throw new HubError('ROUTING_INVALID', `${deps.alertsSource}: routing reaches nobody:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const routing = new Routing(alertsConfig, deps.people);
  const unrouted = unroutedCompounds(routing, deps.compounds, Date.now());
  if (unrouted.length) {
    logger.warn({ compounds: unrouted.slice(0, 20), count: unrouted.length }, 'NO ROUTING: alerts of these compounds reach no grid worker or escalation (set grids in ALERTS_FILE)');
  }

  const alerts = new AlertBook(alertsConfig, deps.rules, routing);
  // Open alerts and their timers come back from DATA_DIR/open-alerts.json (kept on every change, so
  // InfluxDB need not be up at start), or, at a first start, from the event log.
  const openAlertsFile = path.join(deps.dataDir, 'open-alerts.json');
  const saved = await loadOpenAlerts(openAlertsFile, logger);
  if (saved) {
    alerts.adopt(saved);
    logger.info({ open: saved.length }, 'open alerts taken back from the last run');
  } else if (deps.storage) {
    try {
      alerts.restore(await readAlertEvents(deps.storage, ALERT_REBUILD_DAYS));
      logger.info({ open: alerts.list({ open: true }).length }, 'alerts rebuilt from the event log');
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'OPEN ALERTS NOT REBUILT: the alert event log could not be read');
    }
  }
  const kept = keepOpenAlerts(alerts, openAlertsFile, logger);

  // Silences (maintenance windows) are kept on disk across restarts.
  const silencesFile = path.join(deps.dataDir, 'silences.json');
  const silences = new Silences(await loadSilences(silencesFile, Date.now(), logger));
  keepSilences(silences, silencesFile, logger);
  return { alerts, routing, silences, flush: () => kept.flush() };
}
