/**
 * Hub configuration, read from environment variables. Every variable is listed here
 * with its default; README.md's configuration table mirrors this file.
 */
import { z } from 'zod';
import { DEFAULT_TOPIC_ROOT } from '../contracts/topics.ts';
import { ID_PATTERN } from '../contracts/ids.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)?$/, 'expected a duration like 500ms, 5s, 2m or 1h')
  .transform(parseDurationMs);
const url = (protocols: string[]) =>
  z.url().refine((u) => protocols.some((p) => u.startsWith(`${p}://`)), {
    message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  });

export function parseDurationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new Error(`invalid duration: ${text}`);
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return value * factor;
}

export const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(8080),
  /** Names the hub answers to besides localhost and IP addresses (comma-separated host[:port]); unset off loopback: also this machine's host name. */
  HTTP_ALLOWED_HOSTS: z.string().optional(),
  /** The address people and residents reach the hub under (https://hub.example.com): printed QR codes point there, and its host is allowed; unset: the address the QR sheet is opened under. */
  PUBLIC_URL: url(['http', 'https']).optional(),
  /** HTTPS on HTTP_PORT without a proxy: the certificate (PEM, with its chain) and its private key; `kill -HUP` reloads them. */
  HTTPS_CERT: z.string().min(1).optional(),
  HTTPS_KEY: z.string().min(1).optional(),
  TOPIC_ROOT: z.string().regex(ID_PATTERN, 'must be a plain id such as "compounds"').default(DEFAULT_TOPIC_ROOT),
  // Embedded broker (used when MQTT_URL is not set)
  MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  /** `off`: no plain MQTT listener (devices then use MQTT_TLS_PORT or MQTT_WS_PORT). */
  MQTT_PORT: z.union([z.literal('off'), port]).default(1883),
  // Encrypted and WebSocket listeners of the embedded broker (files are PEM)
  MQTT_TLS_CERT: z.string().min(1).optional(),
  MQTT_TLS_KEY: z.string().min(1).optional(),
  /** CA whose client certificates identify devices (CN = compound/type/device); unset: no client certificates. */
  MQTT_TLS_CA: z.string().min(1).optional(),
  /** mqtts listener; default 8883 when MQTT_TLS_CERT and MQTT_TLS_KEY are set. */
  MQTT_TLS_PORT: port.optional(),
  /** MQTT over WebSocket: ws, or wss when MQTT_TLS_CERT/MQTT_TLS_KEY are set; unset: none. */
  MQTT_WS_PORT: port.optional(),
  /** Largest MQTT packet the embedded broker takes; unset: 64 KiB, or MAX_PAYLOAD_BYTES + 1 KiB if larger. */
  MQTT_MAX_PACKET_BYTES: positiveInt.max(16_777_216).optional(),
  /** A new connection must complete its CONNECT within this time (a slowloris is dropped then). */
  MQTT_CONNECT_TIMEOUT: duration.default(10_000),
  // One device cannot degrade the others (embedded broker; docs/reliability.md)
  /** Messages per second each device may sustain; `off`: no limit. */
  MQTT_DEVICE_RATE: z.union([z.literal('off'), z.coerce.number().positive().max(1_000_000)]).default(200),
  /** Messages a device may send at once above its rate (a modem flushing its buffer). */
  MQTT_DEVICE_BURST: positiveInt.max(10_000_000).default(2000),
  /** A device dropping QoS 0 messages over its rate this long without a pause is disconnected; `off`: never. */
  MQTT_FLOOD_DISCONNECT: z.union([z.literal('off'), duration]).default(10_000),
  /** Longest keepalive a device may ask for; keepalive 0 (none) is refused; `off`: any, 0 included. */
  MQTT_MAX_KEEPALIVE: z.union([z.literal('off'), duration]).default(900_000),
  /** Connections one address (an IPv6 /64) may hold open, and how many of them may still be waiting for their CONNECT. */
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: positiveInt.default(10_000),
  MQTT_MAX_PENDING_PER_ADDRESS: positiveInt.default(1000),
  // External broker
  MQTT_URL: url(['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss']).optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('compound-hub'),
  /** TLS to the external broker (PEM files): the CA that signed its certificate, the hub's own certificate and key (mutual TLS). */
  MQTT_CA: z.string().min(1).optional(),
  MQTT_CERT: z.string().min(1).optional(),
  MQTT_KEY: z.string().min(1).optional(),
  // Storage
  INFLUX_URL: url(['http', 'https']).optional(),
  INFLUX_API: z.enum(['v1', 'v2']).optional(),
  INFLUX_DATABASE: z.string().min(1).default('compound_hub'),
  INFLUX_RP: z.string().optional(),
  INFLUX_USERNAME: z.string().optional(),
  INFLUX_PASSWORD: z.string().optional(),
  INFLUX_TOKEN: z.string().optional(),
  INFLUX_ORG: z.string().optional(),
  INFLUX_BUCKET: z.string().optional(),
  INFLUX_MANAGED: z.enum(['auto', 'off']).default('auto'),
  INFLUX_BATCH_SIZE: positiveInt.default(5000),
  // Longest a point waits in the write buffer: also what a hard kill of the hub can lose (docs/architecture.md).
  INFLUX_FLUSH_INTERVAL: duration.default(200),
  SPOOL_MAX_MB: positiveInt.default(1024),
  // Devices and ingest
  REGISTRY_FILE: z.string().min(1).optional(),
  RULES_FILE: z.string().min(1).optional(),
  ALERTS_FILE: z.string().min(1).optional(),
  DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  DEMO_INTERVAL: duration.default(5000),
  DEMO_SCENARIO: z.string().regex(/^[a-z0-9-]{1,64}$/).default('normal'),
  MAX_PAYLOAD_BYTES: positiveInt.max(1_048_576).default(16_384),
  RETENTION_DAYS: positiveInt.default(90),
  FUTURE_TOLERANCE: duration.default(300_000),
  DEAD_LETTER_LIMIT: positiveInt.max(100_000).default(1000),
  // Operational database (docs/storage.md): SQLite in DATA_DIR unless DATABASE_URL names a PostgreSQL
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  /** How long the audit log keeps its entries. */
  AUDIT_RETENTION_DAYS: positiveInt.max(36_500).default(365),
  // Logins
  /** Client addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs); `off`: none, the peer is the client. */
  TRUST_PROXY: z
    .string()
    .regex(/^(off|[0-9a-fA-F:.\/]+(\s*,\s*[0-9a-fA-F:.\/]+)*)$/, 'expected off, or comma-separated proxy addresses (IPs or CIDRs)')
    .default('off'),
  USERS_FILE: z.string().min(1).optional(),
  SESSION_IDLE: duration.default(12 * 3_600_000),
  /** Session cookies only over HTTPS (and HSTS sent); default: on with HTTPS_CERT, else off (set on behind a TLS proxy). */
  COOKIE_SECURE: z.enum(['on', 'off']).optional(),
  METRICS_TOKEN: z.string().min(24, 'use at least 24 random characters').optional(),
  /** Two-factor login (TOTP): `required` holds admins and managers to it (until enrolled, only enrolment is open); `optional`: anyone may enrol. */
  MFA: z.enum(['required', 'optional'], { message: 'expected required or optional' }).default('optional'),
  // Scale-out (docs/scale-out.md): several instances over an external broker and PostgreSQL
  CLUSTER: z.enum(['on', 'off']).default('off'),
  /** This instance's name among the others (default: host name and HTTP port). */
  CLUSTER_INSTANCE: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1–64 letters, digits, _ . -').optional(),
  /** Partitions the compounds are spread over; every instance must use the same number. */
  CLUSTER_PARTITIONS: positiveInt.max(4096).default(64),
  /** How long a partition's lease lasts without renewal (renewed every fifth of it). */
  CLUSTER_LEASE: duration.default(15_000),
  // The northbound feed (docs/northbound.md): alerts, hand-overs and figures for a district or city centre
  /** This hub's name in the feed (`source`); default: CLUSTER_INSTANCE, else the host name. */
  NORTHBOUND_HUB_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1–64 letters, digits, _ . -').optional(),
  /** Push: every feed entry is POSTed here, signed with NORTHBOUND_SECRET (a city hub's …/api/northbound/v1/ingest forwards). */
  NORTHBOUND_URL: url(['http', 'https']).optional(),
  NORTHBOUND_SECRET: z.string().min(16, 'use at least 16 characters').max(512).optional(),
  /** Push: entries waiting to be sent at most (the oldest are dropped beyond, counted), and attempts per entry. */
  NORTHBOUND_QUEUE: positiveInt.max(1_000_000).default(10_000),
  NORTHBOUND_ATTEMPTS: positiveInt.max(100).default(8),
  NORTHBOUND_RETRY_BASE: duration.default(1000),
  /** `on`: every feed entry is also published to {TOPIC_ROOT}/_northbound/v1/{compound}/{kind} (QoS 1, not retained). */
  NORTHBOUND_MQTT: z.enum(['on', 'off']).default('off'),
  /** A figures entry every so often (`off`: only on request, GET /api/northbound/v1/figures). */
  NORTHBOUND_FIGURES_INTERVAL: z.union([z.literal('off'), duration]).default(3_600_000),
  /** Pull: the recent window of the feed kept in memory (entries). */
  NORTHBOUND_FEED_SIZE: positiveInt.max(1_000_000).default(10_000),
  /** Pull: requests per minute each token may make (as many at once). */
  NORTHBOUND_PULL_RATE: positiveInt.max(100_000).default(60),
  /** Forwarding: a lower hub may POST its entries to /api/northbound/v1/ingest signed with this secret; unset: the route answers 404. */
  NORTHBOUND_INGEST_SECRET: z.string().min(16, 'use at least 16 characters').max(512).optional(),
});

export type Env = z.output<typeof envSchema>;
