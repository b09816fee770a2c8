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
import type { Alert, AlertEvent, AlertEventKind, StoredAlertEvent, WorkflowState } from './alert.types.ts';
import type { AlertsConfig } from './sla.config.ts';
import type { Routing } from './routing.ts';

export type AlertListener = (event: AlertEvent, alert: Alert) => void;

const MINUTE = 60_000;

export interface AlertFilter {
  compound?: string;
  assignee?: string;
  open?: boolean;
  severity?: Alert['severity'];
}

export function newAlertId(at: number): string {
  return `a-${at.toString(36)}-${randomBytes(3).toString('hex')}`;
}

export class AlertBook {
  readonly #alerts = new Map<string, Alert>();
  /** `deviceKey|ruleId` → id of the open (not closed) alert. */
  readonly #open = new Map<string, string>();
  readonly #listeners: AlertListener[] = [];
  #names = new Map<string, Rule['name']>();

  constructor(
    private readonly config: AlertsConfig,
    rules: readonly Rule[],
    private readonly routing: Routing,
    private readonly newId: (at: number) => string = newAlertId,
  ) {
    this.setRules(rules);
  }

  setRules(rules: readonly Rule[]): void {
    this.#names = new Map(rules.map((r) => [r.id, r.name]));
  }

  onEvent(listener: AlertListener): void {
    this.#listeners.push(listener);
  }

  get(id: string): Alert {
    const alert = this.#alerts.get(id);
    if (!alert) throw new HubError('NOT_FOUND', `alert ${id} does not exist`);
    return alert;
  }

  list(filter: AlertFilter = {}): Alert[] {
    return [...this.#alerts.values()].filter(
      (a) =>
        (!filter.compound || a.compound === filter.compound) &&
        (!filter.assignee || a.assignee === filter.assignee) &&
        (!filter.severity || a.severity === filter.severity) &&
        (filter.open === undefined || (a.workflow !== 'closed') === filter.open),
    );
  }

  /** The events of the alerts in memory, as the event log stores them (for figures in live-only mode). */
  events(): StoredAlertEvent[] {
    return [...this.#alerts.values()].flatMap((a) =>
      a.history.map((e) => ({
        ...e,
        ruleId: a.ruleId,
        severity: a.severity,
        compound: a.compound,
        type: a.type,
        device: a.device,
      })),
    );
  }

  /** Rule conditions become alerts: raised opens (or updates) one, cleared marks it. */
  applyCondition(change: ConditionChange): void {
    const openId = this.#open.get(`${change.deviceKey}|${change.ruleId}`);
    const alert = openId ? this.#alerts.get(openId) : undefined;
    if (change.change === 'cleared') {
      if (alert && alert.condition === 'active') this.#step(alert, 'condition_cleared', change.at, 'hub');
      return;
    }
    if (alert) {
      this.#step(alert, alert.condition === 'cleared' ? 'condition_active' : 'repeated', change.at, 'hub', change.value);
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
    return this.list({ open: true }).filter((a) => a.condition === 'active').map((a) => ({ deviceKey: a.deviceKey, ruleId: a.ruleId }));
  }

  #raise(base: Omit<Parameters<AlertBook['create']>[0], 'id'>, note?: string): Alert {
    const created = this.create({ id: this.newId(base.at), ...base });
    if (note) created.history[0]!.note = note;
    this.#emit(created.history[0]!, created);
    const first = this.routing.chain(created.compound, base.at)[0];
    if (first) this.#step(created, 'dispatched', base.at, 'hub', undefined, { assignee: first });
    return created;
  }

  accept(id: string, actor: string, at: number): Alert {
    return this.#step(this.#expect(id, ['new', 'dispatched'], 'accept'), 'accepted', at, actor);
  }

  resolve(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: say what was found and done');
    return this.#step(this.#expect(id, ['accepted'], 'resolve'), 'resolved', at, actor, undefined, { note });
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
    this.#step(alert, 'closed', at, actor, undefined, note ? { note } : {});
    if (alert.condition === 'active') {
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
    if (!this.routing.mayTake(assignee, alert.compound)) {
      throw new HubError('ASSIGNEE_INVALID', `${assignee} may not act on alerts of ${alert.compound}`, { params: { assignee, compound: alert.compound } });
    }
    return this.#step(alert, 'reassigned', at, actor, undefined, { assignee });
  }

  comment(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: a comment needs text');
    return this.#step(this.get(id), 'commented', at, actor, undefined, { note });
  }

  /** Missed deadlines escalate; resolved alerts whose condition stays cleared close. */
  tick(now: number): void {
    for (const alert of this.#alerts.values()) {
      if (alert.workflow === 'closed') continue;
      if (alert.workflow === 'resolved') {
        const quietSince = Math.max(alert.clearedAt ?? Infinity, this.#lastAt(alert, 'resolved'));
        if (alert.condition === 'cleared' && now - quietSince >= this.config.autoCloseMin * MINUTE) {
          this.#step(alert, 'closed', now, 'hub', undefined, { note: 'condition cleared and quiet' });
        }
        continue;
      }
      if (alert.dueAt === undefined || now < alert.dueAt) continue;
      const chain = this.routing.chain(alert.compound, now);
      const next = chain[Math.min(alert.escalationLevel + 1, chain.length - 1)];
      // Not accepted in time: the next person gets it. Accepted but not resolved: the next level is told.
      const note = alert.workflow === 'accepted' ? 'resolve deadline missed' : 'accept deadline missed';
      this.#step(alert, 'escalated', now, 'hub', undefined, { assignee: next, note });
    }
  }

  /**
   * Rebuilds alerts from their stored events (oldest first), as after a restart: the
   * same reducer as live steps, without notifying anyone again.
   */
  restore(records: StoredAlertEvent[]): void {
    // Oldest first; a raise goes before the steps of the same millisecond (its dispatch).
    const ordered = [...records].sort((a, b) => a.at - b.at || Number(b.kind === 'raised') - Number(a.kind === 'raised'));
    for (const r of ordered) {
      const existing = this.#alerts.get(r.alertId);
      if (r.kind === 'raised') {
        if (!existing) this.create({ id: r.alertId, ruleId: r.ruleId, severity: r.severity, compound: r.compound, type: r.type, device: r.device, at: r.at, ...(r.value !== undefined ? { value: r.value } : {}) });
        continue;
      }
      if (!existing) continue; // its raise is older than what was read back
      const event: AlertEvent = { alertId: r.alertId, kind: r.kind, at: r.at, actor: r.actor, ...(r.note ? { note: r.note } : {}), ...(r.assignee ? { assignee: r.assignee } : {}) };
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

  /** A new alert in the book, not yet announced (restore() uses it for alerts of the log). */
  private create(base: { id: string; ruleId: string; severity: Alert['severity']; compound: string; type: Alert['type']; device: string; at: number; value?: FieldValue; field?: string }): Alert {
    const alert: Alert = {
      id: base.id,
      ruleId: base.ruleId,
      name: this.#names.get(base.ruleId) ?? { zh: base.ruleId, en: base.ruleId },
      severity: base.severity,
      deviceKey: `${base.compound}/${base.type}/${base.device}`,
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
        if (event.kind === 'reassigned') alert.dueAt = event.at + sla.acceptMin * MINUTE;
        break;
      case 'accepted':
        alert.workflow = 'accepted';
        alert.assignee = event.actor;
        alert.dueAt = alert.raisedAt + sla.resolveMin * MINUTE;
        // Late to accept is history now; the resolve deadline may already be past too.
        alert.overdue = alert.dueAt <= event.at ? { step: 'resolve', since: alert.dueAt } : undefined;
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
    }
    // Repeats only bump the count: a flapping sensor must not grow the history without bound.
    if (event.kind !== 'repeated') alert.history.push(event);
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

  #step(alert: Alert, kind: AlertEventKind, at: number, actor: string, value?: FieldValue, extra: { note?: string; assignee?: string } = {}): Alert {
    const event: AlertEvent = { alertId: alert.id, kind, at, actor, ...extra };
    this.#reduce(alert, event, value);
    this.#emit(event, alert);
    return alert;
  }

  #emit(event: AlertEvent, alert: Alert): void {
    for (const listener of this.#listeners) listener(event, alert);
  }
}
