/**
 * The live socket: connects with the session cookie, (re)subscribes on every connect and
 * replaces the state with the fresh snapshot, merges batches, shows the connection state.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from '../../../src/contracts/live-events.ts';
import type { LiveState } from './live-state.ts';

export interface LiveHandlers {
  /** After a snapshot (`full`) or a batch. */
  changed(full: boolean): void;
  refused(message: string): void;
  connection(online: boolean): void;
  sessionEnded(): void;
}

export interface Live {
  close(): void;
}

export function follow(request: SubscribeRequest, state: LiveState, handlers: LiveHandlers): Live {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ withCredentials: true, transports: ['websocket', 'polling'] });
  socket.on('connect', () => {
    handlers.connection(true);
    socket.emit('subscribe', request, (answer) => {
      if (!answer.ok) return handlers.refused(answer.message);
      state.replace(answer.snapshot);
      handlers.changed(true);
    });
  });
  socket.on('disconnect', () => handlers.connection(false));
  socket.on('connect_error', (error) => {
    handlers.connection(false);
    if (error.message === 'UNAUTHORIZED') handlers.sessionEnded();
  });
  socket.on('update', (batch) => {
    state.merge(batch);
    handlers.changed(false);
  });
  socket.on('session_ended', () => handlers.sessionEnded());
  return { close: () => socket.close() };
}
