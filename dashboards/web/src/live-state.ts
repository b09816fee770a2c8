/** What a view shows, kept current from the snapshot and merged batches of the live socket. */
import type { Alert, CompoundSummary, DeviceView, LiveBatch, LivePage, LiveSnapshot } from '../../../src/contracts/live-events.ts';

const SEVERITY_RANK: Record<Alert['severity'], number> = { critical: 0, major: 1, minor: 2, info: 3 };

/** Whether the device is one of the incident's members now (one that left does not count). */
const isActiveMember = (a: Alert, key: string) => a.incident?.members.some((m) => m.deviceKey === key && m.leftAt === undefined) === true;

export const deviceKey = (d: Pick<DeviceView, 'compound' | 'type' | 'device'>) => `${d.compound}/${d.type}/${d.device}`;

export class LiveState {
  devices = new Map<string, DeviceView>();
  alerts = new Map<string, Alert>();
  compounds = new Map<string, CompoundSummary>();
  /** Where the devices are in the subscription's window, when it asked for one (a paged list). */
  page: LivePage | undefined;
  /** Alert ids that arrived in the last batch and were not known before. */
  fresh = new Set<string>();
  readonly #keep: (alert: Alert) => boolean;

  /** `keep` decides which alerts stay listed (default: not closed). */
  constructor(keep: (alert: Alert) => boolean = (a) => a.workflow !== 'closed') {
    this.#keep = keep;
  }

  replace(snapshot: LiveSnapshot): void {
    this.devices = new Map(snapshot.devices.map((d) => [deviceKey(d), d]));
    this.alerts = new Map(snapshot.alerts.filter(this.#keep).map((a) => [a.id, a]));
    this.compounds = new Map(snapshot.compounds.map((c) => [c.id, c]));
    this.page = snapshot.page;
    this.fresh.clear();
  }

  merge(batch: LiveBatch): void {
    this.fresh.clear();
    for (const d of batch.devices) this.devices.set(deviceKey(d), d);
    for (const c of batch.compounds) this.compounds.set(c.id, c);
    for (const a of batch.alerts) {
      if (!this.#keep(a)) this.alerts.delete(a.id);
      else {
        if (!this.alerts.has(a.id)) this.fresh.add(a.id);
        this.alerts.set(a.id, a);
      }
    }
  }

  /**
   * Open alerts of a device, most severe first: its own, and the open incidents it is an active
   * member of (no `leftAt`): an incident's own key names no device, its members are the devices.
   * Each alert once, however many of its conditions the device has in it.
   */
  alertsOf(key: string): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => a.workflow !== 'closed' && (a.deviceKey === key || isActiveMember(a, key)))
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  }
}
