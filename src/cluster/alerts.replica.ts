/**
 * Alerts on a cluster instance (design.md §10). Every instance's alert book holds every open
 * alert; the database row, with its version, is the truth:
 * - changes the owner of a partition makes (raise, repeat, clear, reminders, escalations) are
 *   written behind, each only over the version it started from (`writeIf`); when a person's step
 *   came first, the two are merged (alert-merge.ts) and written over the newer one;
 * - a workflow step, on whichever instance a person uses, is taken on the row as stored, locked
 *   while it is taken (`stepLocked`): two instances accepting one alert are served in turn;
 * - what is written is told to the other instances (bus `alerts`), which take it into their books
 *   (merging their own unwritten changes) and show it to their sockets.
 * Messages only speed things up: a partition's new owner reads its open alerts from the database.
 */
import type { Logger } from 'pino';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { mergeAlert } from '../alerts/alert-merge.ts';
import type { AlertsRepo, VersionedAlert } from '../state/state.types.ts';
import { writeBehind, type WriteBehind } from '../util/write-behind.ts';
import type { ClusterBus } from './cluster.bus.ts';

/** Longest an owner's change waits before it is written (as on a single hub). */
const WRITE_DELAY_MS = 100;
/** Merges tried before a change waits for the next write (another instance keeps stepping the same alert). */
const MERGE_TRIES = 3;

export interface AlertReplicaDeps {
  alerts: AlertBook;
  repo: AlertsRepo;
  bus: ClusterBus;
  /** An alert changed by another instance: shown to this instance's sockets. */
  changed: (alert: Alert, urgent: boolean) => void;
  logger: Logger;
}

interface Known {
  version: number;
  /** The alert as that version stored it: the base of a merge. */
  base: Alert;
}

export class AlertReplica {
  readonly #d: AlertReplicaDeps;
  readonly #known = new Map<string, Known>();
  /** Changed here, not written yet: whether a change worth notifying is among them. */
  #dirty = new Map<string, boolean>();
  /** Alerts in a locked step now: their changes are written by the step. */
  readonly #stepping = new Set<string>();
  readonly #kept: WriteBehind;
  readonly #log: Logger;

  constructor(deps: AlertReplicaDeps) {
    this.#d = deps;
    this.#log = deps.logger.child({ stage: 'alerts' });
    this.#kept = writeBehind(() => this.#write(), { delayMs: WRITE_DELAY_MS, logger: this.#log, what: 'alerts', failure: 'the other instances and a restart do not see what changed since' });
    deps.alerts.onEvent((event, alert) => {
      if (this.#stepping.has(alert.id)) return;
      this.#dirty.set(alert.id, (this.#dirty.get(alert.id) ?? false) || event.kind !== 'repeated');
      this.#kept.changed();
    });
    deps.bus.on('alerts', (message) => {
      for (const { alert, version, urgent } of message.alerts) {
        const taken = this.#take({ alert, version });
        if (taken) deps.changed(taken, urgent);
      }
    });
  }

  /** Reads the open alerts (of these compounds: a partition taken over) from the database into the book. */
  async load(compounds?: readonly string[]): Promise<number> {
    const rows = await this.#d.repo.listOpenVersioned(compounds);
    for (const row of rows) {
      const taken = this.#take(row);
      if (taken) this.#d.changed(taken, false);
    }
    return rows.length;
  }

  /** A workflow step on the alert as stored, locked while `step` runs (design.md §10). */
  async step(alertId: string, step: () => Alert): Promise<Alert> {
    // This instance's own unwritten changes of it go first, so the step sees them.
    if (this.#dirty.has(alertId)) await this.#kept.flush();
    let urgent = false;
    try {
      const written = await this.#d.repo.stepLocked(alertId, (stored) => {
        this.#take(stored);
        this.#stepping.add(alertId);
        const before = this.#d.alerts.get(alertId).history.length;
        const done = step();
        urgent = done.history.length !== before;
        return done;
      });
      this.#known.set(alertId, { version: written.version, base: structuredClone(written.alert) });
      this.#dirty.delete(alertId);
      this.#d.bus.publish('alerts', { alerts: [{ ...written, urgent }] });
      return this.#d.alerts.get(alertId);
    } catch (error) {
      // Taken here but not written (the database went away at the commit): written behind like any change.
      if (urgent) {
        this.#dirty.set(alertId, true);
        this.#kept.changed();
      }
      throw error;
    } finally {
      this.#stepping.delete(alertId);
    }
  }

  flush(): Promise<void> {
    return this.#kept.flush();
  }

  /** Takes a stored version into the book, merged with this instance's unwritten changes; undefined when the book has it already. */
  #take(row: VersionedAlert): Alert | undefined {
    const known = this.#known.get(row.alert.id);
    if (known && known.version >= row.version) return undefined;
    const mine = this.#dirty.has(row.alert.id) ? safeGet(this.#d.alerts, row.alert.id) : undefined;
    const next = mine && known ? mergeAlert(known.base, row.alert, structuredClone(mine)) : row.alert;
    this.#known.set(row.alert.id, { version: row.version, base: structuredClone(row.alert) });
    return this.#d.alerts.mirror(next);
  }

  async #write(): Promise<void> {
    const batch = this.#dirty;
    this.#dirty = new Map();
    const told: Array<{ alert: Alert; version: number; urgent: boolean }> = [];
    try {
      for (const [id, urgent] of batch) {
        const written = await this.#writeOne(id);
        if (written === 'gone') continue;
        if (written) told.push({ ...written, urgent });
        else this.#dirty.set(id, urgent || (this.#dirty.get(id) ?? false));
      }
    } catch (error) {
      for (const [id, urgent] of batch) if (!told.some((t) => t.alert.id === id)) this.#dirty.set(id, urgent || (this.#dirty.get(id) ?? false));
      throw error;
    } finally {
      if (told.length) this.#d.bus.publish('alerts', { alerts: told });
    }
    if (this.#dirty.size) this.#kept.changed();
  }

  /** Writes this instance's copy over the version it knows, merging when another came first. */
  async #writeOne(id: string): Promise<VersionedAlert | 'gone' | undefined> {
    for (let attempt = 0; attempt < MERGE_TRIES; attempt++) {
      const mine = safeGet(this.#d.alerts, id);
      if (!mine) return 'gone';
      const known = this.#known.get(id);
      const snapshot = structuredClone(mine);
      const version = await this.#d.repo.writeIf(snapshot, known?.version ?? 0);
      if (version !== undefined) {
        this.#known.set(id, { version, base: snapshot });
        return { alert: snapshot, version };
      }
      const stored = await this.#d.repo.getVersioned(id);
      if (!stored) return 'gone';
      const merged = known ? mergeAlert(known.base, stored.alert, snapshot) : stored.alert;
      this.#known.set(id, { version: stored.version, base: structuredClone(stored.alert) });
      this.#d.alerts.mirror(merged);
      this.#log.debug({ alert: id, version: stored.version }, 'alert changed elsewhere meanwhile: merged');
    }
    return undefined;
  }
}

function safeGet(alerts: AlertBook, id: string): Alert | undefined {
  try {
    return alerts.get(id);
  } catch {
    return undefined;
  }
}
