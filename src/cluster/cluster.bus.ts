/**
 * What instances of a cluster tell each other (design.md §10), carried by socket.io's PostgreSQL
 * adapter (`io.serverSideEmit`): no protocol of the hub's own between instances. Each message
 * goes to every other instance; on a single hub there is no one to tell and publishing does nothing.
 * Messages are hints that keep memory in step with the database: whatever must survive is in
 * the database first, so a message lost (an instance restarting) costs freshness, never data.
 */
import type { Server } from 'socket.io';
import type { Alert } from '../alerts/alert.types.ts';
import type { Reading } from '../contracts/readings.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { RulesData } from '../rules/rule.schema.ts';

export interface ClusterMessages {
  /** Sessions ended on one instance (logout, password changed, login disabled): no instance accepts their tokens. */
  'sessions-ended': { ids: string[] };
  /** Alerts as written to the database (with the version written), to replace older copies. */
  alerts: { alerts: Array<{ alert: Alert; version: number; urgent: boolean }> };
  /** Readings the owners of partitions took, for the live views of every instance (device key → reading). */
  readings: { readings: Array<[string, Reading]>; silent?: string[] };
  /** Something people manage changed (written to the database first): every instance takes it (state-sync.ts). */
  'state-changed': StateChange;
}

export type StateChange =
  | { what: 'users'; id: string }
  | { what: 'registry'; keys: string[] }
  | { what: 'routing'; config: AlertsConfig }
  | { what: 'rules'; data: RulesData }
  | { what: 'silences' };

export type ClusterMessageKind = keyof ClusterMessages;

export interface ClusterBus {
  /** The instance's name (CLUSTER_INSTANCE); `undefined` on a single hub. */
  readonly instance: string | undefined;
  publish<K extends ClusterMessageKind>(kind: K, message: ClusterMessages[K]): void;
  on<K extends ClusterMessageKind>(kind: K, handler: (message: ClusterMessages[K]) => void): void;
}

const PREFIX = 'hub:';

/**
 * The bus of a cluster instance: handlers may be registered from the start; messages flow once
 * the live server's socket.io server (with the PostgreSQL adapter) is attached. Before that
 * there is nothing to send: no instance has acted yet.
 */
export class SocketClusterBus implements ClusterBus {
  readonly #handlers = new Map<string, Array<(message: unknown) => void>>();
  #io: Server | undefined;

  constructor(readonly instance: string) {}

  attach(io: Server): void {
    this.#io = io;
    for (const [kind, handlers] of this.#handlers) for (const handler of handlers) io.on(PREFIX + kind, handler);
  }

  publish<K extends ClusterMessageKind>(kind: K, message: ClusterMessages[K]): void {
    this.#io?.serverSideEmit(PREFIX + kind, message);
  }

  on<K extends ClusterMessageKind>(kind: K, handler: (message: ClusterMessages[K]) => void): void {
    const handlers = this.#handlers.get(kind) ?? [];
    handlers.push(handler as (message: unknown) => void);
    this.#handlers.set(kind, handlers);
    this.#io?.on(PREFIX + kind, handler as (message: unknown) => void);
  }
}

/** A single hub's bus: nobody else to tell. */
export const soloBus: ClusterBus = { instance: undefined, publish: () => undefined, on: () => undefined };
