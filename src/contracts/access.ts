/**
 * Who may see and do what (design.md §8): roles and scopes, shared by the API, the live
 * socket and the dashboards.
 */
export const ROLES = ['admin', 'manager', 'worker', 'viewer', 'department', 'committee'] as const;
export type Role = (typeof ROLES)[number];

/** The logged-in user as the API and the socket describe them (never a secret). */
export interface Me {
  id: string;
  name: string;
  role: Role;
  /** Compounds in scope: `all`, or the list (a worker's: the compounds of their grids). */
  compounds: 'all' | string[];
  /** A worker's grids. */
  grids: string[];
  /**
   * The parties (alerts config `groups` with a `kind`, docs/parties.md) this login is a member of.
   * A `department` login sees and acts on the alerts handed over (流转) to one of them, and no others.
   */
  parties?: string[];
  /** The password was generated for a first run: the user is asked to change it. */
  mustChangePassword: boolean;
  /** The second factor (GET /api/auth/me and the login answer carry it; not the socket's hello). */
  mfa?: MfaStatus;
}

/** `MFA`: `required` holds admins and managers to a second factor; `optional` lets anyone enrol. */
export const MFA_POLICIES = ['required', 'optional'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** A login's two-factor state as the login itself sees it. */
export interface MfaStatus {
  /** A code is asked at login. */
  enabled: boolean;
  /** The policy holds this login's role to it (it cannot be disabled; until enrolled, only enrolment is open). */
  required: boolean;
  /** Single-use recovery codes not used yet (0 when not enabled). */
  recoveryCodesLeft: number;
  policy: MfaPolicy;
}

/** `POST /api/auth/login`: logged in, or (two-factor login on) the password was right and the code step follows. */
export type LoginAnswer = { user: Me } | { mfaRequired: true; expiresAt: number };
/** `POST /api/auth/login/mfa`: logged in; with the recovery codes left when one was used. */
export interface MfaLoginAnswer {
  user: Me;
  recoveryCodesLeft?: number;
}
/** `POST /api/auth/mfa/start`: the new secret (base32, for typing in), its otpauth:// URI and that URI as an SVG QR code. */
export interface MfaEnrolmentAnswer {
  secret: string;
  uri: string;
  qrSvg: string;
}
/** `POST /api/auth/mfa/confirm` and `/recovery-codes`: the ten recovery codes, shown once. */
export interface RecoveryCodesAnswer {
  recoveryCodes: string[];
  mfa: MfaStatus;
}

/**
 * What each role may do besides reading its scope (docs/parties.md for the last two):
 * - `department`: a street department's desk (fire safety, elevator safety, police…): like a grid
 *   worker, but only on the alerts handed over to its party; no compound scope of its own.
 * - `committee`: an owners' committee (业委会) member: reads the alerts and figures of their
 *   compounds, and evaluates (评价) the handling of closed alerts.
 * - `handover`: pass an alert to a party by hand; `spam`: mark a resident report as spam;
 *   `evaluate`: rate a closed alert's handling once per evaluating party (manager, committee).
 */
export const ROLE_ACTIONS = {
  admin: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'comment', 'silence', 'handover', 'spam', 'ops'],
  manager: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'comment', 'silence', 'handover', 'spam', 'evaluate'],
  worker: ['accept', 'arrive', 'resolve', 'comment'],
  viewer: [],
  department: ['accept', 'arrive', 'resolve', 'comment'],
  committee: ['evaluate'],
} as const satisfies Record<Role, readonly string[]>;
export type Action = (typeof ROLE_ACTIONS)[keyof typeof ROLE_ACTIONS][number];

export function mayDo(role: Role, action: Action): boolean {
  return (ROLE_ACTIONS[role] as readonly string[]).includes(action);
}

export function inScope(me: Pick<Me, 'compounds'>, compound: string): boolean {
  return me.compounds === 'all' || me.compounds.includes(compound);
}

/** Roles that act on alerts only as the people who hold them (src/contracts/alert-holders.ts). */
export const HOLDER_ROLES: readonly Role[] = ['worker', 'department'];

/**
 * Whether the user may see the alert: its compound is in their scope, or (a department) it was
 * handed over to one of their parties. Every alert route, room and channel asks this.
 */
export function maySee(me: Pick<Me, 'compounds' | 'parties'>, alert: { compound: string; parties?: readonly string[] }): boolean {
  return inScope(me, alert.compound) || Boolean(alert.parties?.some((p) => me.parties?.includes(p)));
}
