/** A dashboard's live socket from a test: socket.io-client with a user's session cookie. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveBatch, ServerToClientEvents, SubscribeAnswer, SubscribeRequest } from '../../src/contracts/live-events.ts';
import { loginCookie, type HubHandle } from './test-hub.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveClient {
  socket: LiveSocket;
  /** Every batch received, in order. */
  batches: LiveBatch[];
  subscribe(request: SubscribeRequest): Promise<SubscribeAnswer>;
  close(): void;
}

/** A socket.io handshake to `url` with these headers: `connected`, or the refusal's message (TOO_MANY_SOCKETS, MFA_ENROLMENT_REQUIRED, …). */
export function handshakeOutcome(url: string, headers: Record<string, string>): Promise<string> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  }).finally(() => socket.close());
}

/** Connects as `user` (or with `cookie` as given; `null` for none) and waits for the handshake's answer. */
export async function connectLive(hub: HubHandle, user: string | null, options: { cookie?: string } = {}): Promise<LiveClient> {
  const cookie = options.cookie ?? (user ? await loginCookie(hub, user) : undefined);
  const socket: LiveSocket = io(hub.info.httpUrl, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  const batches: LiveBatch[] = [];
  socket.on('update', (batch) => batches.push(batch));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    batches,
    subscribe: (request) => socket.timeout(5000).emitWithAck('subscribe', request),
    close: () => socket.close(),
  };
}
