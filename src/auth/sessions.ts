/**
 * Login sessions: random bearer tokens (cookie or Authorization header), known only by
 * their SHA-256, sliding idle expiry plus an absolute limit. They survive a restart: the hub
 * keeps them in DATA_DIR/sessions.json (sessions.file.ts) and gives them back with `restore`.
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

/** What changed: a login, a request that pushed an idle expiry forward, a session that ended. */
export type SessionChange = 'created' | 'touched' | 'ended';

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #options: SessionOptions;
  readonly #ended: Array<(session: Session) => void> = [];
  readonly #changed: Array<(change: SessionChange) => void> = [];

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /**
   * Takes back sessions kept by an earlier run: those over at `now` are dropped, idle expiries
   * are held to this run's idle limit and the absolute limit, and a user keeps at most
   * `maxPerUser` (the newest).
   */
  restore(saved: readonly Session[], now: number): void {
    const byAge = [...saved].sort((a, b) => a.createdAt - b.createdAt);
    for (const s of byAge) {
      const expiresAt = Math.min(s.expiresAt, now + this.#options.idleMs, s.createdAt + this.#options.absoluteMs);
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
    this.#emit('created');
    return { token, session };
  }

  /** The live session of a token, its idle expiry pushed forward. */
  touch(token: string | undefined, now: number): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const session = this.#byId.get(digest(token));
    if (!session) return undefined;
    if (now >= session.expiresAt || now >= session.createdAt + this.#options.absoluteMs) {
      this.#end(session);
      return undefined;
    }
    const expiresAt = Math.min(now + this.#options.idleMs, session.createdAt + this.#options.absoluteMs);
    if (expiresAt !== session.expiresAt) {
      session.expiresAt = expiresAt;
      this.#emit('touched');
    }
    return session;
  }

  end(token: string | undefined): void {
    const session = token ? this.#byId.get(digest(token)) : undefined;
    if (session) this.#end(session);
  }

  /** Ends every session of a user (password changed). */
  endUser(userId: string, except?: string): void {
    for (const s of [...this.#byId.values()]) if (s.userId === userId && s.id !== except) this.#end(s);
  }

  /** Drops expired sessions; called from the hub's clock. */
  sweep(now: number): void {
    for (const s of [...this.#byId.values()]) {
      if (now >= s.expiresAt || now >= s.createdAt + this.#options.absoluteMs) this.#end(s);
    }
  }

  isLive(id: string): boolean {
    return this.#byId.has(id);
  }

  onEnded(listener: (session: Session) => void): void {
    this.#ended.push(listener);
  }

  /** Called after every change (to keep them on disk). */
  onChange(listener: (change: SessionChange) => void): void {
    this.#changed.push(listener);
  }

  get size(): number {
    return this.#byId.size;
  }

  #end(session: Session): void {
    if (!this.#byId.delete(session.id)) return;
    for (const listener of this.#ended) listener(session);
    this.#emit('ended');
  }

  #emit(change: SessionChange): void {
    for (const listener of this.#changed) listener(change);
  }
}
