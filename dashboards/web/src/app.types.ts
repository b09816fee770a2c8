/** What every view gets from the shell. */
import type { Me } from '../../../src/contracts/live-events.ts';

export interface AppContext {
  me: Me;
  /** Shows a message in the shell's notice bar (a live region). */
  report(message: string): void;
  /** Says `message` to a screen reader at once (an assertive live region, not shown): a new critical alert. */
  announce(message: string): void;
  connection(online: boolean): void;
  /** The session is over: back to login, with `notice` shown there (why). */
  loggedOut(notice?: string): void;
}

/** A mounted view; `dispose` closes its socket and timers. */
export interface View {
  dispose(): void;
}
