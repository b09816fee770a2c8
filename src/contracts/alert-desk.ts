/**
 * The alert desk's contract (issue 16): the query of alerts open and closed (the closed archive
 * is read from the operational database), one page of rows with names, bulk steps answered per
 * alert, and the choices of the filters. Shared by src/api/alert-desk.routes.ts and the
 * dashboards' desk view.
 */
import type { Alert } from '../alerts/alert.types.ts';
import type { Severity } from '../rules/rule.schema.ts';

/** `open`: not closed (default); `closed`: the archive; `all`; or one workflow state. */
export const DESK_STATES = ['open', 'closed', 'all', 'new', 'dispatched', 'accepted', 'resolved'] as const;
export type DeskState = (typeof DESK_STATES)[number];

export const DESK_SORTS = ['raisedAt', 'severity', 'workflow', 'compound'] as const;
export type DeskSort = (typeof DESK_SORTS)[number];

/** At most this many rows a page. */
export const DESK_PAGE_MAX = 200;
/** At most this many alerts in one bulk step. */
export const DESK_BULK_MAX = 100;
/** At most this many rows in one CSV export. */
export const DESK_CSV_MAX_ROWS = 50_000;

/** The query of `GET /api/desk/alerts` (and `.csv`): every filter optional, all of them must hold. */
export interface DeskQuery {
  state?: DeskState;
  severity?: Severity;
  rule?: string;
  compound?: string;
  /** A building tag (`b1`): devices with that tag, and incidents of that building. */
  building?: string;
  /** Who holds it now (its assignee). */
  assignee?: string;
  /** Device name or id, rule name or id, alert id: a part of any of them (case does not matter). */
  q?: string;
  /** Raised at or after (ms epoch). */
  from?: number;
  /** Raised before (ms epoch). */
  to?: number;
  sort?: DeskSort;
  dir?: 'asc' | 'desc';
  /** 1..200, default 50. */
  limit?: number;
  offset?: number;
}

/** One row of the desk: the alert with the names people read. */
export interface DeskRow {
  alert: Alert;
  compoundName: string;
  /** The device's registry name (none: an incident, or a device no longer registered). */
  deviceName?: string;
  building?: string;
  buildingName?: string;
}

export interface DeskAnswer {
  rows: DeskRow[];
  /** How many alerts match the filters (all pages). */
  total: number;
  limit: number;
  offset: number;
}

/** What one alert of a bulk step came to: done, or the error code (src/errors.ts) it was refused with. */
export interface BulkResult {
  id: string;
  ok: boolean;
  error?: string;
  /** The alert as the step left it, when done. */
  alert?: Alert;
}

export interface BulkAnswer {
  results: BulkResult[];
}

/** The choices of the desk's filters within the user's scope. */
export interface DeskChoices {
  compounds: Array<{ id: string; name: string }>;
  buildings: Array<{ compound: string; id: string; name: string }>;
  rules: Array<{ id: string; name: { zh: string; en: string } }>;
}
