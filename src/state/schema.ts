/**
 * The tables of the operational database as Kysely sees them (design.md §11). One schema for
 * both engines: snake_case columns, times as bigint ms since epoch (read back as JS numbers on
 * both engines: see database.ts), flags as integer 0/1, JSON kept as text, so SQLite and
 * PostgreSQL hold the very same values. Created and changed only by ./migrations.
 */
import type { Generated } from 'kysely';

/** 0/1 flags; a mapper also takes a boolean. */
export type Flag = number;

export interface UsersTable {
  id: string;
  name: string | null;
  role: string;
  /** JSON array of compound ids, or null. */
  compounds: string | null;
  /** JSON array of grid ids, or null. */
  grids: string | null;
  password_hash: string;
  must_change_password: Flag;
  disabled: Flag;
  /** JSON object `{ mobile?, wecom?, dingtalk?, feishu? }`, or null (migration 0002). */
  contact: string | null;
  /** TOTP secret, sealed (mfa-secret.box.ts), or null (migration 0003). */
  mfa_secret: string | null;
  /** When the TOTP enrolment was confirmed; null: none, or started and not confirmed. */
  mfa_enabled_at: number | null;
  /** The last TOTP time step a code was accepted for: codes of it and before are refused. */
  mfa_last_step: number | null;
  /** JSON array of the SHA-256 (hex) of the unused recovery codes, or null. */
  mfa_recovery: string | null;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface PlacesTable {
  kind: string;
  id: string;
  name: string;
  parent: string | null;
  /** Order among its siblings (the registry file's order). */
  position: number;
  created_at: number;
  updated_at: number;
}

export interface CompoundsTable {
  id: string;
  community: string;
  name: string;
  grid: string | null;
  /** JSON object, or null. */
  buildings: string | null;
  zones: string | null;
  /** JSON array, or null. */
  contacts: string | null;
  /** `city` | `county`, or null (city) (migration 0002). */
  area: string | null;
  lat: number | null;
  lon: number | null;
  /** The property desk's phone, or null (migration 0005). */
  desk_phone: string | null;
  /** JSON site-plan geometry (SitePlan), or null (migration 0004). */
  site_plan: string | null;
  position: number;
  created_at: number;
  updated_at: number;
}

export interface DevicesTable {
  compound: string;
  type: string;
  id: string;
  name: string | null;
  building: string | null;
  zone: string | null;
  secret_sha256: string;
  report_interval_sec: number;
  position_x: number | null;
  position_y: number | null;
  /** Order within its compound. */
  position: number;
  retired_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface DocsTable {
  name: string;
  /** JSON text. */
  body: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface SilencesTable {
  id: string;
  compound: string | null;
  device_key: string | null;
  type: string | null;
  rule_id: string | null;
  from_ms: number;
  until_ms: number;
  reason: string;
  actor: string;
  ended_at: number | null;
  ended_by: string | null;
}

export interface AlertsTable {
  id: string;
  compound: string;
  device_key: string;
  rule_id: string;
  workflow: string;
  /** 1 until the alert is closed. */
  open: Flag;
  raised_at: number;
  updated_at: number;
  /** JSON text: the whole Alert with its history. */
  body: string;
  /** The alert's severity, and who holds it (its assignee), for the alert desk's archive (migration 0006; null in rows older than it). */
  severity: string | null;
  assignee: string | null;
  /** Counts the row's writes (migration 0008): a write says which version it changes, and loses when another came first. */
  version: Generated<number>;
}

export interface WebhookDeliveriesTable {
  webhook: string;
  alert_id: string;
  kind: string;
  at: number;
  attempts: number;
  status: string;
  http_status: number | null;
  error: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  actor_name: string | null;
  address: string | null;
  action: string;
  target: string | null;
  compound: string | null;
  /** JSON text, or null. */
  before: string | null;
  after: string | null;
  note: string | null;
}

/** A compound's uploaded site-plan image (migration 0004). */
export interface PlanImagesTable {
  compound: string;
  /** image/png | image/svg+xml */
  type: string;
  /** base64 */
  data: string;
  bytes: number;
  updated_at: number;
  updated_by: string;
}

/** A photo attached to an alert on resolve (migration 0005). */
export interface AlertPhotosTable {
  id: string;
  alert_id: string;
  compound: string;
  /** image/jpeg | image/png | image/webp */
  type: string;
  /** base64 */
  data: string;
  bytes: number;
  taken_at: number;
  taken_by: string;
}

/** Which hub instance owns a partition, until when, and how many owners it has had (migration 0007). */
export interface ClusterMembersTable {
  instance: string;
  started_at: number;
  heartbeat_at: number;
}

export interface PartitionLeasesTable {
  partition: number;
  owner: string;
  expires_at: number;
  epoch: number;
}

/** A pull token of the northbound feed, by the SHA-256 of its secret (migration 0010). */
export interface NorthboundTokensTable {
  id: string;
  name: string;
  token_sha256: string;
  /** `all`, or a JSON list of compound ids. */
  scope: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  places: PlacesTable;
  compounds: CompoundsTable;
  plan_images: PlanImagesTable;
  alert_photos: AlertPhotosTable;
  devices: DevicesTable;
  docs: DocsTable;
  silences: SilencesTable;
  alerts: AlertsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  audit: AuditTable;
  partition_leases: PartitionLeasesTable;
  cluster_members: ClusterMembersTable;
  northbound_tokens: NorthboundTokensTable;
}
