/**
 * A resident report's receipt is proven by a secret token whose SHA-256 the alert keeps
 * (ResidentReport.tokenHash). The hash is for the public receipt route only: whatever carries an
 * alert elsewhere (the live socket, the MQTT alert topic, webhooks) carries it without.
 */
import type { Alert } from './alert.types.ts';

/** The alert as it may be shown: the same object when it holds no token hash, else a copy without it. */
export function withoutReportSecret(alert: Alert): Alert {
  if (alert.report?.tokenHash === undefined) return alert;
  const { tokenHash: _hidden, ...report } = alert.report;
  return { ...alert, report };
}
