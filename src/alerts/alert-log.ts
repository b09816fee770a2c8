/**
 * The alert event log in InfluxDB (design.md §5): every alert event is a point of
 * `alert_events` (tags compound, rule, severity, type; fields alertId, state, actor, note,
 * device, deviceKey, assignee, value, for a resolve with a photo `photo`, for an incident
 * `incident`, for a hand-over or evaluation `party`, and for an evaluation `score`). Open alerts are rebuilt from it at a database's first start.
 */
import type { FieldValue } from '../contracts/payloads.ts';
import { escapeMeasurement, escapeTag, quoteString, quoteText, readStoredText } from '../store/line-protocol.ts';
import { influxQuery, type StoreSettings } from '../store/index.ts';
import { z } from 'zod';
import { ALERT_EVENT_KINDS, type Alert, type AlertEvent, type StoredAlertEvent, type StoredIncident } from './alert.types.ts';
import { storedIncidentOf } from './alert-book.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { isDeviceType } from '../contracts/device-types.ts';

const MEASUREMENT = 'alert_events';

/** A float field: always written with a decimal point, so InfluxDB never types the field integer. */
const floatField = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

/**
 * Builds event lines. Two events of one series (same tags) in the same millisecond would
 * overwrite each other in InfluxDB, so a later one is moved on by a millisecond; the
 * exact time stays in the `at` field.
 */
export class AlertEventLines {
  readonly #lastTs = new Map<string, number>();

  /** `cluster`: this instance's name and the compounds' partitions, written with each event. */
  constructor(private readonly cluster?: { instance: string; partitionOf: (compound: string) => number }) {}

  line(event: AlertEvent, alert: Alert): string {
    // A cluster instance's events are a series of their own (tag `instance`): two instances never write one point over another's.
    const series = `${escapeMeasurement(MEASUREMENT)},compound=${escapeTag(alert.compound)},${this.cluster ? `instance=${escapeTag(this.cluster.instance)},` : ''}rule=${escapeTag(alert.ruleId)},severity=${alert.severity},type=${alert.type}`;
    const last = this.#lastTs.get(series) ?? -Infinity;
    const ts = Math.max(event.at, last + 1);
    this.#lastTs.set(series, ts);
    if (this.#lastTs.size > 10_000) this.#lastTs.clear(); // bounded; collisions need equal ms anyway
    let fields = `alertId=${quoteString(event.alertId)},state=${quoteString(event.kind)},actor=${quoteString(event.actor)},device=${quoteString(alert.device)},at=${event.at}i`;
    // Notes are what people typed, line breaks included: stored so that they read back exactly.
    if (event.note !== undefined) fields += `,note=${quoteText(event.note)}`;
    if (event.assignee !== undefined) fields += `,assignee=${quoteString(event.assignee)}`;
    if (event.kind === 'raised' && alert.value !== undefined) fields += `,value=${quoteString(JSON.stringify(alert.value))}`;
    // Which alert it is: its key, and for an incident what makes it one (restore() rebuilds it as an incident).
    fields += `,deviceKey=${quoteString(alert.deviceKey)}`;
    const incident = storedIncidentOf(alert);
    if (incident) fields += `,incident=${quoteString(JSON.stringify(incident))}`;
    // Arrival on site: where the person checked in and how far from the compound (floats, for the figures).
    if (event.position) {
      fields += `,lat=${floatField(event.position.lat)},lon=${floatField(event.position.lon)}`;
      if (event.position.accuracyM !== undefined) fields += `,accuracyM=${floatField(event.position.accuracyM)}`;
    }
    if (event.distanceM !== undefined) fields += `,distanceM=${floatField(event.distanceM)}`;
    // Resolved with a photo: its id (GET /api/alerts/:id/photos/:photo), so a rebuilt alert still shows it.
    if (event.photo !== undefined) fields += `,photo=${quoteString(event.photo)}`;
    // Hand-over and evaluation: the party, and the score (a float, for the satisfaction figures).
    if (event.party !== undefined) fields += `,party=${quoteString(event.party)}`;
    if (event.score !== undefined) fields += `,score=${floatField(event.score)}`;
    // A cluster's alerts carry their partition and the instance that wrote the event (design.md §10).
    if (this.cluster) fields += `,partition=${this.cluster.partitionOf(alert.compound)}i`;
    return `${series} ${fields} ${ts}`;
  }
}

/** Reads back the events of the last `days` days, oldest first. */
export async function readAlertEvents(settings: StoreSettings, days: number): Promise<StoredAlertEvent[]> {
  const [result] = await influxQuery(
    settings,
    `SELECT * FROM ${MEASUREMENT} WHERE time > now() - ${Math.trunc(days)}d AND time <= now() + 1h ORDER BY time ASC`,
  );
  const series = result?.series?.[0];
  if (!series) return [];
  const col = (name: string) => series.columns.indexOf(name);
  const idx = Object.fromEntries(
    ['alertId', 'state', 'actor', 'note', 'assignee', 'device', 'at', 'value', 'compound', 'rule', 'severity', 'type', 'lat', 'lon', 'accuracyM', 'distanceM', 'deviceKey', 'incident', 'photo', 'party', 'score'].map((n) => [n, col(n)]),
  );
  const events: StoredAlertEvent[] = [];
  for (const row of series.values) {
    const get = (name: string) => (idx[name]! >= 0 ? row[idx[name]!] : undefined);
    const kind = get('state');
    const severity = get('severity');
    const type = get('type');
    if (typeof kind !== 'string' || !(ALERT_EVENT_KINDS as readonly string[]).includes(kind)) continue;
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) continue;
    if (typeof type !== 'string' || !isDeviceType(type)) continue;
    const value = get('value');
    const [lat, lon, accuracyM, distanceM] = (['lat', 'lon', 'accuracyM', 'distanceM'] as const).map((n) => get(n));
    const deviceKey = get('deviceKey');
    const incident = storedIncident(get('incident'));
    events.push({
      alertId: String(get('alertId')),
      kind: kind as StoredAlertEvent['kind'],
      at: Number(get('at') ?? row[0]),
      actor: String(get('actor') ?? 'hub'),
      ...(typeof get('note') === 'string' ? { note: readStoredText(get('note') as string) } : {}),
      ...(typeof get('assignee') === 'string' ? { assignee: get('assignee') as string } : {}),
      ruleId: String(get('rule')),
      severity: severity as StoredAlertEvent['severity'],
      compound: String(get('compound')),
      type,
      device: String(get('device')),
      ...(typeof value === 'string' ? { value: JSON.parse(value) as FieldValue } : {}),
      ...(typeof lat === 'number' && typeof lon === 'number' ? { position: { lat, lon, ...(typeof accuracyM === 'number' ? { accuracyM } : {}) } } : {}),
      ...(typeof distanceM === 'number' ? { distanceM } : {}),
      ...(typeof get('photo') === 'string' && get('photo') ? { photo: get('photo') as string } : {}),
      ...(typeof get('party') === 'string' && get('party') ? { party: get('party') as string } : {}),
      ...(typeof get('score') === 'number' ? { score: get('score') as number } : {}),
      ...(typeof deviceKey === 'string' && deviceKey ? { deviceKey } : {}),
      ...(incident ? { incident } : {}),
    });
  }
  return events;
}

const storedIncidentSchema = z.object({
  scope: z.enum(['building', 'zone', 'compound']),
  place: z.string().optional(),
  name: z.object({ zh: z.string(), en: z.string() }),
  peak: z.number(),
});

/** An incident's `incident` field (JSON), or nothing when it is absent or not one. */
function storedIncident(raw: unknown): StoredIncident | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = storedIncidentSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return undefined;
    const { place, ...rest } = parsed.data;
    return { ...rest, ...(place !== undefined ? { place } : {}) };
  } catch {
    return undefined;
  }
}
