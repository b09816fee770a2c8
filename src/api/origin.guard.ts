/**
 * Which names the hub answers to, and which requests prove they come from its own pages
 * (docs/access.md, "Host names and same-origin requests").
 *
 * - **Allowed hosts** (DNS rebinding): every HTTP request and every socket handshake must name
 *   the hub by an allowed `Host`: `localhost`, an IP address (neither can be rebound to another
 *   machine: a rebinding page is reached under the attacker's DNS name), the names of
 *   `HTTP_ALLOWED_HOSTS`, and, off loopback, this machine's host name. Anything else: 421.
 * - **Same origin** (cross-site and cross-port requests): a POST, PUT, PATCH or DELETE must carry
 *   an `Origin` that is the hub's own (its host and port are the request's `Host`), or, without
 *   `Origin`, `Sec-Fetch-Site: same-origin`. A request with neither header comes from no
 *   current browser (curl, a script): it is taken when its body is JSON, or when it has no body,
 *   which no cross-site form sends. Anything else: 403.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { HubError } from '../errors.ts';
import type { RefusalAudit } from '../audit/refusals.audit.ts';

/** One allowed name; without a port, any port. */
interface HostEntry {
  host: string;
  port?: number;
}

export interface HostPolicy {
  readonly entries: readonly HostEntry[];
  /** For messages and the start log. */
  readonly describe: string;
}

const LOOPBACK_BIND = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/** `host[:port]` of a Host header or an HTTP_ALLOWED_HOSTS entry, lower-cased, IPv6 without brackets; undefined when malformed. */
export function splitHost(text: string): HostEntry | undefined {
  const value = text.trim().toLowerCase();
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::(\d{1,5}))?$/.exec(value);
  if (!match) return undefined;
  const host = match[1] ?? match[2]!;
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65_535) return undefined;
  return { host: host.replace(/\.$/, ''), ...(port !== undefined ? { port } : {}) };
}

/** Whether the hub listens only on loopback (HTTP_HOST). */
export function isLoopbackBind(bindHost: string): boolean {
  return LOOPBACK_BIND.has(bindHost.toLowerCase()) || /^127\./.test(bindHost);
}

/**
 * The allowed hosts: `localhost` and IP addresses always, the names of HTTP_ALLOWED_HOSTS
 * (`raw`, comma-separated `name[:port]`), and this machine's host name when the hub listens
 * beyond loopback and HTTP_ALLOWED_HOSTS is unset; `also`: further names the hub is reached
 * under (PUBLIC_URL's host).
 */
export function hostPolicy(raw: string | undefined, bindHost: string, also: string[] = []): HostPolicy {
  const listed = (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const entry = splitHost(part);
      if (!entry) throw new HubError('CONFIG_INVALID', `HTTP_ALLOWED_HOSTS: "${part}" is not a host name[:port]`);
      return entry;
    });
  const extra = !listed.length && !isLoopbackBind(bindHost) ? [{ host: hostname().toLowerCase() }] : [];
  const more = also.map((name) => splitHost(name)).filter((e): e is HostEntry => Boolean(e) && !isIP(e!.host));
  const entries: HostEntry[] = [{ host: 'localhost' }, ...listed, ...extra, ...more];
  const names = entries.map((e) => (e.port ? `${e.host}:${e.port}` : e.host));
  return { entries, describe: `${names.join(', ')} and IP addresses` };
}

/** The default policy (loopback binding, nothing listed). */
export const LOOPBACK_HOSTS = hostPolicy(undefined, '127.0.0.1');

/** Whether a Host header names the hub by an allowed name. */
export function hostAllowed(policy: HostPolicy, header: string | undefined): boolean {
  if (!header) return false;
  const given = splitHost(header);
  if (!given) return false;
  if (isIP(given.host)) return true;
  return policy.entries.some(
    (e) => e.host === given.host && (e.port === undefined || e.port === given.port || (given.port === undefined && (e.port === 80 || e.port === 443))),
  );
}

/** The authority (`host:port`, ports explicit) of an Origin or Host value; undefined when it has none. */
function authority(host: string, defaultPort: number): string | undefined {
  const entry = splitHost(host);
  if (!entry) return undefined;
  return `${entry.host}:${entry.port ?? defaultPort}`;
}

/** Whether `Origin` names the same host and port as `Host` (the scheme is the proxy's business: not compared). */
export function originIsHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed frame, a file, a redirect) and garbage
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  const a = authority(url.host, defaultPort);
  return a !== undefined && a === authority(host, defaultPort);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Why a request may not change anything, or undefined when it proves it comes from the hub's own pages (or from no browser). */
export function crossOriginReason(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (!UNSAFE_METHODS.has(method.toUpperCase())) return undefined;
  const origin = headers.origin;
  if (origin !== undefined) return originIsHost(origin, headers.host) ? undefined : `Origin ${origin} is not this hub`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' ? undefined : `Sec-Fetch-Site: ${site}`;
  // Neither header: no current browser. What a cross-site form or a no-cors fetch of an older
  // browser could send without them is a body of a CORS-safelisted type (or of none named):
  // refused. JSON, CSV and the like need a preflight, which the hub never grants.
  const type = headers['content-type'];
  if (type === undefined) {
    const hasBody = (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
    return hasBody ? 'a body without Content-Type' : undefined;
  }
  const essence = type.split(';')[0]!.trim().toLowerCase();
  return FORM_TYPES.has(essence) ? `no Origin, and Content-Type ${essence}` : undefined;
}

/** The content types a page may send to another origin without asking it first (Fetch: CORS-safelisted). */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** Refuses requests under a name not allowed (421 HOST_NOT_ALLOWED) and state changes without a same-origin proof (403 CROSS_ORIGIN). First of all hooks. */
export function installOriginGuard(app: FastifyInstance, policy: HostPolicy, refusals?: RefusalAudit): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const target = `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`;
    if (!hostAllowed(policy, request.headers.host)) {
      refusals?.refused({ action: 'host_refused', channel: 'http', address: request.ip, target, note: `HOST_NOT_ALLOWED: ${(request.headers.host ?? '(none)').slice(0, 200)}` });
      throw new HubError('HOST_NOT_ALLOWED', `this hub does not answer to the name ${request.headers.host ?? '(none)'}: add it to HTTP_ALLOWED_HOSTS (answered: ${policy.describe})`);
    }
    const reason = crossOriginReason(request.method, request.headers);
    if (reason) {
      refusals?.refused({ action: 'cross_origin_refused', channel: 'http', address: request.ip, target, note: `CROSS_ORIGIN: ${reason.slice(0, 300)}` });
      throw new HubError('CROSS_ORIGIN', `a change must come from the hub's own pages (${reason}): a script sends Content-Type: application/json`);
    }
  });
}
