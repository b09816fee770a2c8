/**
 * New critical alerts, said aloud: each view's live socket passes its snapshots and batches
 * here, and an alert of severity critical the page has not seen before (not closed) is
 * announced through the shell's assertive live region (紧急告警：电梯困人 · 1号梯 · 翠苑一区).
 * The first snapshot counts as seen (a reload says nothing again); one raised while the socket
 * was away is announced with the snapshot after the reconnect.
 */
import type { Alert, CompoundSummary, DeviceView } from '../../../src/contracts/live-events.ts';
import { alertName } from './rule-names.ts';
import { alertWhere } from './alert-where.ts';
import { deviceKey } from './live-state.ts';
import { t } from './i18n.ts';

export class CriticalAnnouncer {
  #seen = new Set<string>();
  #started = false;

  constructor(private readonly say: (message: string) => void) {}

  /** After a snapshot or a batch: the alerts it carried, and what the view knows of devices and compounds. */
  heard(alerts: readonly Alert[], devices: ReadonlyMap<string, DeviceView>, compounds: ReadonlyMap<string, CompoundSummary>): void {
    const fresh: Alert[] = [];
    for (const alert of alerts) {
      if (this.#seen.has(alert.id)) continue;
      this.#seen.add(alert.id);
      if (this.#started && alert.severity === 'critical' && alert.workflow !== 'closed') fresh.push(alert);
    }
    this.#started = true;
    if (!fresh.length) return;
    const lines = fresh.map((a) => t('announce.critical', { what: alertName(a), where: alertWhere(a, devices.get(deviceKey(a)), compounds.get(a.compound)?.name) }));
    this.say(lines.join('；'));
  }
}
