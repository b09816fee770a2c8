/**
 * What people manage, on every instance at once (design.md §10): an administration change is
 * written to the database by the instance that took it, then its in-memory stages take it
 * (AdminHooks); here the same change is told to the other instances (bus `state-changed`), whose
 * hooks take it too: a login refreshed from the database, the registry rebuilt from it, the
 * routing and rules as saved, the silences read again from the database (a moment later, once
 * the instance that changed them has written them: two instances changing silences at once
 * both keep theirs).
 */
import type { AdminHooks } from '../admin/admin.types.ts';
import type { Silence, Silences } from '../alerts/silences.ts';
import type { ClusterBus } from './cluster.bus.ts';

/** How long after a silence changed elsewhere they are read again (the other instance writes them at once). */
export const SILENCES_REREAD_MS = 300;

export function syncState(
  bus: ClusterBus,
  hooks: AdminHooks,
  kept: { silences: Silences; load: () => Promise<Silence[]> },
  onError: (what: string, error: Error) => void,
): AdminHooks {
  const { silences } = kept;
  let remote = false;
  silences.onChange(() => {
    if (!remote) bus.publish('state-changed', { what: 'silences' });
  });
  const reread = async () => {
    const all = await kept.load();
    remote = true;
    try {
      silences.replace(all);
    } finally {
      remote = false;
    }
  };
  bus.on('state-changed', (change) => {
    const failed = (error: unknown) => onError(change.what, error as Error);
    switch (change.what) {
      case 'users':
        return void hooks.userChanged(change.id).catch(failed);
      case 'registry':
        return void hooks.registryChanged(change.keys).catch(failed);
      case 'routing':
        return hooks.routingChanged(change.config);
      case 'rules':
        return hooks.rulesChanged(change.data);
      case 'silences':
        return void setTimeout(() => void reread().catch(failed), SILENCES_REREAD_MS);
    }
  });
  return {
    async userChanged(id) {
      await hooks.userChanged(id);
      bus.publish('state-changed', { what: 'users', id });
    },
    async registryChanged(keys) {
      await hooks.registryChanged(keys);
      bus.publish('state-changed', { what: 'registry', keys: [...keys] });
    },
    routingChanged(config) {
      hooks.routingChanged(config);
      bus.publish('state-changed', { what: 'routing', config });
    },
    rulesChanged(data) {
      hooks.rulesChanged(data);
      bus.publish('state-changed', { what: 'rules', data });
    },
  };
}
