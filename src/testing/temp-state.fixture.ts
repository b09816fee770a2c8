/**
 * A fresh SQLite operational database in a temporary directory, for unit tests of what keeps
 * its state there; `closeAll()` (in afterEach) closes every store opened and removes the dirs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openState } from '../state/index.ts';
import type { StateStore } from '../state/state.types.ts';

export const silentLogger = pino({ level: 'silent' });

export function tempStates(prefix: string): { open(): Promise<StateStore>; closeAll(): Promise<void> } {
  const cleanups: Array<() => Promise<void>> = [];
  return {
    async open() {
      const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
      const store = await openState({ dataDir: dir }, silentLogger);
      cleanups.push(() => rm(dir, { recursive: true, force: true }), () => store.close());
      return store;
    },
    async closeAll() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}
