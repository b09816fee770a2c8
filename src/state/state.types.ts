/**
 * The public face of the operational database (design.md §11): what the hub keeps for people
 * and for the closed loop (users, sessions, places and devices, routing, rules, silences,
 * alerts, webhook deliveries, the audit log). SQLite in DATA_DIR by default, PostgreSQL by
 * DATABASE_URL; `src/state/` is the only code that speaks SQL. Readings stay in InfluxDB.
 *
 * The ingest hot path never calls this: the stages keep what they look up in memory and write
 * changes here; administration writes here first, then updates the stages in memory.
 */
import type { PlanImageInfo, PlanImageType } from '../contracts/site-plan.ts';
import type { PhotoInfo } from '../contracts/alert-photos.ts';
import type { User } from '../auth/users.schema.ts';
import type { Session } from '../auth/sessions.ts';
import type { RegistryCompound, RegistryData, RegistryDevice } from '../config/registry.schema.ts';
import type { Silence } from '../alerts/silences.ts';
import type { Alert } from '../alerts/alert.types.ts';
import type { ArchiveFilter, DeskKey } from '../alerts/alert-query.ts';
import type { Delivery } from '../dispatch/webhook.dispatcher.ts';
import type { AuditEntryView, AuditFilter } from '../contracts/admin.ts';

export type Engine = 'sqlite' | 'postgres';

/** A login as kept in the database. `disabled` logins cannot log in and hold no sessions. */
export interface StoredUser extends User {
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * A login's second factor (TOTP), kept beside it in the users table but never part of StoredUser:
 * administration, seeds and the audit diff of a user do not see it.
 */
export interface StoredMfa {
  /** The TOTP secret, sealed with the key in DATA_DIR (never the secret in clear). */
  secret: string;
  /** When the enrolment was confirmed with a code; absent: started, not confirmed (no code asked at login). */
  enabledAt?: number;
  /** The last TOTP time step a code was accepted for (a code is never taken twice). */
  lastStep?: number;
  /** SHA-256 (hex) of the recovery codes not used yet. */
  recoveryHashes: string[];
}

export interface UsersRepo {
  list(): Promise<StoredUser[]>;
  get(id: string): Promise<StoredUser | undefined>;
  /** Adds a login; HubError CONFLICT when the id is taken. */
  insert(user: User, at: number): Promise<StoredUser>;
  /** Replaces a login's fields (not its id or createdAt); HubError NOT_FOUND when there is none. */
  update(user: Omit<StoredUser, 'createdAt' | 'updatedAt'>, at: number): Promise<StoredUser>;
  /** The second factor of a login, if it has one (started or confirmed). */
  getMfa(id: string): Promise<StoredMfa | undefined>;
  /** The logins with a second factor (started or confirmed). */
  listMfa(): Promise<Array<{ id: string; mfa: StoredMfa }>>;
  /** Sets (or with null removes) a login's second factor; HubError NOT_FOUND when there is no such login. */
  setMfa(id: string, mfa: StoredMfa | null, at: number): Promise<void>;
  /**
   * A second factor written only while the login has none confirmed (a new secret, or its
   * confirmation): false when one is confirmed meanwhile (another hub, a concurrent request).
   */
  setUnconfirmedMfa(id: string, mfa: StoredMfa, at: number): Promise<boolean>;
  /** New recovery codes of a confirmed second factor, nothing else of it; false when there is none confirmed. */
  setRecoveryHashes(id: string, hashes: string[], at: number): Promise<boolean>;
  /** Takes TOTP time step `step` for a login, atomically: false when it (or a later one) was taken already. */
  takeTotpStep(id: string, step: number): Promise<boolean>;
  /** Uses up one recovery code by its hash, atomically: the codes left, or undefined when it is not (or no longer) one of them. */
  takeRecoveryCode(id: string, hash: string): Promise<number | undefined>;
}

/**
 * Logins as every instance of a cluster sees them (docs/access.md "Logins on several instances"):
 * sessions, half-done two-factor logins, per-account login failures and the check values of shared keys.
 */
export interface SessionsRepo {
  list(): Promise<Session[]>;
  /** The sessions of these ids (SHA-256 digests) that are kept, in no particular order. */
  find(ids: readonly string[]): Promise<Session[]>;
  /** Inserts or updates (by id) these sessions. */
  save(sessions: readonly Session[]): Promise<void>;
  /** Sets the idle expiry of sessions kept, never inserting one: the ids that are no longer kept (ended elsewhere). */
  touch(sessions: ReadonlyArray<Pick<Session, 'id' | 'expiresAt'>>): Promise<string[]>;
  remove(ids: readonly string[]): Promise<void>;
  /** Removes every session of a user but `except`: the ids removed. */
  removeOfUser(userId: string, except?: string): Promise<string[]>;
  /** Keeps a half-done two-factor login (by the SHA-256 of its token); those over at `at` are removed. */
  addPending(pending: PendingLogin, at: number): Promise<void>;
  /** The login of a half-done two-factor login live at `at`. */
  pendingUser(id: string, at: number): Promise<string | undefined>;
  /** Ends a half-done login live at `at`, atomically: false when it was over or taken already (single use). */
  takePending(id: string, at: number): Promise<boolean>;
  /** Ends every half-done login of a user. */
  removePendingOf(userId: string): Promise<void>;
  /** The failure streak and lock of an account (the id tried, lower case), if it has one. */
  loginFailures(account: string): Promise<LoginFailures | undefined>;
  /** Replaces an account's streak and lock only if it is still `expected` (undefined: none kept): false when another instance changed it first. */
  swapLoginFailures(account: string, expected: LoginFailures | undefined, next: LoginFailures | undefined): Promise<boolean>;
  /** The check value kept under `name`, `value` being kept first when there is none (the first instance's wins). */
  keyCheck(name: string, value: string): Promise<string>;
}

/** A login whose password was right and whose second factor is still to come. */
export interface PendingLogin {
  /** SHA-256 (base64url) of the `ch_mfa` token. */
  id: string;
  userId: string;
  expiresAt: number;
}

/** An account's failed logins in a row, as the login limiter of every instance counts them. */
export interface LoginFailures {
  failures: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  lastFailure: number;
}

/** A place above a compound: district → street → community. */
export interface Place {
  kind: 'district' | 'street' | 'community';
  id: string;
  name: string;
  /** The street's district, the community's street; none for a district. */
  parent?: string;
}

/** A compound without its devices, with the community it belongs to. */
export interface StoredCompound extends Omit<RegistryCompound, 'devices' | 'area'> {
  community: string;
  /** `city` (also when absent) or `county`. */
  area?: RegistryCompound['area'];
  /** The property desk and other contacts a manager keeps for the compound. */
  contacts?: Array<{ name: string; phone?: string; role?: string }>;
}

/** A device as kept: also the retired ones (refused at CONNECT, kept for history). */
export interface StoredDevice extends RegistryDevice {
  compound: string;
  retiredAt?: number;
  createdAt: number;
  updatedAt: number;
}

export interface PlacesRepo {
  /** The live registry: every place, compound and device not retired, as the registry file would say it. */
  registry(): Promise<RegistryData>;
  /** Whether anything is kept yet (first start: import the seeds). */
  isEmpty(): Promise<boolean>;
  upsertPlace(place: Place, at: number): Promise<void>;
  upsertCompound(compound: StoredCompound, at: number): Promise<void>;
  getCompound(id: string): Promise<StoredCompound | undefined>;
  getDevice(compound: string, type: string, id: string): Promise<StoredDevice | undefined>;
  /** Devices of a compound, retired ones too. */
  devicesOf(compound: string): Promise<StoredDevice[]>;
  /** Adds devices in one transaction: all or none. HubError CONFLICT (params.device) when one exists, retired or not. */
  insertDevices(devices: ReadonlyArray<Omit<StoredDevice, 'createdAt' | 'updatedAt' | 'retiredAt'>>, at: number): Promise<void>;
  /** Replaces a device's fields (not its identity); NOT_FOUND when there is none. */
  updateDevice(device: Omit<StoredDevice, 'createdAt' | 'updatedAt'>, at: number): Promise<StoredDevice>;
  /** Replaces the whole tree (a seed sync): in one transaction; devices left out are retired, not deleted. */
  replaceRegistry(data: RegistryData, at: number): Promise<void>;
}

/** A document kept whole and validated whole by its owner (the routing and SLA config, the rules). */
export interface StoredDoc {
  body: unknown;
  /** Starts at 1, +1 on every write: a write names the version it read (409 when it moved on). */
  version: number;
  updatedAt: number;
  updatedBy: string;
}

export type DocName = 'alerts' | 'rules';

export interface DocsRepo {
  get(name: DocName): Promise<StoredDoc | undefined>;
  /**
   * Writes a document. `expectedVersion` undefined = unconditional (seed import); otherwise
   * HubError CONFLICT (params.version = the current version) when it is not the current one.
   * `expectedVersion: 0` = only while there is no such document yet (CONFLICT when there is).
   */
  put(name: DocName, body: unknown, options: { expectedVersion?: number; by: string; at: number }): Promise<StoredDoc>;
}

export interface SilencesRepo {
  /** Silences not ended and not over at `now`. */
  list(now: number): Promise<Silence[]>;
  put(silence: Silence): Promise<void>;
  /** Ends a silence early (kept, with who ended it). */
  end(id: string, at: number, by: string): Promise<void>;
}

export interface AlertsRepo {
  /** Alerts not closed, oldest first. */
  listOpen(): Promise<Alert[]>;
  get(id: string): Promise<Alert | undefined>;
  /** Inserts or replaces (by id) these alerts with their workflow and history, in one transaction. */
  save(alerts: readonly Alert[]): Promise<void>;
  /** The closed alerts (the archive) that meet `filter`, as the alert desk filters and sorts them (src/alerts/alert-query.ts); no bodies. */
  archived(filter: ArchiveFilter): Promise<DeskKey[]>;
  /** These alerts, whole (any order; ids not kept are left out). */
  getMany(ids: readonly string[]): Promise<Alert[]>;
  /** Scale-out (design.md §10): the alerts not closed (of these compounds, when given) with the version of their row. */
  listOpenVersioned(compounds?: readonly string[]): Promise<VersionedAlert[]>;
  getVersioned(id: string): Promise<VersionedAlert | undefined>;
  /** Alerts (open or closed) that changed at or after `since` (their last event or sighting), with their versions. */
  changedSince(since: number): Promise<VersionedAlert[]>;
  /**
   * Writes the alert only if its row is still at `version` (0: a new alert, inserted only if its
   * id is free); the new version, or undefined when another write came first.
   */
  writeIf(alert: Alert, version: number): Promise<number | undefined>;
  /**
   * One workflow step as a locked read-modify-write (PostgreSQL: `select … for update`): `step`
   * gets the alert as stored and returns it changed (or throws to write nothing); the alert and
   * its new version. Two instances stepping the same alert at once are served one after the other.
   */
  stepLocked(id: string, step: (stored: VersionedAlert) => Alert): Promise<VersionedAlert>;
}

export interface VersionedAlert {
  alert: Alert;
  version: number;
}

export interface DeliveriesRepo {
  /** Inserts or updates (by webhook + alertId + kind + at) these deliveries. */
  save(deliveries: readonly Delivery[]): Promise<void>;
  /** The newest first. */
  list(limit: number): Promise<Delivery[]>;
}

/** One line of the audit log (as the API shows it): append-only, nothing in it can be edited through the product. */
export type AuditEntry = AuditEntryView;

/** Filters of an audit query: `from` inclusive, `to` exclusive; `beforeId` pages back; limit default 100, at most 1000. */
export type AuditQuery = AuditFilter;

export interface AuditRepo {
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditEntry[]>;
  /** Removes entries older than `before` (the configured retention); returns how many. */
  prune(before: number): Promise<number>;
}

/** A compound's uploaded site-plan image (migration 0004). */
export interface StoredPlanImage {
  compound: string;
  type: PlanImageType;
  data: Buffer;
  bytes: number;
  updatedAt: number;
  /** The login that uploaded it. */
  updatedBy: string;
}

export interface PlanImagesRepo {
  get(compound: string): Promise<StoredPlanImage | undefined>;
  /** Type, size and time only (no bytes). */
  info(compound: string): Promise<PlanImageInfo | undefined>;
  /** Adds or replaces the compound's image (`bytes` is taken from `data`). */
  put(image: Omit<StoredPlanImage, 'bytes'>): Promise<void>;
  /** Whether there was one. */
  remove(compound: string): Promise<boolean>;
}

/** Photos attached to alerts (alert_photos), bytes kept whole. */
export interface AlertPhotosRepo {
  put(photo: PhotoInfo, data: Buffer): Promise<void>;
  get(id: string): Promise<{ info: PhotoInfo; data: Buffer } | undefined>;
  /** Without bytes. */
  info(id: string): Promise<PhotoInfo | undefined>;
  /** An alert's photos, oldest first, without bytes. */
  list(alertId: string): Promise<PhotoInfo[]>;
}

/** A partition's lease as held: by whom, until when (epoch ms), and its fencing epoch. */
export interface PartitionLease {
  partition: number;
  owner: string;
  expiresAt: number;
  /** Increases with every new owner: a write stamped with an older epoch comes from a former owner. */
  epoch: number;
}

/**
 * The partitions' leases (design.md §10): taken over only when free or expired, renewed only by
 * their owner before they expire, each a single conditional statement, so two instances can never
 * hold one partition at once, whatever their timing.
 */
export interface LeasesRepo {
  /** Takes the lease of `partition` for `owner` until `now + ttlMs` when it is free, expired or already ours; the lease, or undefined when another holds it. */
  acquire(partition: number, owner: string, now: number, ttlMs: number): Promise<PartitionLease | undefined>;
  /** Extends our unexpired lease (same epoch) to `now + ttlMs`; false when it expired or was taken (stop acting on it). */
  renew(lease: PartitionLease, now: number, ttlMs: number): Promise<PartitionLease | undefined>;
  /** Gives our lease up at once (a graceful hand-over); false when it was not ours any more. */
  release(lease: PartitionLease, now: number): Promise<boolean>;
  list(): Promise<PartitionLease[]>;
  /** Renews, in one statement, those of `partitions` that `owner` holds unexpired; the leases renewed (the others are lost). */
  renewMine(owner: string, partitions: readonly number[], now: number, ttlMs: number): Promise<PartitionLease[]>;
}

/** An instance of a cluster as the database knows it (cluster_members). */
export interface ClusterMember {
  instance: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface MembersRepo {
  /** Says `instance` is alive at `now` (inserted at its first beat). */
  heartbeat(instance: string, startedAt: number, now: number): Promise<void>;
  list(): Promise<ClusterMember[]>;
  /** An instance stopping: gone from the list at once. */
  leave(instance: string): Promise<void>;
}

/** A pull token of the northbound feed as kept (never its secret, only its digest). */
export interface NorthboundToken {
  id: string;
  name: string;
  /** `all`, or the compounds it may read. */
  scope: 'all' | string[];
  createdBy: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface NorthboundTokensRepo {
  /** Keeps a new token by the SHA-256 (hex) of its secret; CONFLICT when the id or the digest is taken. */
  insert(token: Omit<NorthboundToken, 'revokedAt' | 'lastUsedAt'>, tokenSha256: string): Promise<void>;
  /** Every token, revoked ones too, oldest first. */
  list(): Promise<NorthboundToken[]>;
  /** The token whose secret has this digest (revoked or not). */
  findByDigest(tokenSha256: string): Promise<NorthboundToken | undefined>;
  /** Revokes it at `at` (a token revoked already keeps its first time); the token as it is now, undefined when there is none. */
  revoke(id: string, at: number): Promise<NorthboundToken | undefined>;
  /** Notes that it was used at `at`. */
  touch(id: string, at: number): Promise<void>;
}

export interface StateStore {
  readonly engine: Engine;
  /** For logs and the banner: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The schema version this database is at (the newest migration applied). */
  readonly schemaVersion: number;
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly places: PlacesRepo;
  readonly docs: DocsRepo;
  readonly silences: SilencesRepo;
  readonly alerts: AlertsRepo;
  readonly deliveries: DeliveriesRepo;
  readonly audit: AuditRepo;
  readonly planImages: PlanImagesRepo;
  readonly alertPhotos: AlertPhotosRepo;
  readonly leases: LeasesRepo;
  readonly members: MembersRepo;
  readonly northboundTokens: NorthboundTokensRepo;
  /** A consistent copy of the database in `file` (SQLite online backup); PostgreSQL: HubError STATE_UNSUPPORTED (use pg_dump). */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStateOptions {
  /** PostgreSQL URL (`postgres://…`); without it SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
}
