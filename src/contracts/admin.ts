/**
 * Administration over HTTP (docs/administration.md): the shapes the admin routes answer and
 * the dashboards' admin pages read. Every write is validated (a 400 carries `issues`, one per
 * `path: message`), scope-checked, and answers a conflict with 409 and its reason.
 *
 * Routes (admin unless said otherwise; "manager" = a manager, for compounds in their scope):
 *   GET    /api/admin/users                          → UsersAnswer
 *   POST   /api/admin/users            NewUserBody   → CreatedUserAnswer (201; 409 CONFLICT when the id is taken)
 *   PATCH  /api/admin/users/:id        UserPatch     → { user: AdminUser }
 *   POST   /api/admin/users/:id/reset-password       → { password } (one-time: must be changed at next login; ends the user's sessions)
 *   POST   /api/admin/users/:id/unlock               → { user: AdminUser } (ends a lock after failed logins; audited as user_unlocked)
 *   POST   /api/admin/users/:id/mfa/reset            → { mfa } (takes two-factor login away, ends the sessions; audited as user_mfa_reset)
 *   GET    /api/admin/places                         → PlacesAnswer (manager: only their compounds)
 *   PUT    /api/admin/places/:kind/:id PlaceBody     → { place }
 *   PUT    /api/admin/compounds/:id    CompoundBody  → { compound }
 *   PUT    /api/admin/compounds/:id/contacts  ContactsBody → { compound }   (manager)
 *   GET    /api/admin/compounds/:id/devices          → DevicesAnswer (manager; retired ones too)
 *   POST   /api/admin/compounds/:id/devices  NewDeviceBody → CreatedDevicesAnswer (201, manager)
 *   POST   /api/admin/compounds/:id/devices/import  text/csv body → CreatedDevicesAnswer | 400 ImportErrorsAnswer (manager; all rows or none)
 *   PATCH  /api/admin/devices/:compound/:type/:device  DevicePatch → { device } (manager)
 *   POST   /api/admin/devices/:compound/:type/:device/retire         → { device } (manager; again: 200, unchanged)
 *   POST   /api/admin/devices/:compound/:type/:device/rotate-secret  → CreatedDevicesAnswer (manager; the old secret stops working)
 *   GET    /api/admin/routing                        → DocAnswer (webhook secrets left out)
 *   PUT    /api/admin/routing          DocBody       → DocAnswer (every entry must resolve to people: 400 ROUTING_INVALID)
 *   GET    /api/admin/rules                          → DocAnswer
 *   PUT    /api/admin/rules            DocBody       → DocAnswer (400 RULES_INVALID with issues)
 *   POST   /api/admin/rules/try        RulesTryBody  → RulesTryAnswer: what the rules would have raised (the backtest; 503 STORE_UNAVAILABLE live-only)
 *   GET    /api/admin/audit            AuditFilter   → AuditAnswer
 *   GET    /api/admin/audit.csv        AuditFilter   → text/csv
 */
import type { DeviceType } from './device-types.ts';
import type { Role } from './access.ts';
import type { Contact as PersonContact } from './api.ts';

/** One validation problem: where (`grids.0.workers.1`, `row 3: secret`) and what. */
export interface Issue {
  path: string;
  message: string;
}

/** A 400 answer to a write: `{ error, message, issues }`. */
export interface ValidationErrorBody {
  error: string;
  message: string;
  issues: Issue[];
}

export interface AdminUser {
  id: string;
  name?: string;
  role: Role;
  compounds?: string[];
  grids?: string[];
  /** How robots @mention them (personal data: only this admin API carries it). */
  contact?: PersonContact;
  disabled: boolean;
  mustChangePassword: boolean;
  /** Locked after failed logins until then (epoch ms; absent: not locked). An admin can unlock it. */
  lockedUntil?: number;
  /** Failed logins in a row, while it is locked. */
  failedLogins?: number;
  /** Two-factor login is on; an admin can reset it (POST /api/admin/users/:id/mfa/reset, audited as user_mfa_reset). */
  mfaEnabled?: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface UsersAnswer {
  users: AdminUser[];
}

export interface NewUserBody {
  id: string;
  name?: string;
  role: Role;
  compounds?: string[];
  grids?: string[];
  contact?: PersonContact;
}

/** The one-time password is shown once; the user must change it at first login. */
export interface CreatedUserAnswer {
  user: AdminUser;
  password: string;
}

export interface UserPatch {
  name?: string;
  role?: Role;
  compounds?: string[];
  grids?: string[];
  /** Replaces the contact whole; `null` (or `{}`) removes it. */
  contact?: PersonContact | null;
  /** A disabled login cannot log in; its sessions end at once. */
  disabled?: boolean;
}

export const PLACE_KINDS = ['district', 'street', 'community'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export interface PlaceView {
  kind: PlaceKind;
  id: string;
  name: string;
  parent?: string;
}

export interface Contact {
  name: string;
  phone?: string;
  role?: string;
}

export interface CompoundView {
  id: string;
  name: string;
  community: string;
  grid?: string;
  buildings?: Record<string, string>;
  zones?: Record<string, string>;
  contacts?: Contact[];
  /** `city` (a city with districts: rescue arrival within 30 min) or `county` (1 h). */
  area: 'city' | 'county';
  /** WGS-84 degrees; arrival check-ins are measured from here. */
  location?: { lat: number; lon: number };
  /** The property desk's phone (the worker's call button). */
  deskPhone?: string;
  deviceCount: number;
}

export interface PlacesAnswer {
  places: PlaceView[];
  compounds: CompoundView[];
}

export interface PlaceBody {
  name: string;
  parent?: string;
}

export interface CompoundBody {
  name: string;
  community: string;
  grid?: string;
  buildings?: Record<string, string>;
  zones?: Record<string, string>;
  /** Default city. */
  area?: 'city' | 'county';
  /** lat −90..90, lon −180..180. */
  location?: { lat: number; lon: number };
  /** The property desk's phone: digits, optionally `+`, spaces, dashes. */
  deskPhone?: string;
}

export interface ContactsBody {
  contacts: Contact[];
}

export interface AdminDevice {
  compound: string;
  type: DeviceType;
  id: string;
  /** `compound/type/device`: also the MQTT client id and username. */
  key: string;
  name?: string;
  building?: string;
  zone?: string;
  reportIntervalSec: number;
  position?: { x: number; y: number };
  retiredAt?: number;
  createdAt: number;
  updatedAt: number;
}

export interface DevicesAnswer {
  devices: AdminDevice[];
}

export interface NewDeviceBody {
  type: DeviceType;
  id: string;
  name?: string;
  building?: string;
  zone?: string;
  reportIntervalSec?: number;
  position?: { x: number; y: number };
}

export interface DevicePatch {
  name?: string;
  building?: string | null;
  zone?: string | null;
  reportIntervalSec?: number;
  position?: { x: number; y: number } | null;
}

/** Device secrets are shown once, here; the hub keeps only their SHA-256. */
export interface CreatedDevicesAnswer {
  devices: Array<{ device: AdminDevice; secret: string }>;
}

/** CSV import refused: nothing was added. Rows count from 1 after the header line. */
export interface ImportErrorsAnswer extends ValidationErrorBody {
  rows: Array<{ row: number; issues: Issue[] }>;
}

/** The CSV header of a device import (`type,id` required, the rest optional). */
export const DEVICE_CSV_COLUMNS = ['type', 'id', 'name', 'building', 'zone', 'reportIntervalSec', 'x', 'y'] as const;

/**
 * A document edited whole (routing and SLAs, rules), with the version a write must name.
 * Version 0: nothing saved yet; `body` is the defaults in force, updatedAt 0, updatedBy ''.
 * Routing: the ALERTS_FILE format without webhook secrets. Rules: `{ rules: [...] }` (RULES_FILE).
 */
export interface DocAnswer {
  body: unknown;
  version: number;
  updatedAt: number;
  updatedBy: string;
}

export interface DocBody {
  body: unknown;
  /** The version read; 409 CONFLICT when someone saved in between. */
  version: number;
}

/** A dry run of rules over stored history before they are saved. */
export interface RulesTryBody {
  /** The rules to try (what `rules` holds in the rules document). */
  rules: unknown[];
  /** Days of history back from now: 1 to 14, default 7. */
  days?: number;
  /** Only this compound's devices. */
  compound?: string;
}

export interface RulesTryAnswer {
  from: number;
  to: number;
  /** Alerts the rules would have raised, in all and per rule. */
  raised: number;
  byRule: Record<string, number>;
  /** Raised and cleared conditions in time order, the first 1000. */
  changes: Array<{
    at: number;
    change: 'raised' | 'cleared';
    ruleId: string;
    severity: 'critical' | 'major' | 'minor' | 'info';
    deviceKey: string;
    compound: string;
    value?: number | boolean | string;
  }>;
  /** More changes than listed. */
  truncated: boolean;
}

/** A one-time password (user created or reset): shown once, to be changed at the next login. */
export interface PasswordAnswer {
  password: string;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  actor?: string;
  compound?: string;
  action?: string;
  beforeId?: number;
  limit?: number;
}

/** One line of the audit log. */
export interface AuditEntryView {
  /** Assigned by the database, increasing. */
  id: number;
  at: number;
  /** User id, `hub` or `seed` for automatic steps, or the login id tried for a failed login. */
  actor: string;
  actorName?: string;
  /** Client address (the proxy's client only when TRUST_PROXY says so). */
  address?: string;
  /** `login`, `login_failed`, `logout`, `password_changed`, `user_created`, `device_added`, `alert_accepted`, `silence_created`, … */
  action: string;
  /** What it was done to: `user:li-qiang`, `device:c1/elevator/e1`, `alert:a-…`, `rules`. */
  target?: string;
  compound?: string;
  before?: unknown;
  after?: unknown;
  note?: string;
}

export interface AuditAnswer {
  entries: AuditEntryView[];
}
