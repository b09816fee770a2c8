/**
 * Login sessions: random bearer tokens (cookie or Authorization header), known only by
 * their SHA-256, sliding idle expiry plus an absolute limit. They survive a restart: the hub
 * keeps them in the operational database (sessions.keeper.ts) and gives them back with `restore`.
 *
 * On several instances (sessions.shared.ts) the memory of each is a cache of the database: a token
 * this instance does not know is looked up there (`resolve`), an idle expiry is checked there
 * before the session is ended for it, a new session is written before its login is answered
 * (`start`), and sessions ended elsewhere are dropped (`drop`).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Session {
  userId: string;
  /** SHA-256 of the token: identifies the session in logs and socket bookkeeping. */
  id: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionOptions {
  idleMs: number;
  absoluteMs: number;
  /** Oldest sessions of a user are ended beyond this many. */
  maxPerUser: number;
}

/**
 * What changed: a login, a request that pushed an idle expiry forward, a session that ended;
 * `kept`: sessions as the database has them now (written, or read from it: nothing to write);
 * `dropped`: sessions ended elsewhere, gone from the database already.
 */
export type SessionChange = 'created' | 'touched' | 'ended' | 'kept' | 'dropped';

/** How a session ended here: `ended` by this instance, `dropped` because another instance ended it. */
export type SessionEnd = 'ended' | 'dropped';

/** The other instances of a cluster, as sessions see them (sessions.shared.ts). */
export interface SessionPeers {
  /** A session this instance does not know, from the database (undefined: none, over, its login cannot log in, or not looked up). */
  lookUp(id: string, now: number): Promise<Session | undefined>;
  /** These sessions as the database has them now (absent: ended elsewhere). */
  current(ids: readonly string[]): Promise<Session[]>;
  /** Writes a new session at once (the next request may go to another instance). */
  store(session: Session): Promise<void>;
  /** Ends in the database the sessions of a user this instance may not know (kept by others), telling every instance; never rejects. */
  endUser(userId: string, except?: string): Promise<void>;
  /** Another instance may still be within the write delay of a touch: how long past an idle expiry a session is kept. */
  readonly graceMs: number;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
/** What `create` makes: 32 random bytes in base64url. Anything else is no token of ours (not looked up). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #options: SessionOptions;
  readonly #ended: Array<(session: Session, how: SessionEnd) => void> = [];
  readonly #changed: Array<(change: SessionChange, sessions: readonly Session[]) => void> = [];
  #peers: SessionPeers | undefined;
  /** Sessions whose idle expiry is being checked in the database (not twice at once): the check. */
  readonly #checking = new Map<string, Promise<void>>();

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /** Several instances: the database is asked before a token is refused or a session ended for being idle. */
  share(peers: SessionPeers): void {
    this.#peers = peers;
  }

  /**
   * Takes back sessions kept by an earlier run: those over at `now` are dropped, idle expiries
   * are held to this run's idle limit and the absolute limit, and a user keeps at most
   * `maxPerUser` (the newest).
   */
  restore(saved: readonly Session[], now: number): void {
    const byAge = [...saved].sort((a, b) => a.createdAt - b.createdAt);
    for (const s of byAge) {
      const expiresAt = this.#held(s, now);
      if (now >= expiresAt || this.#byId.has(s.id)) continue;
      this.#byId.set(s.id, { userId: s.userId, id: s.id, createdAt: s.createdAt, expiresAt });
    }
    const perUser = new Map<string, Session[]>();
    for (const s of this.#byId.values()) perUser.set(s.userId, [...(perUser.get(s.userId) ?? []), s]);
    for (const mine of perUser.values()) {
      for (const old of mine.slice(0, Math.max(0, mine.length - this.#options.maxPerUser))) this.#byId.delete(old.id);
    }
  }

  /** Every live session (copies), oldest first. */
  list(): Session[] {
    return [...this.#byId.values()].map((s) => ({ ...s }));
  }

  create(userId: string, now: number): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { userId, id: digest(token), createdAt: now, expiresAt: now + this.#options.idleMs };
    this.#byId.set(session.id, session);
    const mine = [...this.#byId.values()].filter((s) => s.userId === userId);
    for (const old of mine.slice(0, Math.max(0, mine.length - this.#options.maxPerUser))) this.#end(old);
    this.#emit('created', [session]);
    return { token, session };
  }

  /**
   * A login: `create`, and on several instances the session written before the login is answered
   * (its next request may reach another instance). HubError STATE_UNAVAILABLE (and no session) when it cannot be.
   */
  async start(userId: string, now: number): Promise<{ token: string; session: Session }> {
    const created = this.create(userId, now);
    if (!this.#peers) return created;
    try {
      await this.#peers.store({ ...created.session });
    } catch (error) {
      this.#end(created.session);
      throw error;
    }
    this.#emit('kept', [created.session]);
    return created;
  }

  /** The live session of a token, its idle expiry pushed forward (this instance's memory only). */
  touch(token: string | undefined, now: number): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const session = this.#byId.get(digest(token));
    if (!session) return undefined;
    if (this.#over(session, now)) {
      this.#end(session);
      return undefined;
    }
    return this.#pushed(session, now);
  }

  /**
   * The live session of a token, its idle expiry pushed forward: synchronous when this instance
   * knows it live (or there is no other instance); otherwise, on several instances, after asking
   * the database (a login made on another instance, an idle expiry pushed forward there).
   */
  resolve(token: string | undefined, now: number): Session | undefined | Promise<Session | undefined> {
    const peers = this.#peers;
    if (!peers) return this.touch(token, now);
    if (!token || !TOKEN.test(token)) return undefined;
    const id = digest(token);
    const session = this.#byId.get(id);
    if (session && !this.#over(session, now)) return this.#pushed(session, now);
    if (session) return this.#recheck([session], now).then(() => this.#liveTouched(id, now));
    return peers.lookUp(id, now).then((found) => {
      if (found) this.#adopt(found, now);
      return this.#liveTouched(id, now);
    });
  }

  end(token: string | undefined): void {
    const session = token ? this.#byId.get(digest(token)) : undefined;
    if (session) this.#end(session);
  }

  /**
   * Ends every session of a user but `except` (password changed, login disabled, MFA reset): on
   * several instances those only others know too, once the promise is settled (it never rejects).
   */
  endUser(userId: string, except?: string): Promise<void> {
    for (const s of [...this.#byId.values()]) if (s.userId === userId && s.id !== except) this.#end(s);
    return this.#peers ? this.#peers.endUser(userId, except) : Promise.resolve();
  }

  /** Forgets sessions another instance ended (they are gone from the database already): nothing is written. */
  drop(ids: readonly string[]): void {
    const dropped: Session[] = [];
    for (const id of ids) {
      const session = this.#byId.get(id);
      if (!session || !this.#byId.delete(id)) continue;
      dropped.push(session);
      for (const listener of this.#ended) listener(session, 'dropped');
    }
    if (dropped.length) this.#emit('dropped', dropped);
  }

  /**
   * Drops expired sessions; called from the hub's clock. On several instances a session idle
   * here is first looked up in the database (requests on another instance may have kept it alive).
   */
  sweep(now: number): void {
    const idle: Session[] = [];
    for (const s of [...this.#byId.values()]) {
      if (!this.#over(s, now)) continue;
      if (this.#peers && now < s.createdAt + this.#options.absoluteMs) idle.push(s);
      else this.#end(s);
    }
    if (idle.length) void this.#recheck(idle, now);
  }

  isLive(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Called when a session ends here: by this instance (`ended`), or dropped because another ended it. */
  onEnded(listener: (session: Session, how: SessionEnd) => void): void {
    this.#ended.push(listener);
  }

  /** Called after every change (to keep them in the database), with the sessions it concerns. */
  onChange(listener: (change: SessionChange, sessions: readonly Session[]) => void): void {
    this.#changed.push(listener);
  }

  get size(): number {
    return this.#byId.size;
  }

  #over(session: Session, now: number): boolean {
    return now >= session.expiresAt || now >= session.createdAt + this.#options.absoluteMs;
  }

  /** An expiry held to this instance's idle limit and the absolute limit. */
  #held(session: Session, now: number): number {
    return Math.min(session.expiresAt, now + this.#options.idleMs, session.createdAt + this.#options.absoluteMs);
  }

  #pushed(session: Session, now: number): Session {
    const expiresAt = Math.min(now + this.#options.idleMs, session.createdAt + this.#options.absoluteMs);
    if (expiresAt !== session.expiresAt) {
      session.expiresAt = expiresAt;
      this.#emit('touched', [session]);
    }
    return session;
  }

  #liveTouched(id: string, now: number): Session | undefined {
    const session = this.#byId.get(id);
    return session && !this.#over(session, now) ? this.#pushed(session, now) : undefined;
  }

  /** A session found in the database (a login on another instance), as this instance's own. */
  #adopt(found: Session, now: number): void {
    if (this.#byId.has(found.id)) return;
    const session: Session = { userId: found.userId, id: found.id, createdAt: found.createdAt, expiresAt: this.#held(found, now) };
    if (this.#over(session, now)) return;
    this.#byId.set(session.id, session);
    this.#emit('kept', [{ ...found }]);
    const mine = [...this.#byId.values()].filter((s) => s.userId === session.userId).sort((a, b) => a.createdAt - b.createdAt);
    for (const old of mine.slice(0, Math.max(0, mine.length - this.#options.maxPerUser))) this.#end(old);
  }

  /**
   * Sessions idle here, checked in the database: a later expiry there (a request on another
   * instance) is taken; a session no longer there was ended elsewhere (dropped); one just over
   * there is kept for the grace (a touch may still be on its way); the rest end. When the database
   * cannot be read, they stay until the next sweep (refused meanwhile: idle here).
   */
  async #recheck(idle: readonly Session[], now: number): Promise<void> {
    const waits = idle.flatMap((s) => this.#checking.get(s.id) ?? []);
    const mine = idle.filter((s) => !this.#checking.has(s.id));
    if (mine.length) {
      const check = this.#check(mine, now).finally(() => {
        for (const s of mine) this.#checking.delete(s.id);
      });
      for (const s of mine) this.#checking.set(s.id, check);
      waits.push(check);
    }
    await Promise.all(waits);
  }

  async #check(mine: readonly Session[], now: number): Promise<void> {
    const peers = this.#peers!;
    let kept: Map<string, Session>;
    try {
      kept = new Map((await peers.current(mine.map((s) => s.id))).map((s) => [s.id, s]));
    } catch {
      return; // The database is away: they stay (refused meanwhile: idle here) and are checked at the next sweep.
    }
    const gone: string[] = [];
    const renewed: Session[] = [];
    for (const s of mine) {
      if (this.#byId.get(s.id) !== s) continue; // ended or replaced meanwhile
      const there = kept.get(s.id);
      if (!there) {
        gone.push(s.id);
        continue;
      }
      const expiresAt = this.#held(there, now);
      if (expiresAt > s.expiresAt && now < expiresAt) {
        s.expiresAt = expiresAt;
        renewed.push({ ...there });
      } else if (now >= s.createdAt + this.#options.absoluteMs || now >= Math.max(s.expiresAt, there.expiresAt) + peers.graceMs) {
        this.#end(s);
      }
    }
    if (renewed.length) this.#emit('kept', renewed);
    this.drop(gone);
  }

  #end(session: Session): void {
    if (!this.#byId.delete(session.id)) return;
    for (const listener of this.#ended) listener(session, 'ended');
    this.#emit('ended', [session]);
  }

  #emit(change: SessionChange, sessions: readonly Session[]): void {
    for (const listener of this.#changed) listener(change, sessions);
  }
}
