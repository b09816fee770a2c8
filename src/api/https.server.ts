/**
 * HTTPS without a proxy (HTTPS_CERT, HTTPS_KEY): the certificate and key are read and checked at
 * start, served on the HTTP port, and read again on `kill -HUP` (a renewed certificate is taken
 * without a restart; a broken one is reported and the old one stays).
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { Server } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit.log.ts';
import { checkSecureContext, readPem } from '../util/tls-files.ts';

/** Absolute paths of the PEM files (config.http.tls). */
export interface HttpsFiles {
  cert: string;
  key: string;
}

/** The certificate (with its chain) and key, read and checked: errors name HTTPS_CERT / HTTPS_KEY. */
export async function readHttpsFiles(files: HttpsFiles): Promise<SecureContextOptions> {
  const [cert, key] = await Promise.all([readPem('HTTPS_CERT', files.cert), readPem('HTTPS_KEY', files.key)]);
  const options = { cert, key };
  checkSecureContext(options, { pair: 'HTTPS_CERT/HTTPS_KEY' });
  return options;
}

/** Whom the served certificate names and until when (the first in the chain), for the log and the audit. */
export function describeCertificate(options: SecureContextOptions): { subject: string; validTo: string; daysLeft: number } {
  const cert = new X509Certificate(options.cert as Buffer);
  const validTo = new Date(cert.validTo);
  return { subject: cert.subject.replace(/\n/g, ', '), validTo: validTo.toISOString(), daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000) };
}

/** Days before expiry from which every start and reload warns. */
export const CERTIFICATE_WARN_DAYS = 14;

/** Logs the served certificate; a warning when it expires within CERTIFICATE_WARN_DAYS (or has). */
export function noteCertificate(served: ReturnType<typeof describeCertificate>, logger: Logger): void {
  if (served.daysLeft < CERTIFICATE_WARN_DAYS) logger.warn({ stage: 'api', ...served }, `${served.daysLeft < 0 ? 'HTTPS certificate has expired' : `HTTPS certificate expires in ${served.daysLeft} days`}: renew it and kill -HUP the hub`);
  else logger.info({ stage: 'api', ...served }, 'HTTPS certificate');
}

/** Logs the certificate now and every day (and whichever is served after a reload): an expiry near is warned of daily. */
export function watchCertificate(options: SecureContextOptions, logger: Logger, everyMs = 86_400_000): { served(next: SecureContextOptions): ReturnType<typeof describeCertificate>; stop(): void } {
  let current = options;
  noteCertificate(describeCertificate(current), logger);
  const timer = setInterval(() => noteCertificate(describeCertificate(current), logger), everyMs);
  timer.unref();
  return {
    served(next) {
      current = next;
      const described = describeCertificate(next);
      noteCertificate(described, logger);
      return described;
    },
    stop: () => clearInterval(timer),
  };
}

/** TLS settings of the server that no reload may lose (setSecureContext forgets what it is not given). */
const TLS_FLOOR = { minVersion: 'TLSv1.2' } as const;

/**
 * Fastify's server factory for HTTPS with `options`. Fastify applies its timeouts only to servers
 * it makes itself, so the factory applies them as fastify would: a request must arrive within
 * `requestTimeout` here too, whoever trickles a body.
 */
export function httpsServerFactory(options: SecureContextOptions): FastifyServerFactory {
  return (handler, fastifyOptions) => {
    const server = https.createServer({ ...options, ...TLS_FLOOR }, handler);
    const timeouts = fastifyOptions as { requestTimeout?: number; keepAliveTimeout?: number; connectionTimeout?: number };
    if (timeouts.requestTimeout !== undefined) server.requestTimeout = timeouts.requestTimeout;
    if (timeouts.keepAliveTimeout !== undefined) server.keepAliveTimeout = timeouts.keepAliveTimeout;
    if (timeouts.connectionTimeout !== undefined) server.setTimeout(timeouts.connectionTimeout);
    // Fastify types its raw server as node:http's; an https.Server answers the same requests.
    return server as unknown as Server;
  };
}

/** Reads the files again and serves them to new connections; throws (and keeps the old ones) when they are not usable. */
export async function reloadHttps(server: Server, files: HttpsFiles): Promise<SecureContextOptions> {
  const options = await readHttpsFiles(files);
  (server as unknown as https.Server).setSecureContext({ ...options, ...TLS_FLOOR });
  return options;
}

/** HTTPS as the hub runs it: the files read and checked, their expiry watched, and a reload for `kill -HUP`. */
export interface HttpsStage {
  /** For the HTTP server (ApiDeps.https). */
  readonly options: SecureContextOptions;
  /** Reads the files again and serves them (audited); throws, keeping the old ones, when they are not usable. */
  reload(server: Server): Promise<void>;
  stop(): void;
}

export async function createHttpsStage(files: HttpsFiles, logger: Logger, audit?: AuditLog): Promise<HttpsStage> {
  const options = await readHttpsFiles(files);
  // The served certificate's expiry: logged at start and each reload, and checked daily (a renewal that keeps failing is warned of).
  const certificate = watchCertificate(options, logger);
  return {
    options,
    async reload(server) {
      const served = certificate.served(await reloadHttps(server, files));
      audit?.record({ actor: 'hub', action: 'https_certificate_reloaded', note: `${served.subject}, valid to ${served.validTo}` });
    },
    stop: () => certificate.stop(),
  };
}
