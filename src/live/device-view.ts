/** A registered device with its live state: what the API and the live socket send. */
import type { CompoundSummary, DeviceView } from '../contracts/live-events.ts';
import type { RegisteredDevice, Registry } from '../registry/registry.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import type { DeviceStates } from './device-state.ts';

export function deviceView(d: RegisteredDevice, states: DeviceStates): DeviceView {
  return {
    compound: d.compound,
    type: d.type,
    device: d.device,
    name: d.name,
    building: d.tags.building,
    zone: d.tags.zone,
    buildingName: d.placeNames?.building,
    zoneName: d.placeNames?.zone,
    reportIntervalSec: d.reportIntervalSec,
    position: d.position,
    ...states.get(d),
  };
}

/** Compounds with online devices and open alerts by severity, for the given compound ids (all when omitted). */
export function compoundSummaries(registry: Registry, states: DeviceStates, alerts: AlertBook, only?: ReadonlySet<string>): CompoundSummary[] {
  const zero = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as CompoundSummary['openAlerts'];
  const open = new Map<string, CompoundSummary['openAlerts']>();
  for (const a of alerts.list({ open: true })) {
    if (only && !only.has(a.compound)) continue;
    let counts = open.get(a.compound);
    if (!counts) open.set(a.compound, (counts = zero()));
    counts[a.severity] += 1;
  }
  return registry
    .compounds()
    .filter((c) => !only || only.has(c.id))
    .map((c) => ({ ...c, online: states.onlineIn(c.id), openAlerts: open.get(c.id) ?? zero() }));
}
