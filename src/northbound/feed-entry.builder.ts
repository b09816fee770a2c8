/**
 * Builds northbound feed entries (src/contracts/northbound.ts) from what the hub knows: an alert
 * event with its alert, and a closed-loop report. Every field is copied one by one into a new
 * object, so nothing the contract leaves out (people, notes, photos, positions, contacts, the
 * history) can slip through; the actor becomes only `hub` or `person`.
 */
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
import type { ClosedLoopReport } from '../alerts/closed-loop.figures.ts';
import type { Figures } from '../contracts/api.ts';
import { FEED_VERSION, UNFED_EVENT_KINDS, type AlertEventEntry, type FiguresEntry } from '../contracts/northbound.ts';

/** The compound's places by name, from the registry. */
export interface PlaceNames {
  compound(id: string): { name: string; street?: { id: string; name: string }; district?: { id: string; name: string } } | undefined;
}

/** Whether this event goes into the feed (repeats only change a count). */
export function isFed(event: AlertEvent): boolean {
  return !(UNFED_EVENT_KINDS as readonly string[]).includes(event.kind);
}

/** A stable id: the event's place in the alert's history, or (an event outside it) its kind and time. */
export function entryIdOf(event: AlertEvent, alert: Alert): string {
  const index = alert.history.lastIndexOf(event);
  return index >= 0 ? `${alert.id}.${index}` : `${alert.id}.${event.kind}.${event.at}`;
}

export function alertEventEntry(event: AlertEvent, alert: Alert, ctx: { source: string; places: PlaceNames }): AlertEventEntry {
  const place = ctx.places.compound(alert.compound);
  return {
    v: FEED_VERSION,
    id: entryIdOf(event, alert),
    kind: 'alert_event',
    at: event.at,
    source: ctx.source,
    compound: { id: alert.compound, name: place?.name ?? alert.compound },
    ...(place?.street ? { street: { id: place.street.id, name: place.street.name } } : {}),
    ...(place?.district ? { district: { id: place.district.id, name: place.district.name } } : {}),
    alert: {
      id: alert.id,
      rule: alert.ruleId,
      name: { zh: alert.name.zh, en: alert.name.en },
      severity: alert.severity,
      type: alert.type,
      workflow: alert.workflow,
      condition: alert.condition,
      raisedAt: alert.raisedAt,
    },
    event: {
      kind: event.kind,
      at: event.at,
      by: event.actor === 'hub' ? 'hub' : 'person',
      ...(event.party !== undefined ? { party: event.party } : {}),
      ...(event.score !== undefined ? { score: event.score } : {}),
    },
  };
}

/** A figures snapshot: overall and by compound of a closed-loop report (figures are counts and times, nothing personal). */
export function figuresEntry(report: Pick<ClosedLoopReport, 'from' | 'to' | 'overall' | 'byCompound'>, ctx: { source: string; at: number }): FiguresEntry {
  return {
    v: FEED_VERSION,
    id: `figures.${ctx.at}`,
    kind: 'figures',
    at: ctx.at,
    source: ctx.source,
    from: report.from,
    to: report.to,
    overall: copyFigures(report.overall),
    byCompound: Object.fromEntries(Object.entries(report.byCompound).map(([id, f]) => [id, copyFigures(f)])),
  };
}

const span = (s: Figures['timeToAccept']) => ({ mean: s.mean, p90: s.p90 });
const sat = (s: Figures['satisfaction']['byParty']['manager']) => ({ ratings: s.ratings, mean: s.mean, satisfied: s.satisfied, rate: s.rate });

function copyFigures(f: Figures): Figures {
  return {
    alerts: f.alerts,
    accepted: f.accepted,
    resolved: f.resolved,
    closed: f.closed,
    escalated: f.escalated,
    timeToAccept: span(f.timeToAccept),
    timeToResolve: span(f.timeToResolve),
    slaCounted: f.slaCounted,
    slaMissed: f.slaMissed,
    slaKept: f.slaKept,
    openOverdue: f.openOverdue,
    rescues: f.rescues,
    arrived: f.arrived,
    timeToArrive: span(f.timeToArrive),
    arrivalCounted: f.arrivalCounted,
    arrivedInTime: f.arrivedInTime,
    arrivalRate: f.arrivalRate,
    handedOver: f.handedOver,
    satisfaction: { ...sat(f.satisfaction), byParty: { manager: sat(f.satisfaction.byParty.manager), committee: sat(f.satisfaction.byParty.committee) } },
  };
}
