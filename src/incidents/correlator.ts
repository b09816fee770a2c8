/**
 * The correlator (design.md §6): between the rules' condition changes and the alert book, it makes
 * one alert per real-world problem. Conditions of one kind on N or more devices of one building,
 * zone or compound become ONE incident alert with the devices as members (grouping); conditions a
 * wider one explains raise nothing while it lasts (inhibition); a condition that keeps toggling
 * is marked flapping and its toggles are not notified. Deterministic: every decision uses a
 * change's `at` or the `now` of tick(). docs/alerts.md "Incidents" tells the behaviour.
 *
 * Every active condition is known here in one state: `own` (it has, or is, its own alert),
 * `waiting` (held back for up to `waitSec` to see whether its group forms, and while a group that
 * reached `min` settles), `member` (held in an incident) or `inhibited` (held while a source
 * condition lasts).
 *
 * A group that reaches `min` forms at the next tick at the earliest (`settleSec` later when it has
 * one): the devices that fail at the same moment but report a few ms apart are all in its first
 * notification.
 */
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Alert, IncidentMember } from '../alerts/alert.types.ts';
import type { ConditionChange, ResumedCondition } from '../rules/rules.engine.ts';
import { SEVERITIES, type Group, type Inhibit, type Rule, type RulesData } from '../rules/rule.schema.ts';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { DeviceType } from '../contracts/device-types.ts';

export const HOLD_REASONS = ['waiting', 'grouped', 'inhibited'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** Why a condition raises no alert of its own right now (`/api/conditions`). */
export interface ConditionHold {
  reason: HoldReason;
  /** waiting: held at most until then. */
  until?: number;
  /** grouped: the incident alert it is a member of. */
  incident?: string;
  /** inhibited: the inhibit entry, and the source: a rule's condition on a device, or a group's incident. */
  inhibit?: string;
  source?: InhibitSource;
}

/** What inhibits a condition: a rule's condition on a device, or a group's incident. */
export interface InhibitSource {
  id: string;
  deviceKey?: string;
  incident?: string;
}

export interface CorrelatorDeps {
  alerts: AlertBook;
  registry: Pick<Registry, 'getByKey' | 'devicesOf' | 'compound'>;
  /** Whether a silence keeps a new alert of this condition from being raised. */
  silenced?(change: ConditionChange): boolean;
  /** A condition's hold changed (undefined: it is held no more). */
  held?(condition: { deviceKey: string; ruleId: string }, hold: ConditionHold | undefined): void;
  /** How many conditions are held for this reason now. */
  heldCount?(reason: HoldReason, count: number): void;
}

type State = 'own' | 'waiting' | 'member' | 'inhibited';
const REASON: Record<State, HoldReason | undefined> = { own: undefined, waiting: 'waiting', member: 'grouped', inhibited: 'inhibited' };

interface Cond {
  key: string;
  /** The latest raise or repeat: what is raised when it becomes its own alert. */
  change: ConditionChange;
  device: RegisteredDevice | undefined;
  /** When its condition was raised. */
  since: number;
  /** Since when it counts for a group's window: raised, or let go by an inhibition or an incident. */
  eligibleAt: number;
  state: State;
  until?: number;
  /** The incident it is a member of (its place key), `own` ones included. */
  incident?: string;
  /** The inhibit entry holding it, its source, and the source's key here (a condition's or an incident's). */
  inhibit?: { entry: string; source: InhibitSource; sourceKey: string };
}

/** An incident whose condition is active. */
interface OpenIncident {
  key: string;
  alertId: string;
  group: Group;
  compound: string;
  place: string | undefined;
  type: DeviceType;
  /** Cond keys. */
  members: Set<string>;
}

const MS = 1000;
const condKey = (c: { deviceKey: string; ruleId: string }) => `${c.deviceKey}|${c.ruleId}`;
const placeKey = (group: string, compound: string, place: string | undefined) => `${group}|${compound}|${place ?? ''}`;
const distinctDevices = (conds: Iterable<Cond>) => new Set([...conds].map((c) => c.change.deviceKey)).size;
const fill = (template: string, place: string, count: number) => template.replaceAll('{place}', place).replaceAll('{count}', String(count));

function mostCommon<T>(values: readonly T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

export class Correlator {
  readonly #deps: CorrelatorDeps;
  #rules = new Map<string, Rule>();
  #groups = new Map<string, Group>();
  #inhibit: Inhibit[] = [];
  #flapping: RulesData['flapping'];
  /** Groups each rule belongs to, in listed order. */
  #groupsOfRule = new Map<string, Group[]>();
  /** Rule and group ids that are inhibition sources. */
  #sources = new Set<string>();
  readonly #conds = new Map<string, Cond>();
  readonly #byCompound = new Map<string, Set<Cond>>();
  /** By place key. */
  readonly #incidents = new Map<string, OpenIncident>();
  /** Groups that reached `min` and settle before they form: place key → when. */
  readonly #settling = new Map<string, { group: Group; compound: string; place: string | undefined; formAt: number }>();
  /** Recent toggles (raised, cleared) of a condition, for flapping. */
  readonly #toggles = new Map<string, { deviceKey: string; ruleId: string; times: number[]; flapping: boolean }>();
  readonly #counts: Record<HoldReason, number> = { waiting: 0, grouped: 0, inhibited: 0 };

  constructor(data: RulesData, deps: CorrelatorDeps) {
    this.#deps = deps;
    this.#configure(data);
    for (const reason of HOLD_REASONS) deps.heldCount?.(reason, 0);
    // A force-close of an active incident lets its members go: they become their own alerts at once.
    deps.alerts.onEvent((event, alert) => {
      if (event.kind === 'closed' && alert.incident) this.#incidentClosed(alert, event.at);
    });
  }

  /** One condition change of the rules engine. */
  apply(change: ConditionChange): void {
    const key = condKey(change);
    const c = this.#conds.get(key);
    if (change.change === 'cleared') {
      if (c) this.#cleared(c, change);
      else this.#deps.alerts.applyCondition(change);
    } else if (c) {
      c.change = change;
      if (c.state === 'own') this.#deps.alerts.applyCondition(change);
    } else if (this.#deps.alerts.hasOpen(change.deviceKey, change.ruleId) || !this.#deps.silenced?.(change)) {
      // New, or a repeat of a condition not known here (taken back at start, or silenced until now).
      const cond: Cond = { key, change, device: this.#deps.registry.getByKey(change.deviceKey), since: change.at, eligibleAt: change.at, state: 'own' };
      this.#track(cond);
      this.#enter(cond, change.at);
      if (this.#sources.has(change.ruleId)) this.#inhibitWaiting(change.compound);
    }
    if (change.change !== 'repeated') this.#toggled(change);
  }

  /** Advances the timers: groups that settled form (in listed order), held conditions whose wait is over are raised, flapping ones that kept still are stable. */
  tick(now: number): void {
    const order = [...this.#groups.keys()];
    const due = [...this.#settling].filter(([, s]) => s.formAt <= now).sort(([, a], [, b]) => order.indexOf(a.group.id) - order.indexOf(b.group.id));
    for (const [key, s] of due) {
      this.#settling.delete(key);
      this.#form(s.group, s.compound, s.place, now, true);
    }
    for (const c of this.#conds.values()) {
      if (c.state === 'waiting' && c.until !== undefined && c.until <= now && !this.#isSettling(c)) this.#raiseOwn(c, now);
    }
    if (!this.#flapping) return;
    const windowMs = this.#flapping.windowSec * MS;
    for (const [key, t] of this.#toggles) {
      if (now - t.times.at(-1)! < windowMs) continue;
      if (t.flapping) this.#deps.alerts.markStable(t.deviceKey, t.ruleId, now);
      this.#toggles.delete(key);
    }
  }

  /**
   * Takes back the open incidents an earlier run left active (the alert book adopted them): they
   * go on, and their members' conditions are returned for the rules engine to judge again (a member
   * leaves when its device reports again). Call before the first change.
   */
  adopt(now: number, owns: (compound: string) => boolean = () => true): ResumedCondition[] {
    const resumed: ResumedCondition[] = [];
    for (const alert of this.#deps.alerts.list({ open: true })) {
      if (!owns(alert.compound)) continue;
      if (alert.flapping) this.#toggles.set(condKey(alert), { deviceKey: alert.deviceKey, ruleId: alert.ruleId, times: [now], flapping: true });
      const incident = alert.incident;
      if (!incident || alert.condition !== 'active') continue;
      const key = placeKey(incident.group, alert.compound, incident.place);
      const group = this.#groups.get(incident.group);
      // An incident whose group is gone is taken back only to end it at once (below).
      const open: OpenIncident = { key, alertId: alert.id, group: group ?? ({ id: incident.group } as Group), compound: alert.compound, place: incident.place, type: alert.type, members: new Set() };
      this.#incidents.set(key, open);
      for (const m of incident.members) {
        if (m.leftAt !== undefined) continue;
        const change = this.#changeOf(m, now);
        if (!change) {
          this.#deps.alerts.leaveIncident(alert.id, m, now); // its device or rule is gone
          continue;
        }
        const cond: Cond = { key: condKey(m), change, device: this.#deps.registry.getByKey(m.deviceKey), since: m.since, eligibleAt: now, state: 'own', incident: key };
        this.#track(cond);
        this.#set(cond, m.alertId ? 'own' : 'member');
        open.members.add(cond.key);
        if (!m.alertId) resumed.push({ deviceKey: m.deviceKey, ruleId: m.ruleId });
      }
      if (!group) this.#end(open, now, 'no group forms this incident any more');
      else if (distinctDevices(this.#membersOf(open)) < group.min) this.#end(open, now, 'too few members left');
    }
    return resumed;
  }

  /**
   * Lets go of these compounds (their partition moved to another instance, design.md §10): their
   * conditions, incidents forming or open and flapping counts are dropped here without touching
   * their alerts; the new owner takes them back (adopt).
   */
  forget(compounds: ReadonlySet<string>): void {
    for (const compound of compounds) {
      for (const c of [...(this.#byCompound.get(compound) ?? [])]) this.#untrack(c);
      this.#byCompound.delete(compound);
    }
    for (const [key, open] of this.#incidents) if (compounds.has(open.compound)) this.#incidents.delete(key);
    for (const [key, s] of this.#settling) if (compounds.has(s.compound)) this.#settling.delete(key);
    for (const [key, t] of this.#toggles) if (compounds.has(t.deviceKey.slice(0, t.deviceKey.indexOf('/')))) this.#toggles.delete(key);
  }

  /** A condition taken back at start that no rule judges any more: it clears, with a note saying why. */
  orphaned(condition: ResumedCondition, at: number, note: string): void {
    const c = this.#conds.get(condKey(condition));
    if (c) this.#cleared(c, { ...c.change, change: 'cleared', at });
    else this.#deps.alerts.clearCondition(condition, at, note);
  }

  /** Swaps groups, inhibition and flapping (rules reloaded): incidents of groups gone end, held conditions are judged again. */
  reload(data: RulesData, at: number): void {
    this.#configure(data);
    if (!data.flapping) {
      // Nothing is flapping without a flapping entry: those marked are stable now.
      for (const t of this.#toggles.values()) if (t.flapping) this.#deps.alerts.markStable(t.deviceKey, t.ruleId, at);
      this.#toggles.clear();
    }
    for (const open of [...this.#incidents.values()]) {
      const group = this.#groups.get(open.group.id);
      if (group) open.group = group;
      else this.#end(open, at, 'its group is gone');
    }
    for (const [key, s] of this.#settling) {
      const group = this.#groups.get(s.group.id);
      if (group) s.group = group; // it forms (or not) by its new entry at the next tick
      else this.#settling.delete(key);
    }
    for (const c of [...this.#conds.values()]) {
      if (c.state === 'waiting' || c.state === 'inhibited') this.#enter(c, at);
    }
  }

  #configure(data: RulesData): void {
    this.#rules = new Map(data.rules.map((r) => [r.id, r]));
    this.#groups = new Map(data.groups.map((g) => [g.id, g]));
    this.#inhibit = data.inhibit;
    this.#flapping = data.flapping;
    this.#groupsOfRule = new Map();
    for (const g of data.groups) for (const r of g.rules) this.#groupsOfRule.set(r, [...(this.#groupsOfRule.get(r) ?? []), g]);
    this.#sources = new Set(data.inhibit.flatMap((x) => x.source));
  }

  /** Judges a condition that is new here (or let go by an inhibition, an incident or a reload). */
  #enter(c: Cond, at: number): void {
    const inhibitor = this.#inhibitor(c);
    if (inhibitor) {
      c.inhibit = inhibitor;
      this.#set(c, 'inhibited');
      return;
    }
    c.inhibit = undefined;
    const own = this.#deps.alerts.findOpen(c.change.deviceKey, c.change.ruleId);
    const places = this.#placesOf(c);
    for (const [group, place] of places) {
      const open = this.#incidents.get(placeKey(group.id, c.change.compound, place));
      if (open) {
        this.#join(open, c, at, own);
        return;
      }
    }
    if (own) this.#raiseOwn(c, at);
    else this.#set(c, 'waiting');
    // A group that has enough devices now settles: it forms at a tick, never here.
    for (const [group, place] of places) this.#form(group, c.change.compound, place, at, false);
    if (c.state === 'own') return;
    // Held while one of its groups could still form at its place, and while one settles (even with
    // waitSec 0: until the tick that forms it, so that it is a member, not its own alert).
    let until = at;
    let settles = false;
    for (const [group, place] of places) {
      if (group.waitSec > 0 && this.#placeDevices(group, c.change.compound, place) >= group.min) until = Math.max(until, at + group.waitSec * MS);
      const settling = this.#settling.get(placeKey(group.id, c.change.compound, place));
      if (settling) {
        settles = true;
        until = Math.max(until, settling.formAt);
      }
    }
    if (until > at || settles) {
      c.until = until;
      this.#set(c, 'waiting');
    } else {
      this.#raiseOwn(c, at);
    }
  }

  /**
   * Its own alert, raised (or updated) now; unless a silence keeps a new one from being raised.
   * The silence is judged at `at`, the moment it would be raised (the end of its wait, its
   * incident's end or force-close), not at its condition's first raise: a silence set while it
   * waited or was a member keeps it quiet.
   */
  #raiseOwn(c: Cond, at: number): void {
    c.until = undefined;
    if (!this.#deps.alerts.hasOpen(c.change.deviceKey, c.change.ruleId) && this.#deps.silenced?.({ ...c.change, at })) {
      this.#untrack(c);
      return;
    }
    this.#set(c, 'own');
    this.#deps.alerts.applyCondition({ ...c.change, change: 'raised', at });
  }

  #cleared(c: Cond, change: ConditionChange): void {
    const at = change.at;
    if (c.state === 'own') this.#deps.alerts.applyCondition(change);
    this.#untrack(c);
    const open = c.incident ? this.#incidents.get(c.incident) : undefined;
    if (open) {
      open.members.delete(c.key);
      this.#deps.alerts.leaveIncident(open.alertId, c.change, at);
      if (distinctDevices(this.#membersOf(open)) < open.group.min) this.#end(open, at);
    }
    this.#sourceGone(c.key, c.change.compound, at);
  }

  /**
   * Forms the group's incident at a place when enough devices raised its conditions within its
   * window (held ones and those with their own alert). Called with `settled` false (a condition
   * came), it only starts the group settling: it forms at the tick at `formAt` (`settled` true),
   * with every candidate then in its window.
   */
  #form(group: Group, compound: string, place: string | undefined, at: number, settled: boolean): void {
    const key = placeKey(group.id, compound, place);
    if (this.#incidents.has(key)) return;
    const from = at - group.windowSec * MS;
    const candidates = [...(this.#byCompound.get(compound) ?? [])].filter(
      (c) => (c.state === 'waiting' || c.state === 'own') && !c.incident && c.eligibleAt >= from && group.rules.includes(c.change.ruleId) && this.#placeOf(group, c) === place,
    );
    const devices = distinctDevices(candidates);
    const needed = Math.max(group.min, group.share ? Math.ceil(group.share * this.#placeDevices(group, compound, place)) : 0);
    if (devices < needed) return;
    // It forms at the next tick at the earliest (after settleSec when it has one), so that devices
    // failing at the same moment are all in it when it is first announced ("3 台", not "2 台").
    if (!settled) {
      if (!this.#settling.has(key)) this.#settling.set(key, { group, compound, place, formAt: at + group.settleSec * MS });
      return;
    }
    this.#settling.delete(key);
    const owns = new Map(candidates.map((c) => [c.key, c.state === 'own' ? this.#deps.alerts.findOpen(c.change.deviceKey, c.change.ruleId)?.id : undefined]));
    const severity = group.severity ?? SEVERITIES.find((s) => candidates.some((c) => c.change.severity === s))!;
    const type = mostCommon(candidates.map((c) => c.change.type));
    const alert = this.#deps.alerts.openIncident({
      group: group.id,
      name: this.#name(group, compound, place, candidates[0]!, devices),
      severity,
      compound,
      type,
      scope: group.by,
      ...(place !== undefined ? { place } : {}),
      members: candidates.map((c) => this.#member(c, owns.get(c.key))),
      at,
    });
    const open: OpenIncident = { key, alertId: alert.id, group, compound, place, type, members: new Set(candidates.map((c) => c.key)) };
    this.#incidents.set(key, open);
    for (const c of candidates) {
      c.incident = key;
      c.until = undefined;
      if (c.state === 'waiting') this.#set(c, 'member');
    }
    if (this.#sources.has(group.id)) this.#inhibitWaiting(compound);
  }

  #join(open: OpenIncident, c: Cond, at: number, own: Alert | undefined): void {
    if (own) this.#raiseOwn(c, at);
    c.incident = open.key;
    c.until = undefined;
    if (!own) this.#set(c, 'member');
    open.members.add(c.key);
    const alert = this.#deps.alerts.get(open.alertId);
    const count = Math.max(alert.incident?.peak ?? 0, distinctDevices(this.#membersOf(open)));
    this.#deps.alerts.joinIncident(open.alertId, this.#member(c, own?.id), at, this.#name(open.group, open.compound, open.place, c, count));
  }

  /** The incident's condition clears (too few members, or its group is gone); members without an alert of their own are judged again. */
  #end(open: OpenIncident, at: number, note?: string): void {
    this.#incidents.delete(open.key);
    const members = this.#membersOf(open);
    const released = members.filter((c) => c.state === 'member');
    this.#deps.alerts.clearIncident(open.alertId, at, released.map((c) => this.#member(c)), note);
    for (const c of members) c.incident = undefined;
    for (const c of released) {
      c.eligibleAt = at;
      this.#enter(c, at);
    }
    this.#sourceGone(open.key, open.compound, at);
  }

  #incidentClosed(alert: Alert, at: number): void {
    const open = [...this.#incidents.values()].find((o) => o.alertId === alert.id);
    if (!open) return;
    this.#incidents.delete(open.key);
    for (const c of this.#membersOf(open)) {
      c.incident = undefined;
      if (c.state === 'member') this.#raiseOwn(c, at);
    }
    this.#sourceGone(open.key, open.compound, at);
  }

  /** The first inhibit entry that holds this condition back now, with its source. */
  #inhibitor(c: Cond): Cond['inhibit'] {
    for (const entry of this.#inhibit) {
      if (!entry.targets.includes(c.change.ruleId)) continue;
      for (const s of this.#byCompound.get(c.change.compound) ?? []) {
        if (s !== c && entry.source.includes(s.change.ruleId) && this.#sameLabels(entry, s, c)) {
          return { entry: entry.id, source: { id: s.change.ruleId, deviceKey: s.change.deviceKey }, sourceKey: s.key };
        }
      }
      for (const open of this.#incidents.values()) {
        if (open.compound === c.change.compound && entry.source.includes(open.group.id) && this.#sameLabels(entry, open, c)) {
          return { entry: entry.id, source: { id: open.group.id, incident: open.alertId }, sourceKey: open.key };
        }
      }
    }
    return undefined;
  }

  /** Whether source and target carry the same value for every label of `equal`; a label either lacks never matches. */
  #sameLabels(entry: Inhibit, source: Cond | OpenIncident, target: Cond): boolean {
    return entry.equal.every((label) => {
      const a = 'change' in source ? this.#label(source, label) : this.#incidentLabel(source, label);
      return a !== undefined && a === this.#label(target, label);
    });
  }

  #label(c: Cond, label: Inhibit['equal'][number]): string | undefined {
    switch (label) {
      case 'compound':
        return c.change.compound;
      case 'type':
        return c.change.type;
      case 'device':
        return c.change.deviceKey;
      default:
        return c.device?.tags[label];
    }
  }

  #incidentLabel(open: OpenIncident, label: Inhibit['equal'][number]): string | undefined {
    if (label === 'compound') return open.compound;
    if (label === 'type') return open.type;
    return label === open.group.by ? open.place : undefined;
  }

  /** A source appeared (or an incident formed): conditions still waiting that it explains are inhibited from now on. */
  #inhibitWaiting(compound: string): void {
    for (const c of this.#byCompound.get(compound) ?? []) {
      if (c.state !== 'waiting') continue;
      const inhibitor = this.#inhibitor(c);
      if (!inhibitor) continue;
      c.until = undefined;
      c.inhibit = inhibitor;
      this.#set(c, 'inhibited');
    }
  }

  /** A source condition or incident is gone: the conditions it inhibited that are still active are judged again. */
  #sourceGone(sourceKey: string, compound: string, at: number): void {
    if (!this.#counts.inhibited) return;
    for (const c of [...(this.#byCompound.get(compound) ?? [])]) {
      if (c.state !== 'inhibited' || c.inhibit?.sourceKey !== sourceKey) continue;
      c.eligibleAt = at;
      this.#enter(c, at);
    }
  }

  /** The condition's groups, with the place it counts for in each (its building or zone tag; none for the compound); listed order. */
  #placesOf(c: Cond): Array<[Group, string | undefined]> {
    const out: Array<[Group, string | undefined]> = [];
    for (const g of this.#groupsOfRule.get(c.change.ruleId) ?? []) {
      const place = this.#placeOf(g, c);
      if (g.by === 'compound' || place !== undefined) out.push([g, place]);
    }
    return out;
  }

  #placeOf(group: Group, c: Cond): string | undefined {
    return group.by === 'compound' ? undefined : c.device?.tags[group.by];
  }

  /** Registered devices of the place of the types the group's rules watch. */
  #placeDevices(group: Group, compound: string, place: string | undefined): number {
    const types = new Set(group.rules.flatMap((id) => this.#rules.get(id)?.match.types ?? []));
    return this.#deps.registry.devicesOf(compound).filter((d) => types.has(d.type) && (group.by === 'compound' || d.tags[group.by] === place)).length;
  }

  #isSettling(c: Cond): boolean {
    return this.#placesOf(c).some(([g, place]) => this.#settling.has(placeKey(g.id, c.change.compound, place)));
  }

  /** The group's name with the place's name (the registry's: 1号楼, 北区, the compound's) and the count. */
  #name(group: Group, compound: string, place: string | undefined, c: Cond, count: number): Alert['name'] {
    const names = c.device?.placeNames;
    const shown = group.by === 'compound' ? (this.#deps.registry.compound(compound)?.name ?? compound) : ((group.by === 'building' ? names?.building : names?.zone) ?? place ?? compound);
    return { zh: fill(group.name.zh, shown, count), en: fill(group.name.en, shown, count) };
  }

  #member(c: Cond, alertId?: string): IncidentMember {
    const { deviceKey, type, device, ruleId } = c.change;
    return { deviceKey, type, device, ruleId, since: c.since, ...(alertId ? { alertId } : {}), ...(c.device?.name ? { name: c.device.name } : {}) };
  }

  #membersOf(open: OpenIncident): Cond[] {
    return [...open.members].map((k) => this.#conds.get(k)).filter((c): c is Cond => c !== undefined);
  }

  /** A member's condition as the rules engine would report it (an incident taken back at start). */
  #changeOf(m: IncidentMember, at: number): ConditionChange | undefined {
    const rule = this.#rules.get(m.ruleId);
    const device = this.#deps.registry.getByKey(m.deviceKey);
    if (!rule || !device) return undefined;
    const c = rule.condition;
    return { change: 'raised', ruleId: rule.id, kind: c.kind, ...('field' in c ? { field: c.field } : {}), severity: rule.severity, deviceKey: device.key, compound: device.compound, type: device.type, device: device.device, at, count: 1 };
  }

  #toggled(change: ConditionChange): void {
    if (!this.#flapping) return;
    const key = condKey(change);
    const t = this.#toggles.get(key) ?? { deviceKey: change.deviceKey, ruleId: change.ruleId, times: [], flapping: false };
    this.#toggles.set(key, t);
    t.times.push(change.at);
    const from = change.at - this.#flapping.windowSec * MS;
    while (t.times.length > 1 && t.times[0]! < from) t.times.shift();
    // Still flapping when its alert was closed: the new one is marked too (markFlapping does nothing to one marked already).
    if ((t.flapping || t.times.length > this.#flapping.toggles) && this.#deps.alerts.hasOpen(change.deviceKey, change.ruleId)) {
      t.flapping = true;
      this.#deps.alerts.markFlapping(change.deviceKey, change.ruleId, change.at);
    }
  }

  #track(c: Cond): void {
    this.#conds.set(c.key, c);
    let set = this.#byCompound.get(c.change.compound);
    if (!set) this.#byCompound.set(c.change.compound, (set = new Set()));
    set.add(c);
  }

  #untrack(c: Cond): void {
    this.#set(c, 'own');
    this.#conds.delete(c.key);
    this.#byCompound.get(c.change.compound)?.delete(c);
  }

  /** The one place a condition's state changes: the hold is told, the counts kept. */
  #set(c: Cond, state: State): void {
    const before = REASON[c.state];
    c.state = state;
    const after = REASON[state];
    if (before) this.#counts[before] -= 1;
    if (after) this.#counts[after] += 1;
    if (before !== after || after) this.#deps.held?.(c.change, after && this.#holdOf(c));
    for (const reason of new Set([before, after])) if (reason && before !== after) this.#deps.heldCount?.(reason, this.#counts[reason]);
  }

  #holdOf(c: Cond): ConditionHold | undefined {
    switch (c.state) {
      case 'waiting':
        return { reason: 'waiting', ...(c.until !== undefined ? { until: c.until } : {}) };
      case 'member': {
        const open = c.incident ? this.#incidents.get(c.incident) : undefined;
        return { reason: 'grouped', ...(open ? { incident: open.alertId } : {}) };
      }
      case 'inhibited':
        return { reason: 'inhibited', ...(c.inhibit ? { inhibit: c.inhibit.entry, source: c.inhibit.source } : {}) };
      case 'own':
        return undefined;
    }
  }
}
