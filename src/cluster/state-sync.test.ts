import { describe, expect, it, vi } from 'vitest';
import type { AdminHooks } from '../admin/admin.types.ts';
import { Silences } from '../alerts/silences.ts';
import type { ClusterBus, ClusterMessageKind, ClusterMessages } from './cluster.bus.ts';
import { syncState } from './state-sync.ts';

/** Two instances' buses joined: what one publishes, the other receives (as serverSideEmit does, never the sender). */
function joinedBuses(): [ClusterBus, ClusterBus] {
  const handlers = [new Map<string, Array<(m: unknown) => void>>(), new Map<string, Array<(m: unknown) => void>>()];
  const bus = (me: number): ClusterBus => ({
    instance: `i${me}`,
    publish<K extends ClusterMessageKind>(kind: K, message: ClusterMessages[K]) {
      for (const h of handlers[1 - me]!.get(kind) ?? []) h(structuredClone(message));
    },
    on<K extends ClusterMessageKind>(kind: K, handler: (message: ClusterMessages[K]) => void) {
      handlers[me]!.set(kind, [...(handlers[me]!.get(kind) ?? []), handler as (m: unknown) => void]);
    },
  });
  return [bus(0), bus(1)];
}

function recordingHooks(log: string[], name: string): AdminHooks {
  return {
    userChanged: async (id) => void log.push(`${name} user ${id}`),
    registryChanged: async (keys) => void log.push(`${name} registry ${keys.join(',')}`),
    routingChanged: (config) => void log.push(`${name} routing ${config.grids.length}`),
    rulesChanged: (data) => void log.push(`${name} rules ${data.rules.length}`),
  };
}

describe('syncState', () => {
  it('takes a change on the instance that made it and on the other, once each', async () => {
    const [a, b] = joinedBuses();
    const log: string[] = [];
    const silencesA = new Silences();
    const silencesB = new Silences();
    const hooksA = syncState(a, recordingHooks(log, 'A'), { silences: silencesA, load: async () => [] }, () => undefined);
    syncState(b, recordingHooks(log, 'B'), { silences: silencesB, load: async () => [] }, () => undefined);
    await hooksA.userChanged('wang');
    await hooksA.registryChanged(['c01/manhole/m1']);
    hooksA.routingChanged({ grids: [], escalation: [] } as never);
    hooksA.rulesChanged({ rules: [], groups: [], inhibit: [] } as never);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['A user wang', 'B user wang', 'A registry c01/manhole/m1', 'B registry c01/manhole/m1', 'A routing 0', 'B routing 0', 'A rules 0', 'B rules 0']);
  });

  it('has the other instance read the silences again from the database, without telling them back', async () => {
    const [a, b] = joinedBuses();
    const silencesA = new Silences();
    const silencesB = new Silences();
    const hooks = recordingHooks([], 'x');
    // The database: what A holds (A writes its silences at once).
    syncState(a, hooks, { silences: silencesA, load: async () => silencesA.list(2000) }, () => undefined);
    syncState(b, hooks, { silences: silencesB, load: async () => silencesA.list(2000) }, () => undefined);
    let told = 0;
    silencesA.onChange(() => (told += 1));
    const { silence } = silencesA.add({ compound: 'c01', from: 1000, until: 5000, reason: 'maintenance', actor: 'zhao' });
    await vi.waitFor(() => expect(silencesB.list(2000).map((s) => s.id)).toEqual([silence.id]));
    silencesA.remove(silence.id);
    await vi.waitFor(() => expect(silencesB.list(2000)).toEqual([]));
    // A heard only its own two changes: B's taking them was not told back.
    expect(told).toBe(2);
  });
});
