/**
 * The second factor of logins (docs/access.md "Two-factor login"): enrolment (a TOTP secret, shown
 * once as a QR code and as text, confirmed with a code), the check at login (a code, or one of ten
 * single-use recovery codes), regeneration of recovery codes, disabling and an admin's reset.
 *
 * Policy (`MFA`): `optional` (default) lets every login enrol; `required` also holds admins and
 * managers who have not enrolled to the enrolment routes until they do, and keeps them from
 * disabling it. What a login has is kept in the database (UsersRepo) and, for the checks every
 * request makes, summed up in memory. Routes count wrong codes in the login limiter and audit.
 */
import { HubError } from '../errors.ts';
import type { Role } from '../contracts/access.ts';
import type { MfaEnrolmentAnswer, MfaPolicy, MfaStatus } from '../contracts/access.ts';
import type { StoredMfa, UsersRepo } from '../state/state.types.ts';
import type { SecretBox } from './mfa-secret.box.ts';
import { PendingLogins, type PendingLoginsRepo } from './mfa-pending.ts';
import { matchTotp, newTotpSecret, totpQrSvg, totpUri } from './totp.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';

/** Roles `MFA=required` holds to a second factor. */
export const MFA_REQUIRED_ROLES: readonly Role[] = ['admin', 'manager'];

/** The secret in base32 (for typing into an app by hand), its `otpauth://totp/Compound%20Hub:<id>?…` URI and that URI as an SVG QR code. */
export type MfaEnrolment = MfaEnrolmentAnswer;

/** How a second factor was checked: `ok` with the method (and the recovery codes left), or why not. */
export type MfaCheck = { ok: true; method: 'totp' } | { ok: true; method: 'recovery'; recoveryCodesLeft: number } | { ok: false; reason: 'wrong' | 'replayed' | 'not_enrolled' };

interface Summary {
  enabled: boolean;
  recoveryCodesLeft: number;
}

export class MfaService {
  readonly policy: MfaPolicy;
  /** Half-done logins (the password right, the code to come), kept in the database. */
  readonly pending: PendingLogins;
  readonly #repo: UsersRepo;
  readonly #box: SecretBox;
  readonly #byUser = new Map<string, Summary>();

  private constructor(repo: UsersRepo, box: SecretBox, policy: MfaPolicy, pending: PendingLoginsRepo) {
    this.pending = new PendingLogins(pending);
    this.#repo = repo;
    this.#box = box;
    this.policy = policy;
  }

  static async load(repo: UsersRepo, box: SecretBox, policy: MfaPolicy, pending: PendingLoginsRepo): Promise<MfaService> {
    const service = new MfaService(repo, box, policy, pending);
    for (const { id, mfa } of await repo.listMfa()) service.#remember(id, mfa);
    return service;
  }

  /** Whether the login has a confirmed second factor (a code is asked at login). */
  isEnabled(userId: string): boolean {
    return this.#byUser.get(userId)?.enabled ?? false;
  }

  /** Whether the login has a confirmed second factor, read from the database (another hub of a cluster may have changed it); at every password login. */
  async enabledNow(userId: string): Promise<boolean> {
    let stored: StoredMfa | undefined;
    try {
      stored = await this.#repo.getMfa(userId);
    } catch {
      // The database is away: what this hub knows decides (logins go on through an outage; a code step then waits for it).
      return this.isEnabled(userId);
    }
    if (stored) this.#remember(userId, stored);
    else this.#byUser.delete(userId);
    return stored?.enabledAt !== undefined;
  }

  /** Whether the policy holds this role to a second factor. */
  isRequired(role: Role): boolean {
    return this.policy === 'required' && MFA_REQUIRED_ROLES.includes(role);
  }

  /** Required for the role and not enrolled yet: only the enrolment routes are open. */
  mustEnrol(user: { id: string; role: Role }): boolean {
    return this.isRequired(user.role) && !this.isEnabled(user.id);
  }

  status(user: { id: string; role: Role }): MfaStatus {
    const summary = this.#byUser.get(user.id);
    return { enabled: summary?.enabled ?? false, required: this.isRequired(user.role), recoveryCodesLeft: summary?.enabled ? summary.recoveryCodesLeft : 0, policy: this.policy };
  }

  /** A new secret for the login (replacing one not confirmed yet); HubError CONFLICT when one is confirmed. */
  async start(userId: string, at: number): Promise<MfaEnrolment> {
    if (this.isEnabled(userId)) throw new HubError('CONFLICT', 'two-factor login is on already: disable it first, or regenerate the recovery codes');
    const secret = newTotpSecret();
    const mfa: StoredMfa = { secret: this.#box.seal(secret), recoveryHashes: [] };
    // Only while none is confirmed, whatever this hub last read: a start never takes a confirmed factor away.
    if (!(await this.#repo.setUnconfirmedMfa(userId, mfa, at))) {
      await this.enabledNow(userId);
      throw new HubError('CONFLICT', 'two-factor login is on already: disable it first, or regenerate the recovery codes');
    }
    this.#remember(userId, mfa);
    const uri = totpUri(secret, userId);
    return { secret, uri, qrSvg: totpQrSvg(uri) };
  }

  /** Confirms an enrolment with a code from the app: on, and its ten recovery codes (shown once). */
  async confirm(userId: string, code: string, at: number): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong' | 'not_started' }> {
    const stored = await this.#repo.getMfa(userId);
    if (!stored) return { ok: false, reason: 'not_started' };
    if (stored.enabledAt !== undefined) throw new HubError('CONFLICT', 'two-factor login is on already');
    const step = matchTotp(this.#box.open(stored.secret), code, at, stored.lastStep);
    if (step === undefined) return { ok: false, reason: 'wrong' };
    const recoveryCodes = newRecoveryCodes();
    const mfa: StoredMfa = { secret: stored.secret, enabledAt: at, lastStep: step, recoveryHashes: recoveryCodes.map(hashRecoveryCode) };
    // Of two confirmations at once, one turns it on.
    if (!(await this.#repo.setUnconfirmedMfa(userId, mfa, at))) throw new HubError('CONFLICT', 'two-factor login is on already');
    this.#remember(userId, mfa);
    return { ok: true, recoveryCodes };
  }

  /** Checks a code (or a recovery code, used up by this) of an enrolled login: each is taken once. */
  async check(userId: string, answer: { code?: string | undefined; recoveryCode?: string | undefined }, at: number): Promise<MfaCheck> {
    const stored = await this.#repo.getMfa(userId);
    if (!stored || stored.enabledAt === undefined) return { ok: false, reason: 'not_enrolled' };
    if (answer.recoveryCode !== undefined) {
      const left = await this.#repo.takeRecoveryCode(userId, hashRecoveryCode(answer.recoveryCode));
      if (left === undefined) return { ok: false, reason: 'wrong' };
      this.#byUser.set(userId, { enabled: true, recoveryCodesLeft: left });
      return { ok: true, method: 'recovery', recoveryCodesLeft: left };
    }
    const secret = this.#box.open(stored.secret);
    const code = answer.code ?? '';
    const step = matchTotp(secret, code, at, stored.lastStep);
    if (step === undefined) return { ok: false, reason: matchTotp(secret, code, at) !== undefined ? 'replayed' : 'wrong' };
    // Taken in one statement: the same code sent twice at once logs in once.
    if (!(await this.#repo.takeTotpStep(userId, step))) return { ok: false, reason: 'replayed' };
    return { ok: true, method: 'totp' };
  }

  /** Ten new recovery codes (the old ones stop working); shown once. */
  async regenerateRecoveryCodes(userId: string, at: number): Promise<string[]> {
    const stored = await this.#repo.getMfa(userId);
    if (!stored || stored.enabledAt === undefined) throw new HubError('BAD_REQUEST', 'two-factor login is not on');
    const recoveryCodes = newRecoveryCodes();
    const recoveryHashes = recoveryCodes.map(hashRecoveryCode);
    // Only the codes are written (the step a code just took stays taken), and only while the factor is on (an admin's reset meanwhile holds).
    if (!(await this.#repo.setRecoveryHashes(userId, recoveryHashes, at))) {
      await this.enabledNow(userId);
      throw new HubError('BAD_REQUEST', 'two-factor login is not on');
    }
    this.#remember(userId, { ...stored, recoveryHashes });
    return recoveryCodes;
  }

  /** Takes the second factor away (the user's own disabling, an admin's reset); whether there was one. */
  async remove(userId: string, at: number): Promise<boolean> {
    const had = this.#byUser.has(userId);
    await this.#repo.setMfa(userId, null, at);
    this.#byUser.delete(userId);
    await this.pending.endUser(userId);
    return had;
  }

  #remember(userId: string, mfa: StoredMfa): void {
    this.#byUser.set(userId, { enabled: mfa.enabledAt !== undefined, recoveryCodesLeft: mfa.recoveryHashes.length });
  }
}
