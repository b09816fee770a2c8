/** Turns environment variables into the hub's typed config, failing fast with `NAME: message` lines. */
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { HubError } from '../errors.ts';
import { envSchema, type Env } from './config.schema.ts';
import type { StoreSettings } from '../store/store.types.ts';
import { hostPolicy, type HostPolicy } from '../api/origin.guard.ts';
import type { MfaPolicy } from '../contracts/access.ts';

const DEFAULT_MAX_PACKET_BYTES = 65_536;
/** Bytes of an MQTT PUBLISH besides its payload: fixed header, topic, packet id. */
const PACKET_OVERHEAD_BYTES = 1024;

export interface HubConfig {
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  /** trustProxy: addresses of reverse proxies whose X-Forwarded-For names the client (none by default). */
  /** allowedHosts: the names HTTP requests and the live socket may use (HTTP_ALLOWED_HOSTS). */
  /** tls: HTTPS on the HTTP port (HTTPS_CERT, HTTPS_KEY: absolute paths). */
  http: {
    host: string;
    port: number;
    trustProxy: string[];
    allowedHosts: HostPolicy;
    tls?: { cert: string; key: string };
    /** PUBLIC_URL as an origin (scheme, host, port; no trailing slash). */
    publicUrl?: string;
  };
  topicRoot: string;
  broker:
    | {
        kind: 'embedded';
        host: string;
        /** Plain MQTT listener; `off` (MQTT_PORT=off): none. */
        port: number | 'off';
        /** mqtts listener (and wss, with wsPort), with client certificates when `ca` is set. */
        tls?: TlsListenerSettings;
        /** MQTT over WebSocket: wss when `tls` is set, else ws. */
        wsPort?: number;
        maxPacketBytes: number;
        connectTimeoutMs: number;
        /** Per-device rate, per-address caps, longest keepalive (docs/reliability.md). */
        limits: BrokerLimits;
      }
    | { kind: 'external'; url: string; username?: string; password?: string; clientId: string; tls?: ExternalTlsSettings };
  storage:
    | { kind: 'external'; settings: StoreSettings }
    | { kind: 'managed' }
    | { kind: 'none' };
  influx: { batchSize: number; flushIntervalMs: number; spoolMaxBytes: number; database: string };
  registryFile?: string;
  rulesFile?: string;
  alertsFile?: string;
  demo: { enabled: boolean; intervalMs: number; scenario: string };
  ingest: { maxPayloadBytes: number; retentionMs: number; futureToleranceMs: number; deadLetterLimit: number };
  auth: { usersFile?: string; sessionIdleMs: number; cookieSecure: boolean; metricsToken?: string; mfa: MfaPolicy };
  /** The operational database: PostgreSQL by URL, else SQLite in dataDir. */
  state: { databaseUrl?: string; auditRetentionMs: number };
  /** Scale-out (CLUSTER=on): this instance's name, the partitions, the lease time. */
  cluster?: ClusterSettings;
  /** The northbound feed (docs/northbound.md). */
  northbound: NorthboundSettings;
}

export interface NorthboundSettings {
  /** `source` of the entries this hub makes. */
  hubName: string;
  /** Push (NORTHBOUND_URL, NORTHBOUND_SECRET). */
  push?: { url: string; secret: string; queue: number; maxAttempts: number; retryBaseMs: number };
  /** The MQTT bridge (NORTHBOUND_MQTT=on). */
  mqtt: boolean;
  /** undefined: figures only on request. */
  figuresIntervalMs?: number;
  feedSize: number;
  pullRatePerMinute: number;
  /** Forwarding from lower hubs (NORTHBOUND_INGEST_SECRET). */
  ingestSecret?: string;
}

export interface ClusterSettings {
  instance: string;
  partitions: number;
  leaseMs: number;
}

/** The embedded broker's settings (MQTT_URL unset). */
export type EmbeddedBrokerSettings = Extract<HubConfig['broker'], { kind: 'embedded' }>;

/** PEM files (absolute paths) of the embedded broker's TLS listeners. */
export interface TlsListenerSettings {
  port: number;
  cert: string;
  key: string;
  /** Client certificates signed by this CA identify devices. */
  ca?: string;
}

/** PEM files (absolute paths) for TLS to an external broker. */
export interface ExternalTlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
}

const DEFAULT_TLS_PORT = 8883;

/** The TLS settings' problems (`NAME: message`) and, when they are sound, the settings. */
function tlsSettings(e: Env, problems: string[]): { listener?: TlsListenerSettings; external?: ExternalTlsSettings } {
  const file = (name?: string) => (name ? path.resolve(name) : undefined);
  const pair = (certName: string, keyName: string, cert?: string, key?: string) => {
    if (cert && !key) problems.push(`${certName}: needs ${keyName} (the certificate's private key)`);
    if (key && !cert) problems.push(`${keyName}: needs ${certName} (the certificate of that key)`);
  };
  if (e.MQTT_URL) {
    const embeddedOnly = (['MQTT_TLS_CERT', 'MQTT_TLS_KEY', 'MQTT_TLS_CA', 'MQTT_TLS_PORT', 'MQTT_WS_PORT'] as const).filter((n) => e[n] !== undefined);
    for (const name of embeddedOnly) problems.push(`${name}: a setting of the embedded broker; with MQTT_URL the external broker has its own listeners`);
    pair('MQTT_CERT', 'MQTT_KEY', e.MQTT_CERT, e.MQTT_KEY);
    const tls = e.MQTT_CA !== undefined || e.MQTT_CERT !== undefined;
    if (tls && !/^(mqtts|ssl|wss):/.test(e.MQTT_URL)) {
      problems.push(`${e.MQTT_CA !== undefined ? 'MQTT_CA' : 'MQTT_CERT'}: TLS needs an mqtts:// (or wss://) MQTT_URL`);
    }
    return tls ? { external: { ca: file(e.MQTT_CA), cert: file(e.MQTT_CERT), key: file(e.MQTT_KEY) } } : {};
  }
  for (const name of ['MQTT_CA', 'MQTT_CERT', 'MQTT_KEY'] as const) {
    if (e[name] !== undefined) problems.push(`${name}: TLS to an external broker (MQTT_URL); the embedded broker's are MQTT_TLS_CERT, MQTT_TLS_KEY, MQTT_TLS_CA`);
  }
  pair('MQTT_TLS_CERT', 'MQTT_TLS_KEY', e.MQTT_TLS_CERT, e.MQTT_TLS_KEY);
  const listener =
    e.MQTT_TLS_CERT && e.MQTT_TLS_KEY
      ? { port: e.MQTT_TLS_PORT ?? DEFAULT_TLS_PORT, cert: file(e.MQTT_TLS_CERT)!, key: file(e.MQTT_TLS_KEY)!, ...(e.MQTT_TLS_CA ? { ca: file(e.MQTT_TLS_CA) } : {}) }
      : undefined;
  if (!listener) {
    if (e.MQTT_TLS_PORT !== undefined) problems.push('MQTT_TLS_PORT: needs MQTT_TLS_CERT and MQTT_TLS_KEY');
    if (e.MQTT_TLS_CA !== undefined) problems.push('MQTT_TLS_CA: client certificates need the TLS listener (MQTT_TLS_CERT and MQTT_TLS_KEY)');
    if (e.MQTT_PORT === 'off' && e.MQTT_WS_PORT === undefined) problems.push('MQTT_PORT: off leaves the broker no listener; set MQTT_TLS_CERT and MQTT_TLS_KEY (mqtts) or MQTT_WS_PORT');
  }
  // Port 0 (any free port, as tests use) may repeat.
  const candidates: Array<[string, number | 'off' | undefined]> = [['MQTT_PORT', e.MQTT_PORT], ['MQTT_TLS_PORT', listener?.port], ['MQTT_WS_PORT', e.MQTT_WS_PORT]];
  const ports = candidates.filter((p): p is [string, number] => typeof p[1] === 'number' && p[1] !== 0);
  for (const [i, [name, value]] of ports.entries()) {
    const other = ports.slice(0, i).find(([, v]) => v === value);
    if (other) problems.push(`${name}: ${value} is also ${other[0]}; give each listener its own port`);
  }
  return listener ? { listener } : {};
}

/** PUBLIC_URL's origin; the dashboards and public pages live at the root, so a path, query or fragment is a mistake. */
function publicOrigin(raw: string, problems: string[]): string | undefined {
  const url = new URL(raw);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    problems.push(`PUBLIC_URL: the hub serves its pages at the root of an address; give only scheme, host and port, like ${url.origin}`);
    return undefined;
  }
  return url.origin;
}

/** How the embedded broker keeps one device (or one address) from degrading the others. */
export interface BrokerLimits {
  /** Per-device message budget; undefined: no limit (MQTT_DEVICE_RATE=off). */
  deviceRate?: { ratePerSec: number; burst: number; floodDisconnectMs?: number };
  /** Longest keepalive a device may ask for, in seconds; undefined: any, 0 included. */
  maxKeepaliveSec?: number;
  maxConnectionsPerAddress: number;
  maxPendingPerAddress: number;
}

/** The largest keepalive MQTT can carry (a 16-bit number of seconds). */
const MQTT_KEEPALIVE_MAX_SEC = 65_535;

function brokerLimits(e: Env, problems: string[]): BrokerLimits {
  let maxKeepaliveSec: number | undefined;
  if (e.MQTT_MAX_KEEPALIVE !== 'off') {
    maxKeepaliveSec = Math.floor(e.MQTT_MAX_KEEPALIVE / 1000);
    if (maxKeepaliveSec < 1 || maxKeepaliveSec > MQTT_KEEPALIVE_MAX_SEC) {
      problems.push(`MQTT_MAX_KEEPALIVE: must be between 1s and ${MQTT_KEEPALIVE_MAX_SEC}s (18h12m15s), or off`);
    }
  }
  const floodDisconnectMs = e.MQTT_FLOOD_DISCONNECT === 'off' ? undefined : e.MQTT_FLOOD_DISCONNECT;
  return {
    ...(e.MQTT_DEVICE_RATE === 'off'
      ? {}
      : { deviceRate: { ratePerSec: e.MQTT_DEVICE_RATE, burst: e.MQTT_DEVICE_BURST, ...(floodDisconnectMs !== undefined ? { floodDisconnectMs } : {}) } }),
    ...(maxKeepaliveSec !== undefined ? { maxKeepaliveSec } : {}),
    maxConnectionsPerAddress: e.MQTT_MAX_CONNECTIONS_PER_ADDRESS,
    maxPendingPerAddress: e.MQTT_MAX_PENDING_PER_ADDRESS,
  };
}

/**
 * Credentials written into INFLUX_URL (`http://user:password@host:8086`) are taken out of it:
 * fetch refuses URLs that carry them, and a URL travels into logs, error messages and /readyz.
 */
function splitCredentials(raw: string): { url: string; username?: string; password?: string } {
  const url = new URL(raw);
  if (url.username === '' && url.password === '') return { url: raw };
  const credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  return { url: url.toString(), ...credentials };
}

/** Formats zod issues as `NAME: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

export function loadConfig(env: Record<string, string | undefined>): HubConfig {
  // Empty strings count as unset, as a shell user expects (`INFLUX_URL= npm start`).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new HubError('CONFIG_INVALID', formatIssues(parsed.error.issues));
  const e = parsed.data;

  const problems: string[] = [];
  let storage: HubConfig['storage'];
  if (e.INFLUX_URL) {
    const api = e.INFLUX_API ?? (e.INFLUX_TOKEN ? 'v2' : 'v1');
    const influx = splitCredentials(e.INFLUX_URL);
    if (influx.username !== undefined && (e.INFLUX_USERNAME !== undefined || e.INFLUX_PASSWORD !== undefined)) {
      problems.push('INFLUX_URL: holds a user and password, and INFLUX_USERNAME/INFLUX_PASSWORD are set too: give them once');
    }
    if (api === 'v2' && (!e.INFLUX_TOKEN || !e.INFLUX_ORG || !e.INFLUX_BUCKET)) {
      problems.push('INFLUX_API: v2 needs INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET');
    }
    storage = {
      kind: 'external',
      settings: {
        url: influx.url.replace(/\/+$/, ''),
        api,
        database: e.INFLUX_DATABASE,
        retentionPolicy: e.INFLUX_RP,
        username: influx.username ?? e.INFLUX_USERNAME,
        password: influx.password ?? e.INFLUX_PASSWORD,
        token: e.INFLUX_TOKEN,
        org: e.INFLUX_ORG,
        bucket: e.INFLUX_BUCKET,
      },
    };
  } else {
    storage = e.INFLUX_MANAGED === 'auto' ? { kind: 'managed' } : { kind: 'none' };
  }
  // Room for the largest payload the hub takes plus its topic: larger payloads still arrive, to be refused as `too_large`.
  const minPacketBytes = e.MAX_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES;
  if (e.MQTT_MAX_PACKET_BYTES !== undefined && e.MQTT_MAX_PACKET_BYTES < minPacketBytes) {
    problems.push(`MQTT_MAX_PACKET_BYTES: must be at least MAX_PAYLOAD_BYTES + ${PACKET_OVERHEAD_BYTES} (${minPacketBytes})`);
  }
  const tls = tlsSettings(e, problems);
  if (e.MQTT_URL && e.DEMO === 'on') {
    // The demo registers simulated devices with the embedded broker's auth; an external
    // broker has its own users, so the demo devices would need to be provisioned there.
    problems.push('DEMO: the demo runs on the embedded broker; unset MQTT_URL or set DEMO=off');
  }
  const demoEnabled = e.DEMO === 'on' || (e.DEMO === 'auto' && !e.REGISTRY_FILE && !e.MQTT_URL);
  if (demoEnabled && !e.MQTT_URL && e.MQTT_PORT === 'off') {
    // The demo devices log in over the plain listener, like `npm run sim` against the demo.
    problems.push('MQTT_PORT: off, but the demo fleet publishes over the plain listener; set REGISTRY_FILE with your devices, or DEMO=off');
  }
  const limits = brokerLimits(e, problems);
  const cluster = clusterSettings(e, cleaned, problems);
  if (Boolean(e.HTTPS_CERT) !== Boolean(e.HTTPS_KEY)) problems.push(e.HTTPS_CERT ? 'HTTPS_CERT: needs HTTPS_KEY' : 'HTTPS_KEY: needs HTTPS_CERT');
  const https = e.HTTPS_CERT && e.HTTPS_KEY ? { cert: path.resolve(e.HTTPS_CERT), key: path.resolve(e.HTTPS_KEY) } : undefined;
  const publicUrl = e.PUBLIC_URL ? publicOrigin(e.PUBLIC_URL, problems) : undefined;
  let allowedHosts: HostPolicy | undefined;
  try {
    allowedHosts = hostPolicy(e.HTTP_ALLOWED_HOSTS, e.HTTP_HOST, publicUrl ? [new URL(publicUrl).host] : []);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const northbound = northboundSettings(e, cluster, problems);
  if (problems.length) throw new HubError('CONFIG_INVALID', problems.join('\n'));

  return {
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, trustProxy: e.TRUST_PROXY === 'off' ? [] : e.TRUST_PROXY.split(',').map((a) => a.trim()), allowedHosts: allowedHosts!, ...(https ? { tls: https } : {}), ...(publicUrl ? { publicUrl } : {}) },
    topicRoot: e.TOPIC_ROOT,
    broker: e.MQTT_URL
      ? {
          kind: 'external',
          url: e.MQTT_URL,
          username: e.MQTT_USERNAME,
          password: e.MQTT_PASSWORD,
          clientId: e.MQTT_CLIENT_ID,
          ...(tls.external ? { tls: tls.external } : {}),
        }
      : {
          kind: 'embedded',
          host: e.MQTT_HOST,
          port: e.MQTT_PORT,
          ...(tls.listener ? { tls: tls.listener } : {}),
          ...(e.MQTT_WS_PORT !== undefined ? { wsPort: e.MQTT_WS_PORT } : {}),
          maxPacketBytes: e.MQTT_MAX_PACKET_BYTES ?? Math.max(DEFAULT_MAX_PACKET_BYTES, minPacketBytes),
          connectTimeoutMs: e.MQTT_CONNECT_TIMEOUT,
          limits,
        },
    storage,
    influx: {
      batchSize: e.INFLUX_BATCH_SIZE,
      flushIntervalMs: e.INFLUX_FLUSH_INTERVAL,
      spoolMaxBytes: e.SPOOL_MAX_MB * 1024 * 1024,
      database: e.INFLUX_DATABASE,
    },
    registryFile: e.REGISTRY_FILE ? path.resolve(e.REGISTRY_FILE) : undefined,
    rulesFile: e.RULES_FILE ? path.resolve(e.RULES_FILE) : undefined,
    alertsFile: e.ALERTS_FILE ? path.resolve(e.ALERTS_FILE) : undefined,
    demo: { enabled: demoEnabled, intervalMs: e.DEMO_INTERVAL, scenario: e.DEMO_SCENARIO },
    ingest: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      retentionMs: e.RETENTION_DAYS * 86_400_000,
      futureToleranceMs: e.FUTURE_TOLERANCE,
      deadLetterLimit: e.DEAD_LETTER_LIMIT,
    },
    auth: {
      usersFile: e.USERS_FILE ? path.resolve(e.USERS_FILE) : undefined,
      sessionIdleMs: e.SESSION_IDLE,
      // Over the hub's own HTTPS the session cookie is Secure unless told otherwise.
      cookieSecure: e.COOKIE_SECURE ? e.COOKIE_SECURE === 'on' : Boolean(https),
      metricsToken: e.METRICS_TOKEN,
      mfa: e.MFA,
    },
    state: { ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}), auditRetentionMs: e.AUDIT_RETENTION_DAYS * 86_400_000 },
    ...(cluster ? { cluster } : {}),
    northbound,
  };
}

/** The northbound feed: a push URL needs its secret, and a secret its URL. */
function northboundSettings(e: Env, cluster: ClusterSettings | undefined, problems: string[]): NorthboundSettings {
  if (e.NORTHBOUND_URL && !e.NORTHBOUND_SECRET) problems.push('NORTHBOUND_SECRET: NORTHBOUND_URL needs the shared secret that signs each entry (at least 16 characters)');
  if (e.NORTHBOUND_SECRET && !e.NORTHBOUND_URL) problems.push('NORTHBOUND_URL: NORTHBOUND_SECRET is set, but not where to push the feed');
  return {
    hubName: e.NORTHBOUND_HUB_NAME ?? cluster?.instance ?? (os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'compound-hub'),
    ...(e.NORTHBOUND_URL && e.NORTHBOUND_SECRET
      ? { push: { url: e.NORTHBOUND_URL, secret: e.NORTHBOUND_SECRET, queue: e.NORTHBOUND_QUEUE, maxAttempts: e.NORTHBOUND_ATTEMPTS, retryBaseMs: e.NORTHBOUND_RETRY_BASE } }
      : {}),
    mqtt: e.NORTHBOUND_MQTT === 'on',
    ...(e.NORTHBOUND_FIGURES_INTERVAL !== 'off' ? { figuresIntervalMs: e.NORTHBOUND_FIGURES_INTERVAL } : {}),
    feedSize: e.NORTHBOUND_FEED_SIZE,
    pullRatePerMinute: e.NORTHBOUND_PULL_RATE,
    ...(e.NORTHBOUND_INGEST_SECRET ? { ingestSecret: e.NORTHBOUND_INGEST_SECRET } : {}),
  };
}

/** CLUSTER=on: instances share the broker's sessions and the database, so both must be external. */
function clusterSettings(e: Env, raw: Record<string, string | undefined>, problems: string[]): ClusterSettings | undefined {
  if (e.CLUSTER !== 'on') {
    for (const name of ['CLUSTER_INSTANCE', 'CLUSTER_PARTITIONS', 'CLUSTER_LEASE'] as const) {
      if (raw[name] !== undefined) problems.push(`${name}: a setting of scale-out; set CLUSTER=on`);
    }
    return undefined;
  }
  if (!e.DATABASE_URL) problems.push('CLUSTER: instances share their state in PostgreSQL; set DATABASE_URL');
  if (!e.MQTT_URL) problems.push('CLUSTER: instances share an external broker (its persistent sessions); set MQTT_URL');
  if (e.CLUSTER_LEASE < 3000) problems.push('CLUSTER_LEASE: at least 3000 ms (renewed every fifth of it)');
  return { instance: e.CLUSTER_INSTANCE ?? `${os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 50)}-${e.HTTP_PORT}`, partitions: e.CLUSTER_PARTITIONS, leaseMs: e.CLUSTER_LEASE };
}
