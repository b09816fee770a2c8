/**
 * Login brute-force limit (docs/access.md "Brute force"). An attempt takes its slot before the
 * password is checked (`begin`, synchronous), so guesses sent at once cannot all pass the check
 * while scrypt runs: they are counted the moment they arrive.
 *
 * - **Per account** (whatever the address): after `accountFailures` failures in a row the account
 *   is locked for `lockBaseMs`; each further failure doubles the lock, up to `lockMaxMs`. While
 *   it is locked every login is refused, the right password too; after a lock, one attempt at a
 *   time. A success (or an admin's `unlock`) ends the streak; so do `streakResetMs` without a
 *   failure. Unknown ids are counted the same, so a lock tells nothing of who exists.
 * - **Per address** (whatever the account): at most `perAddress` attempts in `windowMs` that were
 *   not successes; over it, logins from there are refused until the window has passed.
 *
 * Kept in memory (a restart forgets counts and locks); memory is bounded by `maxKeys`. On several
 * instances (`share`) the per-account streak and lock are also kept in the database
 * (account-locks.shared.ts), so guesses spread over the instances count as one streak; routes then
 * take their slot with `enter` (this memory first, synchronously, then the database). Per-address
 * counts stay per instance.
 */
import { SharedAccountLocks, type AccountFailuresRepo } from './account-locks.shared.ts';

export interface LoginLimits {
  /** Failures in a row that lock an account. */
  accountFailures: number;
  /** The first lock; each further failure doubles it, up to `lockMaxMs`. */
  lockBaseMs: number;
  lockMaxMs: number;
  /** A streak of failures is forgotten after this long without one. */
  streakResetMs: number;
  /** The window of the per-address count. */
  windowMs: number;
  /** Attempts (not successes) per address in `windowMs`, whatever the account. */
  perAddress: number;
  /** Accounts and addresses tracked at most each (oldest forgotten first, locked accounts last). */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  accountFailures: 5,
  lockBaseMs: 60_000,
  lockMaxMs: 15 * 60_000,
  streakResetMs: 24 * 3_600_000,
  windowMs: 15 * 60_000,
  perAddress: 30,
  maxKeys: 50_000,
};

/** Why a login is refused before its password is checked. */
export interface LoginRefusal {
  /** `account`: the account is locked (or has its attempts in flight); `address`: too many from there. */
  scope: 'account' | 'address';
  /** When a try may succeed again (epoch ms). */
  until: number;
  retryAfterSec: number;
}

/** A login attempt that holds its slot: say how it ended. */
export interface LoginAttempt {
  /** The password was wrong. `lockedUntil`: this failure locked the account (until then). */
  failed(now: number): { lockedUntil?: number };
  /** The password was right: the account's streak ends, the address is not charged. */
  succeeded(): void;
  /**
   * The password was right but a second factor is still to come: the slot is freed and the address
   * not charged, the streak stays (only a complete login ends it, so a known password cannot be
   * used to clear the count of wrong codes).
   */
  passed(): void;
}

export interface AccountLock {
  /** The id tried (lower case). */
  user: string;
  failures: number;
  lockedUntil: number;
}

interface AccountState {
  streak: number;
  pending: number;
  lockedUntil: number;
  lastFailure: number;
}

/** How long an attempt refused for the attempts in flight waits. */
const IN_FLIGHT_WAIT_MS = 1000;

export type LoginSlot = { ok: true; attempt: LoginAttempt } | { ok: false; refusal: LoginRefusal };

/** An attempt that ends once: whichever of its three endings comes first counts, the others do nothing. */
function endsOnce(ends: LoginAttempt): LoginAttempt {
  let done = false;
  const first = (): boolean => !done && (done = true);
  return {
    failed: (at) => (first() ? ends.failed(at) : {}),
    succeeded: () => void (first() && ends.succeeded()),
    passed: () => void (first() && ends.passed()),
  };
}

export class LoginLimiter {
  readonly #accounts = new Map<string, AccountState>();
  readonly #addresses = new Map<string, number[]>();
  readonly #limits: LoginLimits;
  #shared: { locks: SharedAccountLocks; onError: (error: Error) => void } | undefined;
  /** Shared charges of an account being settled here: the next attempt waits for them. */
  readonly #settling = new Map<string, Promise<void>>();

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
  }

  /** Several instances: the per-account streak and lock are kept in the database too (`onError`: a settlement not written). */
  share(repo: AccountFailuresRepo, onError: (error: Error) => void): void {
    const { accountFailures, streakResetMs } = this.#limits;
    this.#shared = { locks: new SharedAccountLocks(repo, { accountFailures, streakResetMs, lockMs: (failures) => this.#lockMs(failures) }), onError };
  }

  /**
   * Takes a slot for an attempt: `begin` (this instance's counts, at once), then on several
   * instances the account's shared streak (HubError STATE_UNAVAILABLE when the database is away).
   */
  async enter(user: string, address: string, now: number): Promise<LoginSlot> {
    const slot = this.begin(user, address, now);
    const shared = this.#shared;
    if (!slot.ok || !shared) return slot;
    const account = key(user);
    let reservation: Awaited<ReturnType<SharedAccountLocks['reserve']>>;
    try {
      await this.#settling.get(account);
      reservation = await shared.locks.reserve(account, now);
    } catch (error) {
      slot.attempt.passed();
      throw error;
    }
    if (!reservation.ok) {
      slot.attempt.passed();
      return { ok: false, refusal: this.#refusal('account', reservation.until, now) };
    }
    const { charge } = reservation;
    const local = slot.attempt;
    return {
      ok: true,
      attempt: endsOnce({
        failed: (at) => {
          const lockedUntil = Math.max(local.failed(at).lockedUntil ?? 0, charge.lockedUntil);
          return lockedUntil ? { lockedUntil } : {};
        },
        succeeded: () => {
          local.succeeded();
          this.#settle(account, () => charge.cleared());
        },
        passed: () => {
          local.passed();
          this.#settle(account, () => charge.returned());
        },
      }),
    };
  }

  /** Takes a slot for an attempt now, or says why not. Call before checking the password. */
  begin(user: string, address: string, now: number): LoginSlot {
    const limits = this.#limits;
    const account = this.#account(user, now);
    if (account.lockedUntil > now) return { ok: false, refusal: this.#refusal('account', account.lockedUntil, now) };
    const times = this.#recent(address, now);
    if (times.length >= limits.perAddress) return { ok: false, refusal: this.#refusal('address', times[times.length - limits.perAddress]! + limits.windowMs, now) };
    const used = account.streak + account.pending;
    // Until the first lock, the failures left; after one, a single attempt at a time.
    // Refused for a second: by then those in flight are checked (a lock, if they failed; if one was
    // right, the account is open again: six people logging in as one account at the same moment).
    if (used >= limits.accountFailures && account.pending > 0) {
      return { ok: false, refusal: this.#refusal('account', now + IN_FLIGHT_WAIT_MS, now) };
    }
    account.pending += 1;
    this.#keep(this.#accounts, key(user), account);
    times.push(now);
    this.#keep(this.#addresses, address, times);
    /** The address is not charged for a right password. */
    const uncharge = () => {
      const current = this.#addresses.get(address);
      const i = current?.lastIndexOf(now) ?? -1;
      if (i >= 0) current!.splice(i, 1);
    };
    return {
      ok: true,
      attempt: endsOnce({
        failed: (at) => {
          account.pending -= 1;
          account.streak += 1;
          account.lastFailure = at;
          if (account.streak < limits.accountFailures) return {};
          account.lockedUntil = Math.max(account.lockedUntil, at + this.#lockMs(account.streak));
          return { lockedUntil: account.lockedUntil };
        },
        succeeded: () => {
          account.pending -= 1;
          account.streak = 0;
          account.lockedUntil = 0;
          uncharge();
        },
        passed: () => {
          account.pending -= 1;
          uncharge();
        },
      }),
    };
  }

  /** Until when the account is locked (epoch ms), or undefined. */
  lockedUntil(user: string, now: number): number | undefined {
    const account = this.#accounts.get(key(user));
    return account && account.lockedUntil > now ? account.lockedUntil : undefined;
  }

  /** Accounts locked now. */
  locks(now: number): AccountLock[] {
    return [...this.#accounts].filter(([, a]) => a.lockedUntil > now).map(([user, a]) => ({ user, failures: a.streak, lockedUntil: a.lockedUntil }));
  }

  /** Ends an account's lock and streak (an admin's unlock; on several instances in the database too); whether it was locked here. */
  unlock(user: string, now: number): boolean {
    const shared = this.#shared;
    if (shared) this.#settle(key(user), () => shared.locks.clear(key(user)));
    const account = this.#accounts.get(key(user));
    if (!account) return false;
    const wasLocked = account.lockedUntil > now;
    account.streak = 0;
    account.lockedUntil = 0;
    return wasLocked;
  }

  /** A shared write of an account's attempt (or unlock): the next attempt here waits for it. */
  #settle(account: string, write: () => Promise<void>): void {
    const shared = this.#shared!;
    const settled: Promise<void> = write()
      .catch((error: unknown) => shared.onError(error as Error))
      .finally(() => {
        if (this.#settling.get(account) === settled) this.#settling.delete(account);
      });
    this.#settling.set(account, settled);
  }

  #lockMs(failures: number): number {
    const { accountFailures, lockBaseMs, lockMaxMs } = this.#limits;
    return Math.min(lockMaxMs, lockBaseMs * 2 ** Math.min(30, Math.max(0, failures - accountFailures)));
  }

  #refusal(scope: LoginRefusal['scope'], until: number, now: number): LoginRefusal {
    return { scope, until, retryAfterSec: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  #account(user: string, now: number): AccountState {
    const account = this.#accounts.get(key(user));
    if (!account) return { streak: 0, pending: 0, lockedUntil: 0, lastFailure: 0 };
    if (!account.pending && account.lockedUntil <= now && now - account.lastFailure >= this.#limits.streakResetMs) account.streak = 0;
    return account;
  }

  #recent(address: string, now: number): number[] {
    return (this.#addresses.get(address) ?? []).filter((t) => now - t < this.#limits.windowMs);
  }

  /** (Re)inserts as newest; beyond maxKeys the oldest goes, a locked account only when nothing else can. */
  #keep<T>(map: Map<string, T>, k: string, value: T): void {
    map.delete(k);
    map.set(k, value);
    if (map.size <= this.#limits.maxKeys) return;
    let victim: string | undefined;
    let scanned = 0;
    for (const [candidate, v] of map) {
      victim ??= candidate;
      const locked = (v as AccountState).lockedUntil > 0;
      if (!locked) {
        victim = candidate;
        break;
      }
      if (++scanned >= 100) break;
    }
    if (victim !== undefined) map.delete(victim);
  }
}

/** Ids are lower case: `Admin` and `admin` share a count. */
const key = (user: string) => user.trim().toLowerCase();
