/**
 * Resident reports (随手拍, issue 18): a resident who scanned a building's notice reports a problem
 * without a login and keeps a receipt link to follow its progress. What the public routes take and
 * answer, their limits and paths: shared by the hub (src/api/reports.routes.ts, src/reports/) and
 * the residents' pages (dashboards/web/src/report-page.ts). No dependencies beyond contracts.
 *
 *   POST /api/public/reports                 ReportBody → ReportReceipt (429 RATE_LIMITED + Retry-After)
 *   GET  /api/public/reports/:id?t={token}   → ReportProgress (unknown id or wrong token: 404 NOT_FOUND)
 *   POST /api/alerts/:id/spam                { note? } → the alert, closed as spam (managers, admins)
 */
import { DEVICE_TYPES, type DeviceType } from './device-types.ts';

/** What a resident may report: the kinds of problem the hub watches (the alert's `type`). */
export const REPORT_CATEGORY_LIST = DEVICE_TYPES;
/** The longest report text, in characters (after trimming). */
export const REPORT_TEXT_MAX = 500;

/** Rate limits (token buckets, refilled evenly over the hour): per client address (an IPv6 /64 counts as one)… */
export const REPORTS_PER_ADDRESS_PER_HOUR = 5;
/** …and per building of a compound, whoever sends them. */
export const REPORTS_PER_BUILDING_PER_HOUR = 20;

/** The rule id and name of the alerts reports become (no rule of the rules data: the book raises them itself). */
export const REPORT_RULE_ID = 'resident-report';
export const REPORT_RULE_NAME = { zh: '居民报告', en: 'Resident report' } as const;

export interface ReportBody {
  compound: string;
  building: string;
  category: DeviceType;
  /** 1–REPORT_TEXT_MAX characters. */
  text: string;
  /** A JPEG, PNG or WebP image as base64 (at most PHOTO_MAX_BYTES once decoded). */
  photo?: string;
}

export interface ReportReceipt {
  /** The report (its alert) id. */
  id: string;
  /** The receipt page (relative to the hub's address): `/report/{id}?t={token}`. Keep it: it is the only way back. */
  receipt: string;
}

/** A coarse state for the resident, like the notice's, and `closed_as_spam` for a report a manager judged invalid. */
export const REPORT_STATES = ['reported', 'in_progress', 'fixed', 'closed_as_spam'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** The receipt's answer: no names, no notes, no ids but the report's own. */
export interface ReportProgress {
  id: string;
  category: DeviceType;
  compound: { name: string };
  building: { name: string };
  /** When the report was made (ms epoch). */
  createdAt: number;
  state: ReportState;
  /** Each change of the coarse state, oldest first (the first is `reported` at createdAt). */
  steps: Array<{ state: ReportState; at: number }>;
}

/** How often the receipt page asks again. */
export const REPORT_REFRESH_MS = 30_000;

const enc = encodeURIComponent;
/** The public report form of a building (the notice page links to it). */
export const reportFormPath = (compound: string, building: string): string => `/report-form/${enc(compound)}/${enc(building)}`;
export const reportReceiptPath = (id: string, token: string): string => `/report/${enc(id)}?t=${enc(token)}`;
export const REPORTS_API_PATH = '/api/public/reports';
export const reportProgressApiPath = (id: string, token: string): string => `${REPORTS_API_PATH}/${enc(id)}?t=${enc(token)}`;
