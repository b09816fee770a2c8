/**
 * The public building notice (issue 18, residents): what is out of service or blocked in one
 * building now, and what was fixed there lately. Read without a login by anyone who scans the
 * building's QR code, so it carries no personal data: no people (assignee, actor), no notes, no
 * alert or device ids, no history. Shared by the hub (src/notice/, src/api/notice.routes.ts)
 * and the notice page of the dashboards (dashboards/web/src/notice-page.ts).
 */
import type { DeviceType } from './device-types.ts';

/** A coarse state for residents: `reported` (new or dispatched), `in_progress` (accepted), `fixed` (resolved or closed). */
export const NOTICE_STATES = ['reported', 'in_progress', 'fixed'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

export interface NoticeItem {
  /** What is wrong: the rule's name (`电梯困人` / `Passenger trapped`). */
  what: { zh: string; en: string };
  /** The device's name in the registry (`2号楼 1号电梯`); absent when the registry gives it none (never its id). */
  device?: string;
  type: DeviceType;
  /** Since when (the alert was raised), ms epoch. */
  since: number;
  state: NoticeState;
  /** When it was fixed (resolved, or closed without a resolve step), for `fixed` only. */
  fixedAt?: number;
}

export interface NoticeAnswer {
  compound: { id: string; name: string };
  building: { id: string; name: string };
  /** When the answer was made (it may be served from a cache for up to NOTICE_MAX_AGE_SEC). */
  at: number;
  /** Out of service or blocked now (`reported`, `in_progress`), newest first. */
  open: NoticeItem[];
  /** Fixed within the last NOTICE_FIXED_WINDOW_MS, latest fix first. */
  fixed: NoticeItem[];
}

/** How far back the notice shows what was fixed. */
export const NOTICE_FIXED_WINDOW_MS = 24 * 60 * 60 * 1000;
/** How long one building's answer is kept and may be kept by a browser or proxy (Cache-Control max-age). */
export const NOTICE_MAX_AGE_SEC = 10;
/** How often the notice page asks again. */
export const NOTICE_REFRESH_MS = 30_000;

/** The public page of a building's notice (relative to the hub's address): what its QR code points at. */
export const noticePagePath = (compound: string, building: string): string => `/notice/${encodeURIComponent(compound)}/${encodeURIComponent(building)}`;
/** The JSON the page reads. */
export const noticeApiPath = (compound: string, building: string): string => `/api/public/notice/${encodeURIComponent(compound)}/${encodeURIComponent(building)}`;
