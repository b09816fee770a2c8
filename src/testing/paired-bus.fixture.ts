/**
 * Cluster buses of instances in one test process: what one publishes, every other one's handlers
 * get, synchronously (the real bus, socket.io's PostgreSQL adapter, adds its latency). `cut` stops
 * an instance from hearing the others (a message lost: an instance restarting).
 */
import type { ClusterBus, ClusterMessageKind, ClusterMessages } from '../cluster/cluster.bus.ts';

export interface PairedBus extends ClusterBus {
  /** Messages of these kinds this instance has published. */
  readonly sent: Array<{ kind: ClusterMessageKind; message: unknown }>;
  /** Stops (or, false, resumes) delivery to this instance. */
  cut(deaf?: boolean): void;
}

export function pairedBuses(...instances: string[]): PairedBus[] {
  const handlers = new Map<string, Map<string, Array<(message: unknown) => void>>>();
  const deaf = new Set<string>();
  return instances.map((instance) => {
    handlers.set(instance, new Map());
    const sent: PairedBus['sent'] = [];
    return {
      instance,
      sent,
      cut: (on = true) => void (on ? deaf.add(instance) : deaf.delete(instance)),
      publish<K extends ClusterMessageKind>(kind: K, message: ClusterMessages[K]) {
        sent.push({ kind, message });
        for (const [other, mine] of handlers) {
          if (other === instance || deaf.has(other)) continue;
          for (const handler of mine.get(kind) ?? []) handler(structuredClone(message));
        }
      },
      on<K extends ClusterMessageKind>(kind: K, handler: (message: ClusterMessages[K]) => void) {
        const mine = handlers.get(instance)!;
        mine.set(kind, [...(mine.get(kind) ?? []), handler as (message: unknown) => void]);
      },
    };
  });
}
