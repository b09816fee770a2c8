/** Alerts and their lifecycle events (design.md §7): shared by the alerts stage, the API and, later, dashboards. */
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
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
  /** The assignee checked in on site (到场), for rules that need arrival (elevator rescue). */
  'arrived',
  /** Not accepted yet: the assignee is notified again (every `remindMin`), apart from escalation. */
  'reminded',
  /** Call tree: the assignee did not answer within the ring time, so the next person in the call order is notified too (`assignee` = who was called). */
  'called',
  /** Incident: a device's condition joined it (`note` = the member's device key). */
  'member_joined',
  /** Incident: a member's condition cleared, so it left (`note` = the member's device key). */
  'member_left',
  /** Incident: cleared (or closed) with members still active, which become their own alerts (`note` = their device keys, space-separated). */
  'released',
  /** The condition toggled more than N times in T: notified once, toggles are not notified until it is stable. */
  'flapping',
  /** A flapping condition has kept still for T: notified normally again. */
  'stable',
  /** Hand-over (流转) to a party (`party`), by a hand-over rule of its kind (`actor` hub) or by hand; `assignee` = who holds it now. */
  'handed_over',
  /** After closing: a party rated the handling (`party` = `manager` or `committee`, `score` 1–5, `note` = comment). Once per party. */
  'evaluated',
  /** A resident report marked as spam by a manager: closed with it, counted apart in the figures. */
  'marked_spam',
] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** A device whose condition is part of an incident alert. */
export interface IncidentMember {
  deviceKey: string;
  type: DeviceType;
  device: string;
  ruleId: string;
  /** When its condition was raised. */
  since: number;
  /** The device's own alert, when it had one before the incident formed (it is not dispatched again). */
  alertId?: string;
  /** The device's name in the registry, for the people who read the incident. */
  name?: string;
  /** When it left: its condition cleared, or the incident ended (cleared or closed) and let it go. */
  leftAt?: number;
}

/**
 * What makes an alert an incident (design.md §6 grouping): one alert for N or more devices of one
 * building / zone / compound raising the same kind of condition within a window.
 */
export interface Incident {
  /** Id of the grouping entry of the rules data that formed it. */
  group: string;
  /** What the devices share. */
  scope: 'building' | 'zone' | 'compound';
  /** The building or zone tag (absent for a compound-wide incident). */
  place?: string;
  /** Every device that was a member; those without `leftAt` are active now (a member whose condition clears leaves). */
  members: IncidentMember[];
  /** Most members active at once. */
  peak: number;
}

/** Arrival on site (到场) for rules that need it: the deadline counts from dispatch. */
export interface Arrival {
  /** When the assignee must be on site (dispatch + 30 min in a city, 1 h in a county, or the rule's own). */
  dueAt: number;
  /** When someone checked in, and who. */
  at?: number;
  by?: string;
  /** The browser's position at check-in, when the person allowed it. */
  position?: { lat: number; lon: number; accuracyM?: number };
  /** Metres from the compound's registry position (when both are known). */
  distanceM?: number;
}

/** A rating of a closed alert's handling (评价), once per evaluating party. */
export interface Evaluation {
  party: EvaluatingParty;
  /** 1 (poor) … 5 (very satisfied). */
  score: number;
  comment?: string;
  by: string;
  at: number;
}
export const EVALUATING_PARTIES = ['manager', 'committee'] as const;
export type EvaluatingParty = (typeof EVALUATING_PARTIES)[number];

/** What a resident reported (随手拍), for an alert of rule `resident-report`: never shown to other residents. */
export interface ResidentReport {
  /** The report's id (its receipt link carries a separate secret token). */
  id: string;
  category: ReportCategory;
  /** Building id in the compound (registry), where the resident scanned the notice. */
  building: string;
  /** The building's name in the registry when the report was made (what people read). */
  buildingName?: string;
  text: string;
  /** The photo attached, as an alert photo (GET /api/alerts/:id/photos/:photo). */
  photo?: string;
  /** Marked as spam by a manager. */
  spam?: boolean;
  /**
   * SHA-256 (hex) of the receipt's secret token: the token itself is kept by the resident only.
   * Never answered by the API (alert.schema.ts leaves it out) nor sent on the MQTT alert topic or webhooks.
   */
  tokenHash?: string;
}
/** What a resident may report: the kinds of problem the hub watches (the alert's `type` is the category). */
export const REPORT_CATEGORIES = DEVICE_TYPES;
export type ReportCategory = DeviceType;

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
  /** While the current step (accept, arrive, then resolve) is late: since when it is due. Gone once that step is done. */
  overdue?: { step: 'accept' | 'arrive' | 'resolve'; since: number };
  /** Set when this alert stands for a group of devices (an incident). */
  incident?: Incident;
  /** Set for rules that need arrival on site (elevator rescue). */
  arrival?: Arrival;
  /** The call tree rang these people besides the assignee (any of them may accept). */
  called?: string[];
  /**
   * An accepted alert's escalations (a missed arrival or resolve deadline) told these people that
   * its step is late, while it stays with the assignee: they hold it while it is accepted (they see
   * it and are notified, and may comment), but only the assignee acts (src/contracts/alert-holders.ts).
   * Cleared when it is reassigned.
   */
  escalatedTo?: string[];
  /** When the assignee was last reminded (reminders every `remindMin` until accepted). */
  remindedAt?: number;
  /** The condition is toggling (see the `flapping` event): its toggles are not notified. */
  flapping?: boolean;
  /** Parties (alerts config `groups` ids) it was handed over to, in order: their members see it (contracts/access.ts maySee). */
  parties?: string[];
  /** Ratings after closing, once per evaluating party. */
  evaluations?: Evaluation[];
  /** Set on alerts of rule `resident-report`. */
  report?: ResidentReport;
  history: AlertEvent[];
}

export interface AlertEvent {
  alertId: string;
  kind: AlertEventKind;
  at: number;
  /** Who did it: a user id, or `hub` for automatic steps. */
  actor: string;
  note?: string;
  /** For dispatched / reassigned / escalated: who holds the alert now; for reminded / called: who was notified. */
  assignee?: string;
  /** For arrived: where the person checked in (browser position) and how far from the compound. */
  position?: { lat: number; lon: number; accuracyM?: number };
  distanceM?: number;
  /** For resolved: the photo attached (GET /api/alerts/:id/photos/:photo), when one was. */
  photo?: string;
  /** For handed_over: the party (groups id) it went to; for evaluated: `manager` or `committee`. */
  party?: string;
  /** For evaluated: 1–5. */
  score?: number;
}

/** What the event log keeps of an incident alert beyond its group (its rule): enough to rebuild it as one. */
export interface StoredIncident {
  scope: Incident['scope'];
  place?: string;
  /** Its name and peak when the event happened (the name counts the devices). */
  name: Alert['name'];
  peak: number;
}

/** An alert event as stored in `alert_events`, with what is needed to rebuild the alert. */
export interface StoredAlertEvent extends AlertEvent {
  ruleId: string;
  severity: Severity;
  compound: string;
  type: DeviceType;
  device: string;
  value?: FieldValue;
  /** The alert's key (an incident's is no device's: `{compound}/incident/{group}@{place}`); absent in older logs. */
  deviceKey?: string;
  /** Set on the events of an incident alert. Its members are not in the log: rebuilt, it has none. */
  incident?: StoredIncident;
}
