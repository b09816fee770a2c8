/** Alerts and their lifecycle events (design.md §7): shared by the alerts stage, the API and, later, dashboards. */
import type { DeviceType } from '../contracts/device-types.ts';
import type { FieldValue } from '../contracts/payloads.ts';
import type { Severity } from '../rules/rule.schema.ts';

export const WORKFLOW_STATES = ['new', 'dispatched', 'accepted', 'resolved', 'closed'] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

export const ALERT_EVENT_KINDS = [
  'raised',
  'repeated',
  'condition_cleared',
  'condition_active',
  'dispatched',
  'accepted',
  'resolved',
  'closed',
  'reopened',
  'escalated',
  'reassigned',
  'commented',
] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

export interface Alert {
  id: string;
  ruleId: string;
  name: { zh: string; en: string };
  severity: Severity;
  deviceKey: string;
  compound: string;
  type: DeviceType;
  device: string;
  workflow: WorkflowState;
  condition: 'active' | 'cleared';
  raisedAt: number;
  lastSeenAt: number;
  count: number;
  value?: FieldValue;
  /** The telemetry field whose value raised it (threshold-like rules): its unit is FIELD_UNITS[field]. */
  field?: string;
  clearedAt?: number;
  assignee?: string;
  /** 0 = first responder; each missed deadline moves one step along the escalation chain. */
  escalationLevel: number;
  /** The next SLA deadline for the current step (accept, then resolve), ms epoch; after an escalation, the next person's. */
  dueAt?: number;
  /** While the current step (accept, then resolve) is late: since when it is due. Gone once that step is done. */
  overdue?: { step: 'accept' | 'resolve'; since: number };
  history: AlertEvent[];
}

export interface AlertEvent {
  alertId: string;
  kind: AlertEventKind;
  at: number;
  /** Who did it: a user id, or `hub` for automatic steps. */
  actor: string;
  note?: string;
  /** For dispatched / reassigned / escalated: who holds the alert now. */
  assignee?: string;
}

/** An alert event as stored in `alert_events`, with what is needed to rebuild the alert. */
export interface StoredAlertEvent extends AlertEvent {
  ruleId: string;
  severity: Severity;
  compound: string;
  type: DeviceType;
  device: string;
  value?: FieldValue;
}
