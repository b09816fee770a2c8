/**
 * The live socket: connects with the session cookie, (re)subscribes on every connect and
 * replaces the state with the fresh snapshot, merges batches, shows the connection state.
 *
 * It comes back by itself: socket.io's manager retries a lost connection (network, hub gone)
 * with backoff, but not a socket the server closed (`io server disconnect`, what a hub
 * shutdown does) nor one its handshake refused: those are retried here, with the same
 * backoff. A handshake refused as UNAUTHORIZED (the login is no longer valid) and an ended
 * session go back to the login page, saying so. New critical alerts are announced to screen
 * readers (critical-announcer.ts).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from '../../../src/contracts/live-events.ts';
import type { LiveState } from './live-state.ts';
import type { AppContext } from './app.types.ts';
import { codeText } from './error-text.ts';
import { t } from './i18n.ts';
import { CriticalAnnouncer } from './critical-announcer.ts';
import { backoffMs, RECONNECT_FIRST_MS, RECONNECT_JITTER, RECONNECT_MAX_MS } from './reconnect.ts';

export interface LiveHandlers {
  /** After a snapshot (`full`) or a batch. */
  changed(full: boolean): void;
  /** A refused subscription, in the user's language (default: the shell's notice bar). */
  refused?(message: string): void;
}

export interface Live {
  close(): void;
}

/** Follows `request` into `state`; the connection light and the end of the session go to the shell (`app`). */
export function follow(request: SubscribeRequest, state: LiveState, app: AppContext, handlers: LiveHandlers): Live {
  const refused = handlers.refused ?? app.report;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    withCredentials: true,
    transports: ['websocket', 'polling'],
    reconnectionDelay: RECONNECT_FIRST_MS,
    reconnectionDelayMax: RECONNECT_MAX_MS,
    randomizationFactor: RECONNECT_JITTER,
  });
  let closed = false;
  let attempt = 0;
  const critical = new CriticalAnnouncer(app.announce);
  let retry: ReturnType<typeof setTimeout> | undefined;
  const retryLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (!closed && !socket.connected) socket.connect();
    }, backoffMs(attempt++));
  };
  const end = () => {
    close();
    app.loggedOut(t('login.expired'));
  };

  socket.on('connect', () => {
    attempt = 0;
    app.connection(true);
    socket.emit('subscribe', request, (answer) => {
      if (!answer.ok) return refused(codeText(answer.error));
      state.replace(answer.snapshot);
      critical.heard(answer.snapshot.alerts, state.devices, state.compounds);
      handlers.changed(true);
    });
  });
  socket.on('disconnect', (reason) => {
    app.connection(false);
    // The manager retries by itself unless the server closed the socket (or we did).
    if (reason === 'io server disconnect') retryLater();
  });
  socket.on('connect_error', (error) => {
    app.connection(false);
    if (error.message === 'UNAUTHORIZED') return end();
    // Refused by the server's middleware: socket.io does not retry that by itself.
    if (!socket.active) retryLater();
  });
  socket.on('update', (batch) => {
    state.merge(batch);
    critical.heard(batch.alerts, state.devices, state.compounds);
    handlers.changed(false);
  });
  socket.on('session_ended', end);
  function close() {
    closed = true;
    clearTimeout(retry);
    socket.close();
  }
  return { close };
}
