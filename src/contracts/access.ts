/**
 * Who may see and do what (design.md §8): roles and scopes, shared by the API, the live
 * socket and the dashboards.
 */
export const ROLES = ['admin', 'manager', 'worker', 'viewer'] as const;
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
  /** The password was generated for a first run: the user is asked to change it. */
  mustChangePassword: boolean;
}

/** What each role may do besides reading its scope. */
export const ROLE_ACTIONS = {
  admin: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'comment', 'silence', 'ops'],
  manager: ['accept', 'arrive', 'resolve', 'close', 'reopen', 'reassign', 'comment', 'silence'],
  worker: ['accept', 'arrive', 'resolve', 'comment'],
  viewer: [],
} as const satisfies Record<Role, readonly string[]>;
export type Action = (typeof ROLE_ACTIONS)['admin'][number];

export function mayDo(role: Role, action: Action): boolean {
  return (ROLE_ACTIONS[role] as readonly string[]).includes(action);
}

export function inScope(me: Pick<Me, 'compounds'>, compound: string): boolean {
  return me.compounds === 'all' || me.compounds.includes(compound);
}
