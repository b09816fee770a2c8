import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two workers on a 2-core machine (vitest's default leaves one core free, i.e. one worker).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'simulators/**/*.test.ts', 'dashboards/web/src/**/*.test.ts'],
          // Each worker imports the modules once for all its files (no global state to leak).
          isolate: false,
          // The unit files first, then the integration files, then the fault scenarios alone.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two files at a time: each starts its own servers on free ports and temp dirs, and most
          // of their time is spent waiting on deadlines and child processes, not on the CPU.
          fileParallelism: true,
          // One import of the hub's modules per worker, not once per file (no global state to leak).
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // The fault scenarios drive hundreds of messages a second: one at a time, nothing beside them.
          fileParallelism: false,
          isolate: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
