/**
 * The client's address of a raw request (the live socket's handshake), decided as fastify decides
 * `request.ip` for HTTP: the peer, unless it is a reverse proxy listed in TRUST_PROXY, whose
 * X-Forwarded-For then names the client.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

export type ClientAddress = (request: IncomingMessage) => string;

export function clientAddressOf(trustProxy: readonly string[]): ClientAddress {
  if (!trustProxy.length) return (request) => request.socket.remoteAddress ?? 'unknown';
  const trust = proxyaddr.compile([...trustProxy]);
  return (request) => proxyaddr(request, trust);
}
