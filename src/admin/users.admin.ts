/**
 * Logins (admin only): list, add with a one-time password, change role and scope, disable,
 * reset a password. A new or reset password must be changed at the next login. A change that
 * would leave the routing reaching nobody (disabling a grid's only worker, making a worker a
 * viewer) or leave no admin who can log in is refused with 409 CONFLICT.
 */
import { HubError } from '../errors.ts';
import type { AdminUser, CreatedUserAnswer, NewUserBody, UserPatch } from '../contracts/admin.ts';
import type { Me } from '../contracts/access.ts';
import { userSchema, type User } from '../auth/users.schema.ts';
import { contactOrUndefined } from '../auth/contact.schema.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';
import { passwordProblem } from '../auth/password-policy.ts';
import { describeUser } from '../auth/user-scope.ts';
import { checkRouting } from '../alerts/routing.ts';
import type { StoredUser } from '../state/state.types.ts';
import type { AuditActor } from '../audit/audit.log.ts';
import type { AdminDeps } from './admin.types.ts';
import { lineIssues, parseWith, ValidationError } from './issues.ts';
import { CHANGED, changedAnything, changes, entry } from './audit.diff.ts';
import { currentRouting } from './routing.admin.ts';
import { placesOf } from './places.admin.ts';

export function adminUser(user: StoredUser): AdminUser {
  return {
    id: user.id,
    ...(user.name !== undefined ? { name: user.name } : {}),
    role: user.role,
    ...(user.compounds ? { compounds: [...user.compounds] } : {}),
    ...(user.grids ? { grids: [...user.grids] } : {}),
    ...(user.contact ? { contact: { ...user.contact } } : {}),
    disabled: user.disabled,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** The user without its hash and timestamps: what the audit log compares. */
const audited = (user: StoredUser | (User & { disabled: boolean })) => {
  const { passwordHash: _hash, ...rest } = user as StoredUser;
  return rest;
};

export class UsersAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  async list(): Promise<AdminUser[]> {
    return (await this.#deps.state.users.list()).map(adminUser).sort((a, b) => a.id.localeCompare(b.id));
  }

  async create(body: NewUserBody, by: AuditActor): Promise<CreatedUserAnswer> {
    const { state, hooks, audit, now } = this.#deps;
    if (await state.users.get(body.id)) throw new HubError('CONFLICT', `user ${body.id} exists already`, { params: { id: body.id } });
    const password = oneTimePassword(body.id);
    const { contact, ...rest } = body;
    const kept = contactOrUndefined(contact);
    const user = parseWith(userSchema, { ...rest, ...(kept ? { contact: kept } : {}), passwordHash: await hashPassword(password), mustChangePassword: true }, 'BAD_REQUEST', 'user');
    await this.#checkScope(user);
    const stored = await state.users.insert(user, now());
    await hooks.userChanged(stored.id);
    audit.record(entry(by, { action: 'user_created', target: `user:${stored.id}`, ...changes(undefined, { ...audited(stored), password: CHANGED }) }));
    return { user: adminUser(stored), password };
  }

  async update(id: string, patch: UserPatch, by: AuditActor): Promise<AdminUser> {
    const { state, hooks, audit, now } = this.#deps;
    const current = await this.#get(id);
    const { createdAt: _c, updatedAt: _u, contact: currentContact, ...fields } = current;
    // The contact is replaced whole; null or {} takes it away.
    const { contact: patchContact, ...rest } = patch;
    const contact = patchContact === undefined ? currentContact : contactOrUndefined(patchContact);
    const next = { ...fields, ...stripUndefined(rest), ...(contact ? { contact } : {}) };
    const diff = changes(audited(current), audited({ ...next, createdAt: current.createdAt, updatedAt: current.updatedAt }));
    if (!changedAnything(diff)) return adminUser(current);
    const { disabled, ...user } = next;
    const valid = parseWith(userSchema, user, 'BAD_REQUEST', 'user');
    await this.#checkScope(valid);
    if (by.actor === id && (disabled || valid.role !== 'admin') && current.role === 'admin') {
      throw new HubError('CONFLICT', 'you cannot disable yourself or take away your own admin role: ask another admin', { params: { id } });
    }
    await this.#checkOthers(current, { ...valid, disabled });
    const stored = await state.users.update({ ...valid, disabled }, now());
    await hooks.userChanged(id);
    audit.record(entry(by, { action: 'user_updated', target: `user:${id}`, ...diff }));
    return adminUser(stored);
  }

  /** A new one-time password; the user must change it at the next login (the route ends their sessions). */
  async resetPassword(id: string, by: AuditActor): Promise<{ password: string }> {
    const { state, hooks, audit, now } = this.#deps;
    const current = await this.#get(id);
    const { createdAt: _c, updatedAt: _u, ...fields } = current;
    const password = oneTimePassword(id);
    await state.users.update({ ...fields, passwordHash: await hashPassword(password), mustChangePassword: true }, now());
    await hooks.userChanged(id);
    audit.record(
      entry(by, {
        action: 'user_password_reset',
        target: `user:${id}`,
        before: { passwordHash: CHANGED, mustChangePassword: current.mustChangePassword },
        after: { passwordHash: CHANGED, mustChangePassword: true },
      }),
    );
    return { password };
  }

  async #get(id: string): Promise<StoredUser> {
    const user = await this.#deps.state.users.get(id);
    if (!user) throw new HubError('NOT_FOUND', `user ${id} does not exist`, { params: { id } });
    return user;
  }

  /** The compounds and grids a login names must exist. */
  async #checkScope(user: User): Promise<void> {
    const issues = [];
    if (user.role === 'committee' && !user.compounds?.length) issues.push({ path: 'compounds', message: 'an owners\' committee member reads the compounds listed here: name at least one' });
    if (user.compounds?.length) {
      const known = new Set((await placesOf(this.#deps.state)).compounds.map((c) => c.id));
      for (const [i, c] of user.compounds.entries()) if (!known.has(c)) issues.push({ path: `compounds.${i}`, message: `there is no compound "${c}"` });
    }
    if (user.grids?.length) {
      const grids = new Set((await currentRouting(this.#deps)).grids.map((g) => g.id));
      for (const [i, g] of user.grids.entries()) if (!grids.has(g)) issues.push({ path: `grids.${i}`, message: `there is no grid "${g}" in the routing` });
    }
    if (issues.length) throw new ValidationError('BAD_REQUEST', 'user', issues);
  }

  /** The routing must still reach people, and some admin must still be able to log in. */
  async #checkOthers(before: StoredUser, after: User & { disabled: boolean }): Promise<void> {
    if (before.role === 'admin' && !before.disabled && (after.disabled || after.role !== 'admin')) {
      const admins = (await this.#deps.state.users.list()).filter((u) => u.role === 'admin' && !u.disabled && u.id !== before.id);
      if (!admins.length) throw new HubError('CONFLICT', `${before.id} is the last admin who can log in`, { params: { id: before.id } });
    }
    if (before.role === after.role && before.disabled === after.disabled && same(before.grids, after.grids) && same(before.compounds, after.compounds)) return;
    const routing = await currentRouting(this.#deps);
    const known = new Set(checkRouting(routing, this.#deps.people()));
    const people: Me[] = this.#deps.people().filter((p) => p.id !== before.id);
    if (!after.disabled) people.push(describeUser(after, routing));
    // Only what this change breaks: problems the routing had already are not this change's.
    const problems = checkRouting(routing, people).filter((p) => !known.has(p));
    if (problems.length) {
      throw new ValidationError('CONFLICT', `the routing would reach nobody: change it first (PUT /api/admin/routing)`, lineIssues(problems), { params: { id: before.id } });
    }
  }
}

/** A generated one-time password, held to the password policy like any other (16 random characters pass it; the loop is a guarantee, not a retry). */
function oneTimePassword(loginId: string): string {
  for (;;) {
    const password = generatePassword();
    if (!passwordProblem(password, loginId)) return password;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
