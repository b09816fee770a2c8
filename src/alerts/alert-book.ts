/**
 * The alerts stage (design.md §7): one open alert per (device, rule) fed by rule
 * condition changes; a workflow new → dispatched → accepted → resolved → closed moved by
 * people through the API; SLA deadlines per severity that escalate along the grid's
 * workers and then the escalation chain; auto-close once resolved and quiet. Every step
 * is an AlertEvent passed to the listeners (event log, dispatch).
 */
import { randomBytes } from 'node:crypto';
import { HubError } from '../errors.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';
import type { Rule } from '../rules/rule.schema.ts';
import type { FieldValue } from '../contracts/payloads.ts';
import type { Alert, AlertEvent, AlertEventKind, EvaluatingParty, Incident, IncidentMember, ResidentReport, StoredAlertEvent, StoredIncident, WorkflowState } from './alert.types.ts';
import { REPORT_RULE_ID, REPORT_RULE_NAME } from '../contracts/reports.ts';
import type { AlertsConfig } from './sla.config.ts';
import type { Routing } from './routing.ts';
import { ArrivalPolicy, type CompoundSites } from './arrival.policy.ts';
import { notificationsDue } from './call-tree.ts';
import { holds } from '../contracts/alert-holders.ts';

export type AlertListener = (event: AlertEvent, alert: Alert) => void;

const MINUTE = 60_000;
/** The note of the escalation a missed arrival deadline makes (the reducer tells it from the others by it). */
export const ARRIVAL_MISSED = 'arrival deadline missed';

export interface AlertFilter {
  compound?: string;
  /** The alerts this person holds (src/contracts/alert-holders.ts): assigned to them, rung for them, or told to them by an escalation. */
  assignee?: string;
  open?: boolean;
  severity?: Alert['severity'];
}

/** Order of the steps one moment may hold (other kinds keep the log's order among themselves). */
const SAME_MS_ORDER: readonly AlertEventKind[] = ['raised', 'dispatched', 'accepted', 'arrived', 'reminded', 'called', 'escalated'];
const sameMsRank = (kind: AlertEventKind) => {
  const i = SAME_MS_ORDER.indexOf(kind);
  return i < 0 ? SAME_MS_ORDER.length : i;
};

export function newAlertId(at: number): string {
  return `a-${at.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * An incident alert's `device`: `{group}@{place}` (the building or zone tag, or the compound id for
 * a compound-wide one). Its `deviceKey` is `{compound}/incident/{device}`: no device clashes with
 * either, as `incident` is no device type and `@` is in no device id.
 */
export function incidentDevice(compound: string, group: string, place?: string): { device: string; deviceKey: string } {
  const device = `${group}@${place ?? compound}`;
  return { device, deviceKey: `${compound}/incident/${device}` };
}

/** What the event log keeps of an incident alert (its lines carry it, restore() rebuilds the incident from it). */
export function storedIncidentOf(alert: Alert): StoredIncident | undefined {
  const incident = alert.incident;
  if (!incident) return undefined;
  return { scope: incident.scope, ...(incident.place !== undefined ? { place: incident.place } : {}), name: alert.name, peak: incident.peak };
}

/** What the correlator (src/incidents) knows when an incident forms. */
export interface IncidentSpec {
  group: string;
  name: Alert['name'];
  severity: Alert['severity'];
  compound: string;
  /** The type most members have (the event log's tags need one). */
  type: Alert['type'];
  scope: Incident['scope'];
  place?: string;
  members: IncidentMember[];
  at: number;
}

/** What a resident's report (随手拍) says, for AlertBook.report. */
export interface ReportSpec {
  compound: string;
  building: string;
  /** The building's name in the registry. */
  buildingName?: string;
  category: ResidentReport['category'];
  text: string;
  /** SHA-256 (hex) of the receipt's token. */
  tokenHash: string;
  /** Id of the photo the route keeps for it (stored right after, under the alert's id). */
  photo?: string;
  at: number;
}

/** The note of the hub's condition_cleared after a report is resolved (no sensor clears a report). */
export const REPORT_RESOLVED = 'report resolved';
/** The note of the close of a report marked as spam. */
export const REPORT_SPAM = 'spam';

/** Condition toggles: while an alert is flapping they are not notified. */
const TOGGLES = new Set<AlertEventKind>(['condition_cleared', 'condition_active']);
const activeMembers = (incident: Incident) => incident.members.filter((m) => m.leftAt === undefined);
const devicesOf = (members: readonly IncidentMember[]) => new Set(members.map((m) => m.deviceKey)).size;

export class AlertBook {
  readonly #alerts = new Map<string, Alert>();
  /** `deviceKey|ruleId` → id of the open (not closed) alert. */
  readonly #open = new Map<string, string>();
  readonly #listeners: AlertListener[] = [];
  /** Set while events are held back (holdingEvents). */
  #held: Array<[AlertEvent, Alert]> | undefined;
  #names = new Map<string, Rule['name']>();
  /** Which alerts need arrival on site, by when, and how far a check-in is from the compound. */
  readonly #arrival: ArrivalPolicy;

  /** `sites`: the compounds' area and location (the registry's), for arrival deadlines and distances. */
  constructor(
    private readonly config: AlertsConfig,
    rules: readonly Rule[],
    private readonly routing: Routing,
    private readonly newId: (at: number) => string = newAlertId,
    sites: CompoundSites = () => undefined,
  ) {
    this.#arrival = new ArrivalPolicy(config.arrival, rules, sites);
    this.setRules(rules);
  }

  setRules(rules: readonly Rule[]): void {
    this.#names = new Map(rules.map((r) => [r.id, r.name]));
    this.#arrival.setRules(rules);
  }

  onEvent(listener: AlertListener): void {
    this.#listeners.push(listener);
  }

  get(id: string): Alert {
    const alert = this.#alerts.get(id);
    if (!alert) throw new HubError('NOT_FOUND', `alert ${id} does not exist`);
    return alert;
  }

  /** Whether the book holds the alert (closed ones from before the last restart are only in the archive). */
  hasAlert(id: string): boolean {
    return this.#alerts.has(id);
  }

  list(filter: AlertFilter = {}): Alert[] {
    return [...this.#alerts.values()].filter(
      (a) =>
        (!filter.compound || a.compound === filter.compound) &&
        // A person's alerts: those they hold (assigned, rung by the call tree, told by an escalation).
        (!filter.assignee || holds(a, filter.assignee)) &&
        (!filter.severity || a.severity === filter.severity) &&
        (filter.open === undefined || (a.workflow !== 'closed') === filter.open),
    );
  }

  /** The events of the alerts in memory, as the event log stores them (for figures in live-only mode). */
  events(): StoredAlertEvent[] {
    return [...this.#alerts.values()].flatMap((a) => {
      const incident = storedIncidentOf(a);
      return a.history.map((e) => ({
        ...e,
        ruleId: a.ruleId,
        severity: a.severity,
        compound: a.compound,
        type: a.type,
        device: a.device,
        deviceKey: a.deviceKey,
        ...(incident ? { incident } : {}),
      }));
    });
  }

  /** Rule conditions become alerts: raised opens (or updates) one, cleared marks it. */
  applyCondition(change: ConditionChange): void {
    const openId = this.#open.get(`${change.deviceKey}|${change.ruleId}`);
    const alert = openId ? this.#alerts.get(openId) : undefined;
    if (change.change === 'cleared') {
      if (alert && alert.condition === 'active') this.#toggle(alert, 'condition_cleared', change.at);
      return;
    }
    if (alert) {
      if (alert.condition === 'cleared') this.#toggle(alert, 'condition_active', change.at, change.value);
      else this.#step(alert, 'repeated', change.at, 'hub', change.value);
      return;
    }
    this.#raise({
      ruleId: change.ruleId,
      severity: change.severity,
      compound: change.compound,
      type: change.type,
      device: change.device,
      at: change.at,
      ...(change.value !== undefined ? { value: change.value } : {}),
      ...(change.field !== undefined ? { field: change.field } : {}),
    });
  }

  /** Marks the condition of an open alert cleared by the hub itself (its rule is gone), with a note saying why. */
  clearCondition(key: { deviceKey: string; ruleId: string }, at: number, note: string): void {
    const id = this.#open.get(`${key.deviceKey}|${key.ruleId}`);
    const alert = id ? this.#alerts.get(id) : undefined;
    if (alert?.condition === 'active') this.#step(alert, 'condition_cleared', at, 'hub', undefined, { note });
  }

  /** Whether the condition of a device and rule has an alert that is not closed. */
  hasOpen(deviceKey: string, ruleId: string): boolean {
    return this.#open.has(`${deviceKey}|${ruleId}`);
  }

  /**
   * Alerts an earlier run left with their condition active: the rules engine judges them again
   * from the devices' next messages (see RulesEngine.resume).
   */
  activeConditions(): Array<{ deviceKey: string; ruleId: string }> {
    // An incident is no device's condition: the correlator resumes its members' conditions.
    // A resident's report neither: no rule judges it (its condition clears when it is resolved).
    return this.list({ open: true }).filter((a) => a.condition === 'active' && !a.incident && !a.report).map((a) => ({ deviceKey: a.deviceKey, ruleId: a.ruleId }));
  }

  /** The open (not closed) alert of a device and rule, if any. */
  findOpen(deviceKey: string, ruleId: string): Alert | undefined {
    const id = this.#open.get(`${deviceKey}|${ruleId}`);
    return id ? this.#alerts.get(id) : undefined;
  }

  /**
   * Raises an incident alert, dispatched, timed and escalated like any alert; an incident of the
   * same group and place that is still open (its condition cleared) becomes active again instead.
   * The member lists are kept by these incident methods; the reducer keeps what follows from them.
   */
  openIncident(spec: IncidentSpec): Alert {
    const { device, deviceKey } = incidentDevice(spec.compound, spec.group, spec.place);
    const existing = this.findOpen(deviceKey, spec.group);
    if (existing?.incident) {
      const joining = new Set(spec.members.map((m) => `${m.deviceKey}|${m.ruleId}`));
      existing.incident.members = [...existing.incident.members.filter((m) => !joining.has(`${m.deviceKey}|${m.ruleId}`)), ...spec.members];
      existing.name = spec.name;
      return this.#step(existing, 'condition_active', spec.at, 'hub');
    }
    const incident: Incident = { group: spec.group, scope: spec.scope, ...(spec.place !== undefined ? { place: spec.place } : {}), members: spec.members, peak: devicesOf(spec.members) };
    return this.#raise({ ruleId: spec.group, severity: spec.severity, compound: spec.compound, type: spec.type, device, deviceKey, name: spec.name, incident, at: spec.at });
  }

  /** A device's condition joins an open incident (`name`: the incident's name with its new count). */
  joinIncident(id: string, member: IncidentMember, at: number, name?: Alert['name']): Alert {
    const alert = this.get(id);
    const incident = this.#incident(alert);
    incident.members = [...incident.members.filter((m) => m.deviceKey !== member.deviceKey || m.ruleId !== member.ruleId), member];
    if (name) alert.name = name;
    return this.#step(alert, 'member_joined', at, 'hub', undefined, { note: member.deviceKey });
  }

  /** A member's condition cleared: it leaves the incident. */
  leaveIncident(id: string, member: { deviceKey: string; ruleId: string }, at: number): void {
    const alert = this.get(id);
    const left = activeMembers(this.#incident(alert)).find((m) => m.deviceKey === member.deviceKey && m.ruleId === member.ruleId);
    if (!left) return;
    left.leftAt = at;
    this.#step(alert, 'member_left', at, 'hub', undefined, { note: member.deviceKey });
  }

  /**
   * The incident's condition clears (too few members left): every member still active leaves it;
   * `released` (those without an alert of their own, which the correlator judges again) are noted.
   */
  clearIncident(id: string, at: number, released: readonly IncidentMember[], note?: string): void {
    const alert = this.get(id);
    for (const m of activeMembers(this.#incident(alert))) m.leftAt = at;
    if (alert.condition === 'active') this.#step(alert, 'condition_cleared', at, 'hub', undefined, note ? { note } : {});
    if (released.length) this.#step(alert, 'released', at, 'hub', undefined, { note: released.map((m) => m.deviceKey).join(' ') });
  }

  /** The condition of a device and rule toggles too often: its open alert is marked flapping (one notified event). */
  markFlapping(deviceKey: string, ruleId: string, at: number): void {
    const alert = this.findOpen(deviceKey, ruleId);
    if (alert && !alert.flapping) this.#step(alert, 'flapping', at, 'hub');
  }

  /** A flapping condition kept still: its toggles are notified again. */
  markStable(deviceKey: string, ruleId: string, at: number): void {
    const alert = this.findOpen(deviceKey, ruleId);
    if (alert?.flapping) this.#step(alert, 'stable', at, 'hub');
  }

  /**
   * A resident's report (随手拍) becomes an alert of rule `resident-report`, severity minor, of the
   * reported category's type, on a device of its own that no registry holds (`report-{id}`, key
   * `{compound}/report/{id}`: `report` is no device type, so no device's key clashes), dispatched by
   * the compound's routing like any alert. Its condition is active (the problem is there) until it
   * is resolved: then the hub clears it (no sensor will), so the manager can close it, or the
   * auto-close does. The report's id is the alert's.
   */
  report(spec: ReportSpec): Alert {
    const id = this.newId(spec.at);
    const device = `report-${id}`;
    const report: ResidentReport = { id, category: spec.category, building: spec.building, ...(spec.buildingName ? { buildingName: spec.buildingName } : {}), text: spec.text, tokenHash: spec.tokenHash, ...(spec.photo ? { photo: spec.photo } : {}) };
    return this.#raise({ id, ruleId: REPORT_RULE_ID, name: { ...REPORT_RULE_NAME }, severity: 'minor', compound: spec.compound, type: spec.category, device, deviceKey: `${spec.compound}/report/${id}`, report, at: spec.at });
  }

  /**
   * A manager judges a resident's report invalid (无效举报): `marked_spam`, then it closes (note
   * `spam`), whatever its workflow step; its condition is cleared first, so nothing is raised again.
   */
  markSpam(id: string, actor: string, at: number, note?: string): Alert {
    const alert = this.#expect(id, ['new', 'dispatched', 'accepted', 'resolved'], 'mark as spam');
    if (!alert.report) throw new HubError('INVALID_TRANSITION', `cannot mark alert ${id} as spam: it is no resident report`, { params: { id, action: 'spam', state: alert.workflow } });
    this.#step(alert, 'marked_spam', at, actor, undefined, note?.trim() ? { note } : {});
    if (alert.condition === 'active') this.#step(alert, 'condition_cleared', at, 'hub', undefined, { note: REPORT_SPAM });
    return this.#step(alert, 'closed', at, actor, undefined, { note: REPORT_SPAM });
  }

  #raise(base: Omit<Parameters<AlertBook['create']>[0], 'id'> & { id?: string }, note?: string): Alert {
    const created = this.create({ ...base, id: base.id ?? this.newId(base.at) });
    if (note) created.history[0]!.note = note;
    this.#emit(created.history[0]!, created);
    const first = this.routing.chain(created.compound, base.at)[0];
    if (first) this.#step(created, 'dispatched', base.at, 'hub', undefined, { assignee: first });
    return created;
  }

  accept(id: string, actor: string, at: number): Alert {
    return this.#step(this.#expect(id, ['new', 'dispatched'], 'accept'), 'accepted', at, actor);
  }

  /**
   * Check-in on site (到场) for an alert that needs arrival: the time, who, and the browser's
   * position with its distance from the compound when both are known. Arriving before accepting
   * accepts first (whoever is on site has taken it on). A second check-in changes nothing.
   */
  arrive(id: string, actor: string, at: number, position?: AlertEvent['position'], note?: string): Alert {
    const alert = this.#expect(id, ['new', 'dispatched', 'accepted'], 'arrive');
    if (!alert.arrival && this.#arrival.minutes(alert.ruleId, alert.compound) === undefined) {
      throw new HubError('INVALID_TRANSITION', `cannot arrive on alert ${id}: its rule ${alert.ruleId} needs no arrival on site`, { params: { id, action: 'arrive', state: alert.workflow } });
    }
    if (alert.arrival?.at !== undefined) return alert;
    if (alert.workflow !== 'accepted') this.accept(id, actor, at);
    const distanceM = this.#arrival.distanceFromSite(alert.compound, position);
    return this.#step(alert, 'arrived', at, actor, undefined, {
      ...(position ? { position } : {}),
      ...(distanceM !== undefined ? { distanceM } : {}),
      ...(note?.trim() ? { note } : {}),
    });
  }

  /** `photo`: the id of a photo of the alert (uploaded before), attached to the step. */
  resolve(id: string, actor: string, note: string, at: number, photo?: string): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: say what was found and done');
    const alert = this.#step(this.#expect(id, ['accepted'], 'resolve'), 'resolved', at, actor, undefined, { note, ...(photo ? { photo } : {}) });
    // No sensor clears a resident's report: its resolve does.
    if (alert.report && alert.condition === 'active') this.#step(alert, 'condition_cleared', at, 'hub', undefined, { note: REPORT_RESOLVED });
    return alert;
  }

  /**
   * Confirms a resolved alert. While its condition is still active it is refused, unless the
   * closer insists (`force`) with a note: then the condition, still happening, opens a new
   * alert at once, so what is still happening stays visible and reaches someone.
   */
  close(id: string, actor: string, at: number, note?: string, force = false): Alert {
    const alert = this.#expect(id, ['resolved'], 'close');
    if (alert.condition === 'active' && !force) {
      throw new HubError('CONDITION_ACTIVE', `cannot close alert ${id}: its condition is still active; close with force and a note to open a new alert for it`, { params: { id } });
    }
    if (alert.condition === 'active' && !note?.trim()) throw new HubError('BAD_REQUEST', 'note: say why an alert whose condition is still active is closed');
    // An incident closed while active lets its members go: the correlator raises their own alerts.
    const released = alert.incident && alert.condition === 'active' ? activeMembers(alert.incident).filter((m) => !m.alertId) : [];
    if (released.length) this.#step(alert, 'released', at, 'hub', undefined, { note: released.map((m) => m.deviceKey).join(' ') });
    for (const m of alert.incident ? activeMembers(alert.incident) : []) m.leftAt = at;
    this.#step(alert, 'closed', at, actor, undefined, note ? { note } : {});
    if (alert.condition === 'active' && !alert.incident) {
      const { ruleId, severity, compound, type, device, value, field } = alert;
      this.#raise({ ruleId, severity, compound, type, device, at, ...(value !== undefined ? { value } : {}), ...(field !== undefined ? { field } : {}) }, `still active after ${id} was closed by ${actor}`);
    }
    return alert;
  }

  /** A resolved alert the manager does not accept goes back to the worker. */
  reopen(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: say why the alert is reopened');
    return this.#step(this.#expect(id, ['resolved'], 'reopen'), 'reopened', at, actor, undefined, { note });
  }

  /** Gives the alert to someone who may act in its compound (Routing.takers); anyone else is refused. */
  reassign(id: string, actor: string, assignee: string, at: number): Alert {
    const alert = this.#expect(id, ['new', 'dispatched', 'accepted'], 'reassign');
    if (!this.routing.mayTakeAlert(assignee, alert)) {
      throw new HubError('ASSIGNEE_INVALID', `${assignee} may not act on alerts of ${alert.compound}`, { params: { assignee, compound: alert.compound } });
    }
    return this.#step(alert, 'reassigned', at, actor, undefined, { assignee });
  }

  comment(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: a comment needs text');
    return this.#step(this.get(id), 'commented', at, actor, undefined, { note });
  }

  /**
   * Hand-over (流转): the alert goes to a party (a group of the routing that covers its compound),
   * whose first member who can act holds it, dispatched, with a new accept deadline. `actor` is a
   * manager, or `hub` for a hand-over rule of the routing.
   */
  handOver(id: string, actor: string, party: string, at: number, note?: string): Alert {
    const alert = this.#expect(id, ['new', 'dispatched', 'accepted'], 'hand over');
    if (alert.parties?.at(-1) === party) throw new HubError('HANDED_OVER_ALREADY', `alert ${id} is with ${party} already`, { params: { id, party } });
    if (!this.routing.covers(party, alert.compound)) throw new HubError('PARTY_INVALID', `${party} is no party that covers ${alert.compound}`, { params: { party, compound: alert.compound } });
    const first = this.routing.members(party)[0];
    if (!first) throw new HubError('PARTY_INVALID', `${party} has nobody who can act on alerts`, { params: { party, compound: alert.compound } });
    return this.#step(alert, 'handed_over', at, actor, undefined, { party, assignee: first, ...(note?.trim() ? { note } : {}) });
  }

  /**
   * Evaluation (评价) of a closed alert by one party (the compound's manager, or an owners'
   * committee member): 1–5 with an optional comment, once per party, within the window after it
   * closed.
   */
  evaluate(id: string, actor: string, party: EvaluatingParty, score: number, at: number, comment?: string): Alert {
    const alert = this.get(id);
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new HubError('BAD_REQUEST', 'score: a whole number from 1 to 5', { params: { min: 1, max: 5 } });
    if (party === 'committee' && !this.config.evaluation.committee) throw new HubError('FORBIDDEN', 'owners\' committees do not evaluate alerts here (alerts config evaluation.committee)');
    const closedAt = alert.workflow === 'closed' ? this.#lastAt(alert, 'closed') : undefined;
    if (closedAt === undefined || at > closedAt + this.config.evaluation.windowMin * MINUTE) {
      throw new HubError('EVALUATION_CLOSED', `alert ${id} can be evaluated only within ${this.config.evaluation.windowMin} min after it closed`, { params: { id, windowMin: this.config.evaluation.windowMin } });
    }
    if (alert.evaluations?.some((e) => e.party === party)) throw new HubError('EVALUATED_ALREADY', `alert ${id} has a ${party} evaluation already`, { params: { id, party } });
    return this.#step(alert, 'evaluated', at, actor, undefined, { party, score, ...(comment?.trim() ? { note: comment.trim() } : {}) });
  }

  /** The first hand-over rule due for the alert now: its party, or nothing. */
  #handoverDue(alert: Alert, now: number): string | undefined {
    if (alert.condition !== 'active') return undefined;
    // A person handed it over: the rules do not move it on from there.
    const last = alert.history.findLast((e) => e.kind === 'handed_over');
    if (last && last.actor !== 'hub') return undefined;
    for (const h of this.config.handovers) {
      if (h.rules && !h.rules.includes(alert.ruleId)) continue;
      if (h.types && !h.types.includes(alert.type)) continue;
      if (alert.parties?.includes(h.to) || !this.routing.covers(h.to, alert.compound) || !this.routing.members(h.to).length) continue;
      const late = h.afterMin !== undefined && now - alert.raisedAt >= h.afterMin * MINUTE;
      const escalated = h.atEscalation !== undefined && alert.escalationLevel >= h.atEscalation;
      if (late || escalated) return h.to;
    }
    return undefined;
  }

  /**
   * Missed deadlines escalate; resolved alerts whose condition stays cleared close. `owns`: the
   * compounds whose timers run here (a cluster instance times only its partitions' alerts).
   */
  tick(now: number, owns: (compound: string) => boolean = () => true): void {
    for (const alert of this.#alerts.values()) {
      if (alert.workflow === 'closed' || !owns(alert.compound)) continue;
      if (alert.workflow === 'resolved') {
        const quietSince = Math.max(alert.clearedAt ?? Infinity, this.#lastAt(alert, 'resolved'));
        if (alert.condition === 'cleared' && now - quietSince >= this.config.autoCloseMin * MINUTE) {
          this.#step(alert, 'closed', now, 'hub', undefined, { note: 'condition cleared and quiet' });
        }
        continue;
      }
      // Hand-over rules by kind of problem (流转): one step per tick.
      const party = this.#handoverDue(alert, now);
      if (party) {
        this.handOver(alert.id, 'hub', party, now);
        continue;
      }
      if (this.#workflowClock(alert, now)) continue;
      if (alert.dueAt === undefined || now < alert.dueAt) continue;
      const chain = this.routing.chainOf(alert, now);
      const next = chain[Math.min(alert.escalationLevel + 1, chain.length - 1)];
      // Not accepted in time: the next person gets it. Accepted but not resolved: the next level is told.
      const note = alert.workflow === 'accepted' ? 'resolve deadline missed' : 'accept deadline missed';
      this.#step(alert, 'escalated', now, 'hub', undefined, { assignee: next, note });
    }
  }

  /**
   * Reminders and call-tree rings for an alert not accepted yet; the escalation of a missed
   * arrival. Says whether it escalated (one escalation per alert and tick).
   */
  #workflowClock(alert: Alert, now: number): boolean {
    const order = { chain: () => this.routing.chainOf(alert, now), grid: () => this.routing.gridOf(alert, now) };
    for (const due of notificationsDue(alert, now, this.config, order)) this.#step(alert, due.kind, now, 'hub', undefined, { assignee: due.assignee });
    const arrival = alert.arrival;
    if (!arrival || arrival.at !== undefined || now < arrival.dueAt) return false;
    if (alert.history.some((e) => e.kind === 'escalated' && e.note === ARRIVAL_MISSED)) return false;
    const chain = this.routing.chainOf(alert, now);
    const next = chain[Math.min(alert.escalationLevel + 1, chain.length - 1)];
    this.#step(alert, 'escalated', now, 'hub', undefined, { assignee: next, note: ARRIVAL_MISSED });
    return true;
  }

  /**
   * Rebuilds alerts from their stored events (oldest first), as after a restart: the
   * same reducer as live steps, without notifying anyone again.
   */
  restore(records: StoredAlertEvent[]): void {
    // Oldest first; steps of the same millisecond in the order the book takes them (a raise, its
    // dispatch; an accept, the arrival it came with; a tick's reminder, rings, escalation).
    const ordered = [...records].sort((a, b) => a.at - b.at || sameMsRank(a.kind) - sameMsRank(b.kind));
    for (const r of ordered) {
      const existing = this.#alerts.get(r.alertId);
      if (r.kind === 'raised') {
        if (existing) continue;
        // An incident comes back as one, with its key, name, scope and place; its members are not in the log.
        const incident: Incident | undefined = r.incident && { group: r.ruleId, scope: r.incident.scope, ...(r.incident.place !== undefined ? { place: r.incident.place } : {}), members: [], peak: r.incident.peak };
        this.create({
          id: r.alertId,
          ruleId: r.ruleId,
          severity: r.severity,
          compound: r.compound,
          type: r.type,
          device: r.device,
          at: r.at,
          ...(r.value !== undefined ? { value: r.value } : {}),
          ...(r.deviceKey ? { deviceKey: r.deviceKey } : {}),
          ...(incident ? { incident, name: r.incident!.name } : {}),
        });
        continue;
      }
      if (!existing) continue; // its raise is older than what was read back
      // An incident's name and peak change as members join: each of its events says them as they were.
      if (existing.incident && r.incident) {
        existing.name = r.incident.name;
        existing.incident.peak = Math.max(existing.incident.peak, r.incident.peak);
      }
      const event: AlertEvent = {
        alertId: r.alertId,
        kind: r.kind,
        at: r.at,
        actor: r.actor,
        ...(r.note ? { note: r.note } : {}),
        ...(r.assignee ? { assignee: r.assignee } : {}),
        ...(r.position ? { position: r.position } : {}),
        ...(r.distanceM !== undefined ? { distanceM: r.distanceM } : {}),
        ...(r.photo ? { photo: r.photo } : {}),
        ...(r.party ? { party: r.party } : {}),
        ...(r.score !== undefined ? { score: r.score } : {}),
      };
      this.#reduce(existing, event, r.value);
    }
    // Closed alerts need no memory beyond the event log.
    for (const [id, alert] of this.#alerts) if (alert.workflow === 'closed') this.#alerts.delete(id);
  }

  /** Takes back the open alerts an earlier run saved (open-alerts.file.ts), as they were, without notifying anyone again. */
  adopt(saved: readonly Alert[]): void {
    for (const alert of saved) {
      if (alert.workflow === 'closed') continue;
      const copy: Alert = { ...alert, name: this.#names.get(alert.ruleId) ?? alert.name, history: [...alert.history] };
      this.#alerts.set(copy.id, copy);
      this.#open.set(`${copy.deviceKey}|${copy.ruleId}`, copy.id);
    }
  }

  /**
   * Takes an alert as another instance wrote it (design.md §10), in place of this book's copy
   * (changed in place, so whoever holds it sees the change), without notifying anyone again.
   */
  mirror(alert: Alert): Alert {
    const key = `${alert.deviceKey}|${alert.ruleId}`;
    const next: Alert = { ...alert, name: this.#names.get(alert.ruleId) ?? alert.name, history: [...alert.history] };
    const existing = this.#alerts.get(alert.id);
    const kept = existing ?? next;
    if (existing) {
      for (const field of Object.keys(existing) as Array<keyof Alert>) if (!(field in next)) delete existing[field];
      Object.assign(existing, next);
    } else {
      this.#alerts.set(kept.id, kept);
    }
    if (kept.workflow === 'closed') {
      if (this.#open.get(key) === kept.id) this.#open.delete(key);
    } else {
      this.#open.set(key, kept.id);
    }
    return kept;
  }

  /** A new alert in the book, not yet announced (restore() uses it for alerts of the log). */
  private create(base: {
    id: string;
    ruleId: string;
    severity: Alert['severity'];
    compound: string;
    type: Alert['type'];
    device: string;
    at: number;
    value?: FieldValue;
    field?: string;
    /** An incident's own key, name and members (openIncident). */
    deviceKey?: string;
    name?: Alert['name'];
    incident?: Incident;
    /** A resident's report (AlertBook.report). */
    report?: ResidentReport;
  }): Alert {
    const alert: Alert = {
      id: base.id,
      ruleId: base.ruleId,
      name: base.name ?? this.#names.get(base.ruleId) ?? { zh: base.ruleId, en: base.ruleId },
      severity: base.severity,
      deviceKey: base.deviceKey ?? `${base.compound}/${base.type}/${base.device}`,
      compound: base.compound,
      type: base.type,
      device: base.device,
      workflow: 'new',
      condition: 'active',
      raisedAt: base.at,
      lastSeenAt: base.at,
      count: 1,
      ...(base.value !== undefined ? { value: base.value } : {}),
      ...(base.field !== undefined ? { field: base.field } : {}),
      ...(base.incident ? { incident: base.incident } : {}),
      ...(base.report ? { report: base.report } : {}),
      escalationLevel: 0,
      dueAt: base.at + this.#sla(base.severity).acceptMin * MINUTE,
      history: [{ alertId: base.id, kind: 'raised', at: base.at, actor: 'hub' }],
    };
    this.#alerts.set(alert.id, alert);
    this.#open.set(`${alert.deviceKey}|${alert.ruleId}`, alert.id);
    return alert;
  }

  /** The one place an event changes an alert: used by live steps and by restore(). */
  #reduce(alert: Alert, event: AlertEvent, value?: FieldValue): void {
    const sla = this.#sla(alert.severity);
    switch (event.kind) {
      case 'raised':
        break;
      case 'repeated':
        alert.count += 1;
        alert.lastSeenAt = event.at;
        if (value !== undefined) alert.value = value;
        break;
      case 'condition_active':
        alert.condition = 'active';
        alert.clearedAt = undefined;
        alert.count += 1;
        alert.lastSeenAt = event.at;
        break;
      case 'condition_cleared':
        alert.condition = 'cleared';
        alert.clearedAt = event.at;
        break;
      case 'dispatched':
      case 'reassigned':
        alert.workflow = 'dispatched';
        alert.assignee = event.assignee;
        if (event.kind === 'reassigned') {
          alert.dueAt = event.at + sla.acceptMin * MINUTE;
          // Someone new has it: who was told the last holder was late is told no more.
          alert.escalatedTo = undefined;
        }
        this.#startArrival(alert, event.at);
        break;
      case 'accepted':
        alert.workflow = 'accepted';
        alert.assignee = event.actor;
        alert.dueAt = alert.raisedAt + sla.resolveMin * MINUTE;
        // Late to accept is history now; the resolve deadline may already be past too.
        alert.overdue = alert.dueAt <= event.at ? { step: 'resolve', since: alert.dueAt } : undefined;
        this.#startArrival(alert, event.at);
        // Next comes arrival on site, which may be late already.
        if (alert.arrival && alert.arrival.at === undefined && alert.arrival.dueAt <= event.at) alert.overdue = { step: 'arrive', since: alert.arrival.dueAt };
        break;
      case 'arrived':
        alert.arrival = {
          dueAt: alert.arrival?.dueAt ?? event.at,
          at: event.at,
          by: event.actor,
          ...(event.position ? { position: event.position } : {}),
          ...(event.distanceM !== undefined ? { distanceM: event.distanceM } : {}),
        };
        // Late arrival is history now; the resolve deadline may be past.
        if (alert.overdue?.step === 'arrive') alert.overdue = alert.dueAt !== undefined && alert.dueAt <= event.at ? { step: 'resolve', since: alert.dueAt } : undefined;
        break;
      case 'reminded':
        alert.remindedAt = event.at;
        break;
      case 'called':
        if (event.assignee && !alert.called?.includes(event.assignee)) alert.called = [...(alert.called ?? []), event.assignee];
        break;
      case 'resolved':
        alert.workflow = 'resolved';
        alert.dueAt = undefined;
        alert.overdue = undefined;
        break;
      case 'reopened':
        alert.workflow = 'accepted';
        alert.dueAt = event.at + sla.resolveMin * MINUTE;
        break;
      case 'closed':
        alert.workflow = 'closed';
        alert.dueAt = undefined;
        alert.overdue = undefined;
        this.#open.delete(`${alert.deviceKey}|${alert.ruleId}`);
        break;
      case 'escalated': {
        // An accepted alert stays with its assignee: the person told is kept, so that they see it.
        if (alert.workflow === 'accepted') this.#told(alert, event.assignee);
        if (event.note === ARRIVAL_MISSED) {
          this.#arrivalMissed(alert, event);
          break;
        }
        alert.escalationLevel += 1;
        // The step stays late from its first deadline on, whoever has it now.
        const step = alert.workflow === 'accepted' ? 'resolve' : 'accept';
        if (alert.overdue?.step !== step) alert.overdue = { step, since: alert.dueAt ?? event.at };
        if (alert.workflow === 'accepted') {
          alert.dueAt = event.at + sla.resolveMin * MINUTE;
        } else {
          alert.workflow = 'dispatched';
          alert.assignee = event.assignee;
          alert.dueAt = event.at + sla.acceptMin * MINUTE;
        }
        break;
      }
      case 'commented':
        break;
      case 'member_joined':
        alert.lastSeenAt = event.at;
        break;
      case 'member_left':
      case 'released':
        break;
      case 'flapping':
        alert.flapping = true;
        break;
      case 'handed_over':
        // The party's member holds it now, with a deadline of its own to accept; who held it or was rung before is not told any more.
        if (event.party) alert.parties = [...(alert.parties ?? []), event.party];
        alert.workflow = 'dispatched';
        alert.assignee = event.assignee;
        alert.dueAt = event.at + sla.acceptMin * MINUTE;
        alert.overdue = undefined;
        alert.called = undefined;
        alert.escalatedTo = undefined;
        alert.remindedAt = undefined;
        break;
      case 'evaluated':
        if (event.party === 'manager' || event.party === 'committee') {
          alert.evaluations = [...(alert.evaluations ?? []), { party: event.party, score: event.score ?? 0, ...(event.note ? { comment: event.note } : {}), by: event.actor, at: event.at }];
        }
        break;
      case 'marked_spam':
        if (alert.report) alert.report = { ...alert.report, spam: true };
        break;
      case 'stable':
        alert.flapping = undefined;
        break;
    }
    // An incident's peak: the most devices active at once (the incident methods keep the member lists).
    if (alert.incident) alert.incident.peak = Math.max(alert.incident.peak, devicesOf(activeMembers(alert.incident)));
    // Repeats only bump the count, and a flapping condition's toggles only change it: a flapping
    // sensor must not grow the history without bound.
    if (event.kind !== 'repeated' && !(alert.flapping && TOGGLES.has(event.kind))) alert.history.push(event);
  }

  /** Someone an escalation of an accepted alert told (not its assignee): kept in `escalatedTo`. */
  #told(alert: Alert, person: string | undefined): void {
    if (!person || person === alert.assignee || alert.escalatedTo?.includes(person)) return;
    alert.escalatedTo = [...(alert.escalatedTo ?? []), person];
  }

  /** The arrival deadline starts at the first dispatch (or accept, for an alert nobody was dispatched), for rules that need arrival. */
  #startArrival(alert: Alert, at: number): void {
    if (alert.arrival) return;
    const minutes = this.#arrival.minutes(alert.ruleId, alert.compound);
    if (minutes !== undefined) alert.arrival = { dueAt: at + minutes * MINUTE };
  }

  /**
   * Nobody on site by the arrival deadline: the next level is told. An accepted alert stays with
   * whoever is on the way (late to arrive); one not accepted yet moves on like a missed accept.
   */
  #arrivalMissed(alert: Alert, event: AlertEvent): void {
    alert.escalationLevel += 1;
    const since = alert.arrival?.dueAt ?? event.at;
    if (alert.workflow === 'accepted') {
      alert.overdue = { step: 'arrive', since };
      return;
    }
    alert.workflow = 'dispatched';
    alert.assignee = event.assignee;
    alert.dueAt = event.at + this.#sla(alert.severity).acceptMin * MINUTE;
    alert.overdue ??= { step: 'arrive', since };
  }

  #sla(severity: Alert['severity']) {
    return this.config.sla[severity] ?? { acceptMin: 60, resolveMin: 1440 };
  }

  #lastAt(alert: Alert, kind: AlertEventKind): number {
    for (let i = alert.history.length - 1; i >= 0; i -= 1) if (alert.history[i]!.kind === kind) return alert.history[i]!.at;
    return alert.raisedAt;
  }

  #expect(id: string, states: WorkflowState[], action: string): Alert {
    const alert = this.get(id);
    if (!states.includes(alert.workflow)) {
      throw new HubError('INVALID_TRANSITION', `cannot ${action} alert ${id}: it is ${alert.workflow} (${action} needs ${states.join(' or ')})`, {
        params: { id, action, state: alert.workflow },
      });
    }
    return alert;
  }

  /** A condition toggle; while the alert is flapping it changes the alert (live views show it) but is told as a repeat: not notified, not in the history. */
  #toggle(alert: Alert, kind: 'condition_cleared' | 'condition_active', at: number, value?: FieldValue): void {
    if (!alert.flapping) {
      this.#step(alert, kind, at, 'hub', value);
      return;
    }
    this.#reduce(alert, { alertId: alert.id, kind, at, actor: 'hub' }, value);
    this.#emit({ alertId: alert.id, kind: 'repeated', at, actor: 'hub', note: kind }, alert);
  }

  #incident(alert: Alert): Incident {
    if (!alert.incident) throw new HubError('BAD_REQUEST', `alert ${alert.id} is no incident`);
    return alert.incident;
  }

  #step(alert: Alert, kind: AlertEventKind, at: number, actor: string, value?: FieldValue, extra: Partial<Pick<AlertEvent, 'note' | 'assignee' | 'position' | 'distanceM' | 'photo' | 'party' | 'score'>> = {}): Alert {
    const event: AlertEvent = { alertId: alert.id, kind, at, actor, ...extra };
    this.#reduce(alert, event, value);
    this.#emit(event, alert);
    return alert;
  }

  #emit(event: AlertEvent, alert: Alert): void {
    if (this.#held) {
      this.#held.push([event, alert]);
      return;
    }
    for (const listener of this.#listeners) listener(event, alert);
  }

  /**
   * Runs `fn` with the events it causes held back (a cluster's workflow step, design.md §10: told
   * to anyone only once the database has taken it); the result and the events, for `announce`.
   */
  holdingEvents<T>(fn: () => T): { result: T; events: Array<[AlertEvent, Alert]> } {
    const held: Array<[AlertEvent, Alert]> = [];
    const outer = this.#held;
    this.#held = held;
    try {
      return { result: fn(), events: held };
    } finally {
      this.#held = outer;
    }
  }

  /** Tells the listeners events held back by holdingEvents. */
  announce(events: ReadonlyArray<[AlertEvent, Alert]>): void {
    for (const [event, alert] of events) this.#emit(event, alert);
  }

  /** Drops an alert the database never took (raised by an owner that lost its partition before writing it). */
  forget(id: string): void {
    const alert = this.#alerts.get(id);
    if (!alert) return;
    this.#alerts.delete(id);
    const key = `${alert.deviceKey}|${alert.ruleId}`;
    if (this.#open.get(key) === id) this.#open.delete(key);
  }
}
