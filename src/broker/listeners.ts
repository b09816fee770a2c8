/**
 * Where devices reach the embedded broker: plain MQTT (MQTT_PORT, `off` for none), MQTT over
 * TLS (MQTT_TLS_PORT with MQTT_TLS_CERT/MQTT_TLS_KEY) and MQTT over WebSocket (MQTT_WS_PORT:
 * wss when TLS is set, else ws). Every connection, whatever its transport, reaches the broker
 * the same way: through the packet-size guard, then `handle`.
 *
 * With MQTT_TLS_CA the TLS listeners ask for a client certificate. One that the CA did not sign
 * ends the connection right after the handshake (counted as `tls`); one it signed names the
 * device by its subject CN (`compound/type/device`), which the broker's authentication reads
 * through `certifiedDeviceKey(client)`. Without a certificate a device logs in with its secret
 * as on the plain listener.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Client } from 'aedes';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { EmbeddedBrokerSettings, TlsListenerSettings } from '../config/config.loader.ts';
import { HubError } from '../errors.ts';
import { checkSecureContext, readPem } from '../util/tls-files.ts';
import { guardPacketSize } from './packet-size.guard.ts';

export type ListenerKind = 'mqtt' | 'mqtts' | 'ws' | 'wss';

/** The embedded broker's listener settings (config.loader.ts); connectTimeoutMs also bounds the TLS handshake and the WebSocket upgrade request. */
export type ListenersOptions = Pick<EmbeddedBrokerSettings, 'host' | 'port' | 'tls' | 'wsPort' | 'maxPacketBytes' | 'connectTimeoutMs'>;

/** What the broker learns of a new connection besides its bytes. */
export interface ConnectionInfo {
  kind: ListenerKind;
  remoteAddress?: string;
  /** The WebSocket upgrade request (ws, wss). */
  req?: http.IncomingMessage;
}

/** Refusals counted by the listeners (besides the broker's own). */
export type ListenerRefusal = 'tls' | 'connect_timeout' | 'packet_too_large' | 'protocol';

export interface ListenersDeps {
  /** Hands a connection to the broker (Aedes `handle`). */
  handle(conn: Duplex, info: ConnectionInfo): Client | undefined;
  /** `reason` (default: the action) refines it: `handshake` or `client_certificate` for `tls`. */
  refuse(action: ListenerRefusal, client: Client | undefined, detail: string, reason?: string): void;
  /** When a port is in use: the message naming what holds it, if it is known. */
  portInUseMessage?: (setting: string, host: string, port: number) => Promise<string | undefined>;
  logger: Logger;
}

export interface ListenerAddress {
  kind: ListenerKind;
  /** The environment variable that sets its port. */
  setting: 'MQTT_PORT' | 'MQTT_TLS_PORT' | 'MQTT_WS_PORT';
  host: string;
  port: number;
  url: string;
}

/** Device keys named by verified client certificates, by the connection handed to the broker. */
const certified = new WeakMap<object, string>();

/**
 * The device a client's TLS certificate names (its subject CN), when the certificate was
 * verified against MQTT_TLS_CA; undefined without one. The broker's authentication takes it
 * as the device's identity: it must be a registered device, and a username given with it must
 * be the same device.
 */
export function certifiedDeviceKey(client: Pick<Client, 'conn'>): string | undefined {
  return certified.get(client.conn);
}

/** The CN of a verified peer certificate; undefined when it has none or more than one. */
export function certificateCommonName(certificate: tls.PeerCertificate | undefined): string | undefined {
  const cn: unknown = certificate?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/** Node's network errors: the peer went away, nothing to count. */
const NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

type Server = net.Server | tls.Server | http.Server | https.Server;

export class BrokerListeners {
  readonly #log: Logger;
  readonly #servers: Array<{ server: Server; ws?: WebSocketServer }> = [];
  #addresses: ListenerAddress[] = [];

  constructor(
    private readonly options: ListenersOptions,
    private readonly deps: ListenersDeps,
  ) {
    this.#log = deps.logger;
  }

  /** Every listener, plain first, with the port it got. */
  get addresses(): readonly ListenerAddress[] {
    return this.#addresses;
  }

  get listening(): boolean {
    return this.#servers.length > 0 && this.#servers.every(({ server }) => server.listening);
  }

  async start(): Promise<void> {
    const { options } = this;
    this.#addresses = [];
    const secure = options.tls ? await this.#secureContextOptions(options.tls) : undefined;
    try {
      if (options.port !== 'off') {
        const server = net.createServer((socket) => this.#accept(socket, { kind: 'mqtt', remoteAddress: socket.remoteAddress }));
        await this.#listen(server, 'mqtt', 'MQTT_PORT', options.port);
      }
      if (secure) {
        const server = tls.createServer(secure, (socket) => {
          const key = this.#verifiedPeer(socket);
          if (key === false) return;
          this.#accept(socket, { kind: 'mqtts', remoteAddress: socket.remoteAddress }, key);
        });
        this.#watchHandshakes(server);
        await this.#listen(server, 'mqtts', 'MQTT_TLS_PORT', options.tls!.port);
      }
      if (options.wsPort !== undefined) await this.#startWebSocket(options.wsPort, secure);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Stops accepting; resolves once every listener is closed (the broker ends the connections). */
  async close(): Promise<void> {
    const servers = this.#servers.splice(0);
    await Promise.all(
      servers.map(
        ({ server, ws }) =>
          new Promise<void>((resolve) => {
            ws?.close();
            if (!server.listening) return resolve();
            server.close(() => resolve());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      ),
    );
  }

  async #secureContextOptions(settings: TlsListenerSettings): Promise<tls.TlsOptions> {
    const [cert, key, ca] = await Promise.all([
      readPem('MQTT_TLS_CERT', settings.cert),
      readPem('MQTT_TLS_KEY', settings.key),
      settings.ca ? readPem('MQTT_TLS_CA', settings.ca) : undefined,
    ]);
    const secure: tls.TlsOptions = {
      cert,
      key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: this.options.connectTimeoutMs,
      // Asked for, verified against MQTT_TLS_CA, but optional: a device without one logs in with its secret.
      ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}),
    };
    checkSecureContext(secure, { pair: 'MQTT_TLS_CERT/MQTT_TLS_KEY', ca: 'MQTT_TLS_CA' });
    return secure;
  }

  /**
   * The device key of a verified client certificate; undefined without one (or without
   * MQTT_TLS_CA); false when the certificate is not signed by MQTT_TLS_CA: the connection is
   * ended and counted.
   */
  #verifiedPeer(socket: tls.TLSSocket): string | undefined | false {
    if (!this.options.tls?.ca) return undefined;
    const peer = socket.getPeerCertificate();
    const presented = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
    if (!presented) return undefined;
    if (!socket.authorized) {
      this.deps.refuse('tls', undefined, `client certificate ${certificateCommonName(peer) ?? '(no CN)'} refused from ${socket.remoteAddress}: ${String(socket.authorizationError)}`, 'client_certificate');
      socket.destroy();
      return false;
    }
    return certificateCommonName(peer);
  }

  /** Handshakes that fail (the device does not trust the hub's certificate, plain MQTT on a TLS port, too slow) are counted. */
  #watchHandshakes(server: tls.Server): void {
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      if (error.code && NETWORK.has(error.code)) return;
      const action = error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'connect_timeout' : 'tls';
      this.deps.refuse(action, undefined, `TLS handshake with ${socket.remoteAddress ?? 'a client'} failed: ${error.message}`, action === 'tls' ? 'handshake' : undefined);
    });
  }

  async #startWebSocket(port: number, secure: tls.TlsOptions | undefined): Promise<void> {
    // The upgrade request must arrive within the CONNECT timeout (checked every second, not Node's default 30 s).
    const timeouts = { requestTimeout: this.options.connectTimeoutMs, headersTimeout: this.options.connectTimeoutMs, connectionsCheckingInterval: 1000 };
    const notUpgrade: http.RequestListener = (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', upgrade: 'websocket' });
      res.end('MQTT over WebSocket: connect with an MQTT client (subprotocol "mqtt")\n');
    };
    const server = secure ? https.createServer({ ...secure, ...timeouts }, notUpgrade) : http.createServer(timeouts, notUpgrade);
    if (server instanceof tls.Server) this.#watchHandshakes(server);
    const kind: ListenerKind = secure ? 'wss' : 'ws';
    const wss = new WebSocketServer({
      server,
      // One WebSocket message holds at most one packet's worth: ws buffers a whole message before it passes it on.
      maxPayload: this.options.maxPacketBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    });
    wss.on('error', (error) => this.#log.error({ err: error }, 'websocket listener error'));
    wss.on('connection', (websocket: WebSocket, req: http.IncomingMessage) => {
      const socket = req.socket;
      const key = socket instanceof tls.TLSSocket ? this.#verifiedPeer(socket) : undefined;
      if (key === false) return;
      let client: Client | undefined;
      websocket.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.deps.refuse('packet_too_large', client, `a WebSocket message over ${this.options.maxPacketBytes} bytes`);
        else if (error.code?.startsWith('WS_ERR_')) this.deps.refuse('protocol', client, `WebSocket: ${error.message}`, 'websocket');
      });
      const stream = createWebSocketStream(websocket);
      client = this.#accept(stream, { kind, remoteAddress: socket.remoteAddress, req }, key);
    });
    this.#servers.push({ server, ws: wss });
    await this.#listen(server, kind, 'MQTT_WS_PORT', port, false);
  }

  /** Guards the connection's packet sizes, records its certified device and hands it to the broker. */
  #accept(conn: Duplex, info: ConnectionInfo, certifiedKey?: string): Client | undefined {
    const { maxPacketBytes } = this.options;
    let client: Client | undefined;
    const guarded = guardPacketSize(conn, maxPacketBytes, () => this.deps.refuse('packet_too_large', client, `a packet over ${maxPacketBytes} bytes`));
    if (certifiedKey !== undefined) certified.set(guarded, certifiedKey);
    client = this.deps.handle(guarded, info);
    return client;
  }

  async #listen(server: Server, kind: ListenerKind, setting: ListenerAddress['setting'], port: number, track = true): Promise<void> {
    const { host } = this.options;
    if (track) this.#servers.push({ server });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') return reject(error);
        const usual =
          setting === 'MQTT_PORT'
            ? `MQTT_PORT: ${host}:${port} is already in use (a system Mosquitto?). Set MQTT_PORT to a free port, or MQTT_URL to use that broker.`
            : `${setting}: ${host}:${port} is already in use. Set ${setting} to a free port.`;
        void (this.deps.portInUseMessage?.(setting, host, port) ?? Promise.resolve(undefined))
          .catch(() => undefined)
          .then((known) => reject(new HubError('PORT_IN_USE', known ?? usual)));
      });
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    server.on('error', (error) => this.#log.error({ err: error, listener: kind }, 'broker listener error'));
    const shown = host.includes(':') ? `[${host}]` : host;
    this.#addresses.push({ kind, setting, host, port: actual, url: `${kind}://${shown}:${actual}` });
  }
}
