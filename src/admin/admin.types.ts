/**
 * What administration needs from the rest of the hub, passed in by hub.ts. An admin write goes
 * to the operational database first; then the hub is told, so the stages that keep lookups in
 * memory (the registry, the logins, the routing, the rules) take the change at once, without a
 * restart, and the ingest hot path never waits on the database.
 */
import type { Me } from '../contracts/access.ts';
import type { StateStore } from '../state/state.types.ts';
import type { AuditLog } from '../audit/audit.log.ts';
import type { RulesData } from '../rules/rule.schema.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { StoreSettings } from '../store/store.types.ts';

export interface AdminHooks {
  /** A login was added or changed in the state: the login cache takes it back; a disabled login's sessions end. */
  userChanged(id: string): Promise<void>;
  /** Places or devices changed in the state: the registry is rebuilt from it; devices no longer in it (retired, secret rotated) are disconnected. */
  registryChanged(changedDeviceKeys: readonly string[]): Promise<void>;
  /** The routing document was saved (already validated and checked against the people): alerts route by it from now on. */
  routingChanged(config: AlertsConfig): void;
  /** The rules document was saved (already validated): the rules engine judges by its rules, the correlator groups and inhibits by the rest, from now on. */
  rulesChanged(data: RulesData): void;
}

export interface AdminDeps {
  state: StateStore;
  hooks: AdminHooks;
  audit: AuditLog;
  /** Everyone who can log in (not disabled), as routing sees them: a routing document must resolve to them. */
  people(): readonly Me[];
  /** Rules that the hub falls back to when the state holds none (the built-in pack). */
  defaultRules(): RulesData;
  /** The clock (tests pass their own). */
  now(): number;
  /** InfluxDB, for a dry run of rules over stored history (`POST /api/admin/rules/try`); undefined when live-only. */
  storeSettings?: StoreSettings | undefined;
}
