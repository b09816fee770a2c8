/**
 * The live socket: connects with the session cookie, (re)subscribes on every connect and
 * replaces the state with the fresh snapshot, merges batches, shows the connection state.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from '../../../src/contracts/live-events.ts';
import type { LiveState } from './live-state.ts';
import type { AppContext } from './app.types.ts';

export interface LiveHandlers {
  /** After a snapshot (`full`) or a batch. */
  changed(full: boolean): void;
  /** A refused subscription (default: the shell's notice bar). */
  refused?(message: string): void;
}

export interface Live {
  close(): void;
}

/** Follows `request` into `state`; the connection light and the end of the session go to the shell (`app`). */
export function follow(request: SubscribeRequest, state: LiveState, app: AppContext, handlers: LiveHandlers): Live {
  const refused = handlers.refused ?? app.report;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ withCredentials: true, transports: ['websocket', 'polling'] });
  socket.on('connect', () => {
    app.connection(true);
    socket.emit('subscribe', request, (answer) => {
      if (!answer.ok) return refused(answer.message);
      state.replace(answer.snapshot);
      handlers.changed(true);
    });
  });
  socket.on('disconnect', () => app.connection(false));
  socket.on('connect_error', (error) => {
    app.connection(false);
    if (error.message === 'UNAUTHORIZED') app.loggedOut();
  });
  socket.on('update', (batch) => {
    state.merge(batch);
    handlers.changed(false);
  });
  socket.on('session_ended', () => app.loggedOut());
  return { close: () => socket.close() };
}
