/**
 * The alert event log (`alert_events` in InfluxDB) per condition (device and rule): which
 * alerts were raised for it and how often their condition flipped. No duplicate alert means
 * one alert per condition while it stays open; no flapping means no clear/re-activate pairs.
 */
import { readAlertEvents } from '../../src/alerts/alert-log.ts';
import type { StoreSettings } from '../../src/store/index.ts';

export interface ConditionHistory {
  /** Ids of the alerts raised for this device and rule, oldest first. */
  alerts: string[];
  /** `raised` events (one per alert when nothing is duplicated). */
  raised: number;
  cleared: number;
  reactivated: number;
}

/** Per `compound/type/device rule`, from the events of the last day. */
export async function alertHistory(settings: StoreSettings): Promise<Record<string, ConditionHistory>> {
  const history: Record<string, ConditionHistory> = {};
  for (const event of await readAlertEvents(settings, 1)) {
    const key = `${event.compound}/${event.type}/${event.device} ${event.ruleId}`;
    const entry = (history[key] ??= { alerts: [], raised: 0, cleared: 0, reactivated: 0 });
    if (!entry.alerts.includes(event.alertId)) entry.alerts.push(event.alertId);
    if (event.kind === 'raised') entry.raised += 1;
    if (event.kind === 'condition_cleared') entry.cleared += 1;
    if (event.kind === 'condition_active') entry.reactivated += 1;
  }
  return history;
}
