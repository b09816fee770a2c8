/**
 * Runs a fleet over simulated time without a broker: every device steps every `stepMs`
 * from `startMs` for `durationMs`, driven by a scenario. The output is exactly
 * reproducible from the seed: for unit tests, rule replays and benchmark inputs.
 *
 * It yields what a broker would carry: the devices' reports and, when a scenario cuts a
 * device's power, the `offline` its Last Will says at that time (after its last gasp) and
 * the `online` it says when the power is back (before its first sample). Devices are
 * taken to be online from the start; an uplink outage says nothing.
 */
import { resolveScenario, type Scenario } from './scenarios/index.ts';
import { createSimDevice, statusChange, type RunMessage, type SimDevice, type SimDeviceSpec } from './sim.device.ts';

export interface OfflineRunOptions {
  devices: readonly SimDeviceSpec[];
  seed?: number;
  scenario?: string | Scenario;
  /** Device clock at the start, ms epoch (default 2026-01-01T00:00:00Z). */
  startMs?: number;
  /** Time between two samples of a device. */
  stepMs: number;
  durationMs: number;
  topicRoot?: string;
}

export const OFFLINE_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Yields each step's messages, device by device (fleet order), step after step. */
export function* runOffline(options: OfflineRunOptions): Generator<RunMessage, SimDevice[]> {
  if (!(options.stepMs > 0)) throw new Error('stepMs must be positive');
  const startMs = options.startMs ?? OFFLINE_EPOCH_MS;
  const driver = resolveScenario(options.scenario).start();
  const devices = options.devices.map((spec) =>
    createSimDevice(spec, { seed: options.seed ?? 1, startMs, ...(options.topicRoot ? { topicRoot: options.topicRoot } : {}) }),
  );
  for (let from = 0; from + options.stepMs <= options.durationMs; from += options.stepMs) {
    for (const device of devices) {
      const before = device.outage;
      driver.beforeStep(device, from);
      const status = statusChange(before, device.outage);
      if (status === 'online') yield device.statusMessage('online', startMs + from);
      yield* device.advance(startMs + from + options.stepMs);
      if (status === 'offline') yield device.statusMessage('offline', startMs + from);
    }
  }
  return devices;
}
