/**
 * What a session may not do yet: a one-time password to change first (`PASSWORD_CHANGE_REQUIRED`),
 * or, under `MFA=required`, a second factor to set up (`MFA_ENROLMENT_REQUIRED`). Asked by the HTTP
 * guard and the live socket's handshake. On several instances a hold this instance's memory sees
 * is checked in the database before it is applied (the password may have been changed, or the
 * factor set up, through another instance); without a hold nothing is read.
 */
import type { StoredUser } from '../state/state.types.ts';
import type { MfaService } from './mfa.service.ts';
import type { UsersStore } from './users.store.ts';

export type LoginHold = 'PASSWORD_CHANGE_REQUIRED' | 'MFA_ENROLMENT_REQUIRED';

const holdOf = (user: StoredUser, mfa: MfaService | undefined): LoginHold | undefined =>
  user.mustChangePassword ? 'PASSWORD_CHANGE_REQUIRED' : mfa?.mustEnrol(user) ? 'MFA_ENROLMENT_REQUIRED' : undefined;

/** The login (undefined: gone or disabled meanwhile) and its hold: synchronous when there is none. */
export function loginHold(access: { users: UsersStore; mfa?: MfaService | undefined }, user: StoredUser): { user: StoredUser; hold?: LoginHold } | Promise<{ user: StoredUser | undefined; hold?: LoginHold }> {
  const hold = holdOf(user, access.mfa);
  if (!hold) return { user };
  if (!access.users.readsThrough) return { user, hold };
  return (async () => {
    const fresh = await access.users.current(user.id);
    if (!fresh) return { user: undefined };
    if (access.mfa && hold === 'MFA_ENROLMENT_REQUIRED') await access.mfa.enabledNow(fresh.id);
    const now = holdOf(fresh, access.mfa);
    return now ? { user: fresh, hold: now } : { user: fresh };
  })();
}
