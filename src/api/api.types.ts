/** What the HTTP API reads from the rest of the hub, passed in by hub.ts. */
import type { ClusterView } from '../contracts/cluster.ts';
import type { Alert } from '../alerts/alert.types.ts';
import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import type { DeviceStates } from '../live/device-state.ts';
import type { DeadLetters } from '../validate/dead-letters.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { HistoryReader, StoreState } from '../store/store.types.ts';
import type { ActiveConditions } from '../rules/active-conditions.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Delivery } from '../dispatch/webhook.dispatcher.ts';
import type { StoredAlertEvent } from '../alerts/alert.types.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { AlertArchive } from '../alerts/alert-query.ts';
import type { AlertPhotosRepo } from '../state/state.types.ts';
import type { Silences } from '../alerts/silences.ts';
import type { Routing } from '../alerts/routing.ts';
import type { Rule } from '../rules/rule.schema.ts';
import type { UsersStore } from '../auth/users.store.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { MfaService } from '../auth/mfa.service.ts';
import type { AdminDeps } from '../admin/admin.types.ts';
import type { AuditLog } from '../audit/audit.log.ts';
import type { HostPolicy } from './origin.guard.ts';
import type { RefusalAudit } from '../audit/refusals.audit.ts';
import type { SecureContextOptions } from 'node:tls';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** Logins and sessions. */
export interface AccessDeps {
  users: UsersStore;
  sessions: Sessions;
  limiter: LoginLimiter;
  /** Session cookie only over HTTPS (COOKIE_SECURE). */
  cookieSecure: boolean;
  sessionIdleMs: number;
  /** Bearer token that may read /metrics without a login (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** Two-factor login (TOTP) and the MFA policy; none: logins take a password only and the MFA routes answer 404. */
  mfa?: MfaService | undefined;
}

export interface BrokerStatus {
  kind: 'embedded' | 'external';
  url: string;
  connected: boolean;
  clients?: number;
}

/** The store's state, or a live-only stand-in when no InfluxDB is configured. */
export type StorageStatus = Omit<StoreState, 'api' | 'url'> &
  Partial<Pick<StoreState, 'api' | 'url'>> & {
    /** `influxdb`: writing to InfluxDB; `live-only`: nothing is stored. */
    mode: 'influxdb' | 'live-only';
    managed?: boolean;
  };

export interface ApiDeps {
  access: AccessDeps;
  registry: Registry;
  deviceStates: DeviceStates;
  deadLetters: DeadLetters;
  conditions: ActiveConditions;
  alerts: AlertBook;
  alertsConfig: AlertsConfig;
  silences: Silences;
  /** Who alerts reach, and who may be given one. */
  routing: Routing;
  /** The rules in force (reloads swap them). */
  rules: () => readonly Rule[];
  /** Alert events of the last `days` days: from the event log, or from memory when live-only. */
  alertEvents: (days: number) => Promise<StoredAlertEvent[]>;
  /** The closed alerts kept in the operational database, for the alert desk; none: only those closed since the start (in memory). */
  alertArchive?: AlertArchive;
  /** Cluster instance (design.md §10): takes a workflow step on the alert as the database holds it, locked while `step` runs; the alert as written. */
  stepAlert?: (alertId: string, step: () => Alert) => Promise<Alert>;
  /** Cluster instance: the partitions and their owners (GET /api/cluster). */
  cluster?: () => Promise<ClusterView>;
  /** Photos attached to alerts on resolve (operational database); none: the photo routes answer 404. */
  photos?: AlertPhotosRepo;
  /** Latest webhook deliveries, newest first. */
  webhookDeliveries: () => Delivery[];
  /** The clock for workflow steps (tests pass their own). */
  now?: () => number;
  metrics: HubMetrics;
  logger: Logger;
  brokerStatus: () => BrokerStatus;
  storageStatus: () => StorageStatus;
  /** Undefined when the hub runs live-only. */
  history?: HistoryReader;
  /** Administration over the operational state: the `/api/admin/*` routes exist only with it. */
  admin?: AdminDeps;
  /** Where logins, workflow steps, silences and admin changes are recorded (none: not recorded). */
  audit?: AuditLog;
  /** Addresses (IPs or CIDRs) of reverse proxies whose X-Forwarded-For names the client (TRUST_PROXY); none: the peer is the client. */
  trustProxy?: string[];
  /** The names the hub answers to (HTTP_ALLOWED_HOSTS); default: localhost and IP addresses. */
  allowedHosts?: HostPolicy;
  /** The origin people and residents reach the hub under (PUBLIC_URL): printed QR codes point there; none: the request's own. */
  publicUrl?: string;
  /** Refused hosts and cross-origin changes go to the audit log (bounded per address). */
  refusals?: RefusalAudit;
  /** Serve HTTPS with this certificate and key (HTTPS_CERT, HTTPS_KEY); none: plain HTTP. */
  https?: SecureContextOptions;
  /** The northbound feed's routes (src/northbound/northbound.stage.ts): pull, ingest, admin tokens. */
  northbound?: FastifyPluginAsyncZod;
}
