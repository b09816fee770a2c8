/** Turns environment variables into the hub's typed config, failing fast with `NAME: message` lines. */
import path from 'node:path';
import type { z } from 'zod';
import { HubError } from '../errors.ts';
import { envSchema, type Env } from './config.schema.ts';
import type { StoreSettings } from '../store/store.types.ts';

const DEFAULT_MAX_PACKET_BYTES = 65_536;
/** Bytes of an MQTT PUBLISH besides its payload: fixed header, topic, packet id. */
const PACKET_OVERHEAD_BYTES = 1024;

export interface HubConfig {
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  http: { host: string; port: number };
  topicRoot: string;
  broker:
    | { kind: 'embedded'; host: string; port: number; maxPacketBytes: number; connectTimeoutMs: number }
    | { kind: 'external'; url: string; username?: string; password?: string; clientId: string };
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
  auth: { usersFile?: string; sessionIdleMs: number; cookieSecure: boolean; metricsToken?: string };
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
  if (e.MQTT_URL && e.DEMO === 'on') {
    // The demo registers simulated devices with the embedded broker's auth; an external
    // broker has its own users, so the demo devices would need to be provisioned there.
    problems.push('DEMO: the demo runs on the embedded broker; unset MQTT_URL or set DEMO=off');
  }
  if (problems.length) throw new HubError('CONFIG_INVALID', problems.join('\n'));

  const demoEnabled = e.DEMO === 'on' || (e.DEMO === 'auto' && !e.REGISTRY_FILE && !e.MQTT_URL);
  return {
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    topicRoot: e.TOPIC_ROOT,
    broker: e.MQTT_URL
      ? { kind: 'external', url: e.MQTT_URL, username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD, clientId: e.MQTT_CLIENT_ID }
      : {
          kind: 'embedded',
          host: e.MQTT_HOST,
          port: e.MQTT_PORT,
          maxPacketBytes: e.MQTT_MAX_PACKET_BYTES ?? Math.max(DEFAULT_MAX_PACKET_BYTES, minPacketBytes),
          connectTimeoutMs: e.MQTT_CONNECT_TIMEOUT,
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
      cookieSecure: e.COOKIE_SECURE === 'on',
      metricsToken: e.METRICS_TOKEN,
    },
  };
}
