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
import type { Alert, AlertEvent, AlertEventKind, WorkflowState } from './alert.types.ts';
import type { AlertsConfig } from './sla.config.ts';

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

  /** Rule conditions become alerts: raised opens (or updates) one, cleared marks it. */
  applyCondition(change: ConditionChange): void {
    const key = `${change.deviceKey}|${change.ruleId}`;
    const openId = this.#open.get(key);
    const alert = openId ? this.#alerts.get(openId) : undefined;
    if (change.change === 'cleared') {
      if (alert && alert.condition === 'active') {
        alert.condition = 'cleared';
        alert.clearedAt = change.at;
        this.#record(alert, 'condition_cleared', change.at, 'hub');
      }
      return;
    }
    if (alert) {
      alert.lastSeenAt = change.at;
      alert.count += 1;
      if (change.value !== undefined) alert.value = change.value;
      if (alert.condition === 'cleared') {
        alert.condition = 'active';
        alert.clearedAt = undefined;
        this.#record(alert, 'condition_active', change.at, 'hub');
      } else {
        this.#record(alert, 'repeated', change.at, 'hub');
      }
      return;
    }
    const created: Alert = {
      id: this.newId(change.at),
      ruleId: change.ruleId,
      name: this.#names.get(change.ruleId) ?? { zh: change.ruleId, en: change.ruleId },
      severity: change.severity,
      deviceKey: change.deviceKey,
      compound: change.compound,
      type: change.type,
      device: change.device,
      workflow: 'new',
      condition: 'active',
      raisedAt: change.at,
      lastSeenAt: change.at,
      count: 1,
      ...(change.value !== undefined ? { value: change.value } : {}),
      escalationLevel: 0,
      dueAt: change.at + this.#sla(change.severity).acceptMin * MINUTE,
      history: [],
    };
    this.#alerts.set(created.id, created);
    this.#open.set(key, created.id);
    this.#record(created, 'raised', change.at, 'hub');
    const first = this.#chain(created)[0];
    if (first) {
      created.workflow = 'dispatched';
      created.assignee = first;
      this.#record(created, 'dispatched', change.at, 'hub', { assignee: first });
    }
  }

  accept(id: string, actor: string, at: number): Alert {
    const alert = this.#expect(id, ['new', 'dispatched'], 'accept');
    alert.workflow = 'accepted';
    alert.assignee = actor;
    alert.dueAt = alert.raisedAt + this.#sla(alert.severity).resolveMin * MINUTE;
    this.#record(alert, 'accepted', at, actor);
    return alert;
  }

  resolve(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: say what was found and done');
    const alert = this.#expect(id, ['accepted'], 'resolve');
    alert.workflow = 'resolved';
    alert.dueAt = undefined;
    this.#record(alert, 'resolved', at, actor, { note });
    return alert;
  }

  close(id: string, actor: string, at: number, note?: string): Alert {
    const alert = this.#expect(id, ['resolved'], 'close');
    this.#closeAlert(alert, at, actor, note);
    return alert;
  }

  /** A resolved alert the manager does not accept goes back to the worker. */
  reopen(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: say why the alert is reopened');
    const alert = this.#expect(id, ['resolved'], 'reopen');
    alert.workflow = 'accepted';
    alert.dueAt = at + this.#sla(alert.severity).resolveMin * MINUTE;
    this.#record(alert, 'reopened', at, actor, { note });
    return alert;
  }

  reassign(id: string, actor: string, assignee: string, at: number): Alert {
    const alert = this.#expect(id, ['new', 'dispatched', 'accepted'], 'reassign');
    alert.assignee = assignee;
    alert.workflow = 'dispatched';
    alert.dueAt = at + this.#sla(alert.severity).acceptMin * MINUTE;
    this.#record(alert, 'reassigned', at, actor, { assignee });
    return alert;
  }

  comment(id: string, actor: string, note: string, at: number): Alert {
    if (!note.trim()) throw new HubError('BAD_REQUEST', 'note: a comment needs text');
    const alert = this.get(id);
    this.#record(alert, 'commented', at, actor, { note });
    return alert;
  }

  /** Missed deadlines escalate; resolved alerts whose condition stays cleared close. */
  tick(now: number): void {
    for (const alert of this.#alerts.values()) {
      if (alert.workflow === 'closed') continue;
      if (alert.workflow === 'resolved') {
        const quietSince = Math.max(alert.clearedAt ?? Infinity, this.#lastAt(alert, 'resolved'));
        if (alert.condition === 'cleared' && now - quietSince >= this.config.autoCloseMin * MINUTE) {
          this.#closeAlert(alert, now, 'hub', 'condition cleared and quiet');
        }
        continue;
      }
      if (alert.dueAt === undefined || now < alert.dueAt) continue;
      const chain = this.#chain(alert);
      alert.escalationLevel += 1;
      const next = chain[Math.min(alert.escalationLevel, chain.length - 1)];
      const sla = this.#sla(alert.severity);
      if (alert.workflow === 'accepted') {
        // Resolution overdue: the next level is told; the worker keeps the alert.
        alert.dueAt = now + sla.resolveMin * MINUTE;
        this.#record(alert, 'escalated', now, 'hub', { assignee: next, note: 'resolve deadline missed' });
      } else {
        // Nobody accepted in time: the next person in the chain gets it.
        alert.workflow = 'dispatched';
        alert.assignee = next;
        alert.dueAt = now + sla.acceptMin * MINUTE;
        this.#record(alert, 'escalated', now, 'hub', { assignee: next, note: 'accept deadline missed' });
      }
    }
  }

  /** Grid workers of the alert's compound (on duty first), then the escalation chain. */
  #chain(alert: Alert): string[] {
    const grid = this.config.grids.find((g) => g.compounds.includes(alert.compound));
    return [...(grid?.workers ?? []), ...this.config.escalation];
  }

  #sla(severity: Alert['severity']) {
    return this.config.sla[severity] ?? { acceptMin: 60, resolveMin: 1440 };
  }

  #lastAt(alert: Alert, kind: AlertEventKind): number {
    for (let i = alert.history.length - 1; i >= 0; i -= 1) if (alert.history[i]!.kind === kind) return alert.history[i]!.at;
    return alert.raisedAt;
  }

  #closeAlert(alert: Alert, at: number, actor: string, note?: string): void {
    alert.workflow = 'closed';
    alert.dueAt = undefined;
    this.#open.delete(`${alert.deviceKey}|${alert.ruleId}`);
    this.#record(alert, 'closed', at, actor, note ? { note } : {});
  }

  #expect(id: string, states: WorkflowState[], action: string): Alert {
    const alert = this.get(id);
    if (!states.includes(alert.workflow)) {
      throw new HubError('INVALID_TRANSITION', `cannot ${action} alert ${id}: it is ${alert.workflow} (${action} needs ${states.join(' or ')})`);
    }
    return alert;
  }

  #record(alert: Alert, kind: AlertEventKind, at: number, actor: string, extra: { note?: string; assignee?: string } = {}): void {
    const event: AlertEvent = { alertId: alert.id, kind, at, actor, ...extra };
    // Repeats only bump the count: a flapping sensor must not grow the history without bound.
    if (kind !== 'repeated') alert.history.push(event);
    for (const listener of this.#listeners) listener(event, alert);
  }
}
