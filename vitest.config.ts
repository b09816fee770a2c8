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
          // The unit files first, then the integration files alone.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real mosquitto/influxd child processes: run files one at a time on 2 cores.
          fileParallelism: false,
          // One worker for every file: the hub's modules are imported once, not once per file (no global state to leak).
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
