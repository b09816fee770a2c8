import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'simulators/**/*.test.ts', 'dashboards/web/src/**/*.test.ts'],
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
        },
      },
    ],
  },
});
