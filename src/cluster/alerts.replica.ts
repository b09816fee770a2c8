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
import type { Alert, AlertEvent } from '../alerts/alert.types.ts';
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
  /**
   * Changed here and not written yet (or being written): whether a change worth notifying is
   * among them, and a count of changes, so a change made while its write is in flight is kept.
   */
  readonly #dirty = new Map<string, { urgent: boolean; changes: number }>();
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
      this.#mark(alert.id, event.kind !== 'repeated');
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

  /**
   * Reads the alerts changed since `since` (open or closed) into the book: what a message lost on
   * the way (the bus reconnecting, an instance starting) did not bring.
   */
  async catchUp(since: number): Promise<number> {
    let taken = 0;
    for (const row of await this.#d.repo.changedSince(since)) {
      const alert = this.#take(row);
      if (alert) {
        taken += 1;
        this.#d.changed(alert, false);
      }
    }
    return taken;
  }

  /**
   * A workflow step on the alert as stored, locked while `step` runs (design.md §10). What the
   * step causes (notifications, the event log, sockets) is told only once the database took it;
   * a step the database did not take leaves the alert as stored.
   */
  async step(alertId: string, step: () => Alert): Promise<Alert> {
    // This instance's own unwritten changes of it go first, so the step sees them.
    if (this.#dirty.has(alertId)) await this.#kept.flush();
    let events: Array<[AlertEvent, Alert]> = [];
    let stored: VersionedAlert | undefined;
    try {
      const written = await this.#d.repo.stepLocked(alertId, (row) => {
        stored = row;
        this.#take(row);
        this.#stepping.add(alertId);
        const held = this.#d.alerts.holdingEvents(step);
        events = held.events;
        return held.result;
      });
      this.#remember(alertId, written.version, written.alert);
      this.#d.bus.publish('alerts', { alerts: [{ ...written, urgent: events.some(([e]) => e.alertId === alertId) }] });
      // Told now; an alert the step raised (a forced close of an active condition) is written behind.
      this.#d.alerts.announce(events);
      this.#stepping.delete(alertId);
      return this.#d.alerts.get(alertId);
    } catch (error) {
      this.#stepping.delete(alertId);
      // Not taken: the book goes back to the alert as stored, and alerts the step raised are forgotten.
      if (stored) this.#d.alerts.mirror(stored.alert);
      for (const [event] of events) if (event.alertId !== alertId && event.kind === 'raised') this.#d.alerts.forget(event.alertId);
      throw error;
    }
  }

  /**
   * This instance stopped acting on these compounds (a partition lost, design.md §10): what it
   * changed of their alerts and did not write is given up, so it cannot land after the next owner
   * took over; alerts it raised and never wrote are forgotten (the next owner raises them again).
   */
  abandon(compounds: ReadonlySet<string>): void {
    for (const id of [...this.#dirty.keys()]) {
      const alert = safeGet(this.#d.alerts, id);
      if (alert && !compounds.has(alert.compound)) continue;
      this.#dirty.delete(id);
      if (alert && !this.#known.has(id)) this.#d.alerts.forget(id);
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
    this.#remember(row.alert.id, row.version, row.alert);
    return this.#d.alerts.mirror(next);
  }

  #mark(id: string, urgent: boolean): void {
    const entry = this.#dirty.get(id);
    this.#dirty.set(id, { urgent: urgent || (entry?.urgent ?? false), changes: (entry?.changes ?? 0) + 1 });
    this.#kept.changed();
  }

  /** The version last seen of an alert; a closed one needs none (it takes no more changes but steps, which read it). */
  #remember(id: string, version: number, alert: Alert): void {
    if (alert.workflow === 'closed') this.#known.delete(id);
    else this.#known.set(id, { version, base: structuredClone(alert) });
  }

  async #write(): Promise<void> {
    const told: Array<{ alert: Alert; version: number; urgent: boolean }> = [];
    try {
      for (const [id, entry] of [...this.#dirty]) {
        const written = await this.#writeOne(id);
        if (written === undefined) continue; // another kept changing it: the next write merges again
        // Changed again while it was written: it stays to be written.
        if (this.#dirty.get(id)?.changes === entry.changes) this.#dirty.delete(id);
        if (written !== 'gone') told.push({ ...written, urgent: entry.urgent });
      }
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
        this.#remember(id, version, snapshot);
        return { alert: snapshot, version };
      }
      const stored = await this.#d.repo.getVersioned(id);
      if (!stored) return 'gone';
      if (!known) {
        // Never read here, yet stored: nothing of this instance's to write over it.
        this.#remember(id, stored.version, stored.alert);
        this.#d.alerts.mirror(stored.alert);
        return 'gone';
      }
      const merged = mergeAlert(known.base, stored.alert, snapshot);
      this.#remember(id, stored.version, stored.alert);
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
