/**
 * Who may see and do what (design.md §8): roles and scopes, shared by the API, the live
 * socket and the dashboards.
 *
 * Besides the four roles of design.md §8, two parties of the loop (docs/parties.md):
 * - `department`: a member of a street department (fire safety desk, elevator safety desk). It
 *   has no compounds of its own: it sees and acts only on the alerts handed over (流转) to one of
 *   its parties (`Me.parties`), like a grid worker on the alerts it holds.
 * - `committee`: an owners' committee (业委会) member. It reads its compounds' alerts and figures
 *   and may evaluate (评价) closed alerts; it takes no workflow step.
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
  /** The parties (alerts config `groups`) the user is a member of: alerts handed over to one of them are in scope (maySee). */
  parties: string[];
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

/** What each role may do besides reading its scope. */
export const ROLE_ACTIONS = {
  admin: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'handover', 'comment', 'silence', 'spam', 'ops'],
  manager: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'handover', 'comment', 'silence', 'evaluate', 'spam'],
  worker: ['accept', 'arrive', 'resolve', 'comment'],
  viewer: [],
  department: ['accept', 'arrive', 'resolve', 'comment'],
  committee: ['evaluate'],
} as const satisfies Record<Role, readonly string[]>;
export type Action = (typeof ROLE_ACTIONS)[Role][number];

/**
 * Roles that act on an alert only while they hold it (src/contracts/alert-holders.ts): a grid
 * worker, and a department member on what was handed over to its party.
 */
export const HOLDER_ROLES: readonly Role[] = ['worker', 'department'];

export function mayDo(role: Role, action: Action): boolean {
  return (ROLE_ACTIONS[role] as readonly string[]).includes(action);
}

export function inScope(me: Pick<Me, 'compounds'>, compound: string): boolean {
  return me.compounds === 'all' || me.compounds.includes(compound);
}

/**
 * Whether the user may see the alert: its compound is in their scope, or it was handed over to
 * one of their parties (a department sees nothing else of the compound).
 */
export function maySee(me: Pick<Me, 'compounds' | 'parties'>, alert: { compound: string; parties?: readonly string[] }): boolean {
  return inScope(me, alert.compound) || Boolean(alert.parties?.some((p) => me.parties.includes(p)));
}
