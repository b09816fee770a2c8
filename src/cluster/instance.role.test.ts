/** A hub without CLUSTER: it judges every compound from the start, shares nothing, and its HTTP routes and live server take nothing of a cluster. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../config/config.loader.ts';
import type { AdminHooks } from '../admin/admin.types.ts';
import type { InstanceRole } from './instance.role.ts';
import { clusterBusOf, instanceRole } from './instance.role.ts';

describe('instanceRole of a single hub', () => {
  it('owns every compound from the start and passes administration changes through as they are', async () => {
    const config = loadConfig({});
    expect(clusterBusOf(config)).toBeUndefined();
    // Neither the state nor the alerts are touched by a single hub's role.
    const role: InstanceRole = await instanceRole(config, { bus: undefined, state: undefined as never, alerts: undefined as never, metrics: undefined as never, logger: pino({ level: 'silent' }) });
    expect([role.owns('c01'), role.ownsAtStart('c01'), role.ingestConnected()]).toEqual([true, true, true]);
    expect(role.eventTags).toBeUndefined();
    expect(role.http).toEqual({});
    expect(role.live).toEqual({});
    const hooks = {} as AdminHooks;
    expect(role.shareChanges(hooks, { silences: undefined as never, load: async () => [] })).toBe(hooks);
    await expect(role.stop()).resolves.toBeUndefined();
  });
});
