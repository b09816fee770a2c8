/**
 * The per-account lockout of the login limiter on several instances (docs/access.md "Logins on
 * several instances"): the failure streak and lock of each account (the id tried, lower case;
 * unknown ids alike) are kept in the database (login_failures), so guesses spread over instances
 * count as one streak. Each attempt is charged there before its password or code is checked,
 * in one compare-and-swap: the attempt that reaches the limit sets the lock at once, so while it is
 * in flight every other instance refuses the account (one attempt at a time after a lock, as on
 * one hub). A success clears the streak; an attempt that was no failure (the password right,
 * the code to come; an error) gives its charge back if nothing changed meanwhile.
 */
import { HubError } from '../errors.ts';
import type { LoginFailures, SessionsRepo } from '../state/state.types.ts';

export type AccountFailuresRepo = Pick<SessionsRepo, 'loginFailures' | 'swapLoginFailures'>;

export interface AccountLockRules {
  accountFailures: number;
  streakResetMs: number;
  /** The lock after `failures` failures in a row. */
  lockMs(failures: number): number;
}

/** An attempt charged in the database. */
export interface SharedCharge {
  /** The lock this attempt set, should it fail (0: none). */
  readonly lockedUntil: number;
  /** The password or code was right: the streak ends on every instance. */
  cleared(): Promise<void>;
  /** The attempt was no failure: its charge is given back (when nothing changed since). */
  returned(): Promise<void>;
}

export type SharedReservation = { ok: true; charge: SharedCharge } | { ok: false; until: number };

/** Compare-and-swap rounds before an attempt is refused as contended (many instances at the same instant). */
const ROUNDS = 8;
const CONTENDED_WAIT_MS = 1000;

export class SharedAccountLocks {
  readonly #repo: AccountFailuresRepo;
  readonly #rules: AccountLockRules;

  constructor(repo: AccountFailuresRepo, rules: AccountLockRules) {
    this.#repo = repo;
    this.#rules = rules;
  }

  /** Charges an attempt on `account` (lower case) before it is checked, or says until when the account is locked. */
  async reserve(account: string, now: number): Promise<SharedReservation> {
    for (let round = 0; round < ROUNDS; round++) {
      const kept = await this.#repo.loginFailures(account);
      const base = this.#current(kept, now);
      if (base.lockedUntil > now) return { ok: false, until: base.lockedUntil };
      const failures = base.failures + 1;
      const next: LoginFailures = { failures, lockedUntil: failures >= this.#rules.accountFailures ? now + this.#rules.lockMs(failures) : 0, lastFailure: now };
      if (await this.#repo.swapLoginFailures(account, kept, next)) return { ok: true, charge: this.#charge(account, kept, next) };
    }
    return { ok: false, until: now + CONTENDED_WAIT_MS };
  }

  /** Ends the streak and lock of an account on every instance (a success, an admin's unlock). */
  async clear(account: string): Promise<void> {
    for (let round = 0; round < ROUNDS; round++) {
      const kept = await this.#repo.loginFailures(account);
      if (!kept || (await this.#repo.swapLoginFailures(account, kept, undefined))) return;
    }
    throw new HubError('CONFLICT', `the login failures of ${account} changed ${ROUNDS} times while being cleared`);
  }

  /** What is kept, with a streak forgotten after `streakResetMs` without a failure (and no lock). */
  #current(kept: LoginFailures | undefined, now: number): LoginFailures {
    if (!kept || (kept.lockedUntil <= now && now - kept.lastFailure >= this.#rules.streakResetMs)) return { failures: 0, lockedUntil: 0, lastFailure: 0 };
    return kept;
  }

  #charge(account: string, before: LoginFailures | undefined, charged: LoginFailures): SharedCharge {
    return {
      lockedUntil: charged.lockedUntil,
      cleared: () => this.clear(account),
      returned: async () => {
        await this.#repo.swapLoginFailures(account, charged, before);
      },
    };
  }
}
