/**
 * Live device state on every instance (design.md §10): the owner of a partition takes its
 * devices' readings; every other instance serves dashboards too, so the owner tells them, a batch
 * every RELAY_MS (bus `readings`), and each applies the batch to its own device states and shows
 * it to its sockets as if it had taken the readings itself. A device the owner's rules found
 * silent is told too (offline until it reports again).
 */
import type { DeviceStates } from '../live/device-state.ts';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';
import type { Reading } from '../contracts/readings.ts';
import type { ClusterBus } from './cluster.bus.ts';

/** How often readings are told: dashboards batch at ≤ 10 per second anyway. */
export const RELAY_MS = 200;
/** Readings per message at most (the rest go in the next). */
const MAX_BATCH = 2000;

export class LiveRelay {
  #readings: Array<[string, Reading]> = [];
  #silent: string[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly bus: ClusterBus,
    deps: { registry: Registry; deviceStates: DeviceStates; deviceChanged: (device: RegisteredDevice) => void },
  ) {
    this.#timer = setInterval(() => this.flush(), RELAY_MS);
    this.#timer.unref();
    bus.on('readings', (message) => {
      for (const [key, reading] of message.readings) {
        const device = deps.registry.getByKey(key);
        if (!device) continue;
        deps.deviceStates.apply(reading, key);
        deps.deviceChanged(device);
      }
      for (const key of message.silent ?? []) {
        const device = deps.registry.getByKey(key);
        if (device && deps.deviceStates.markSilent(device)) deps.deviceChanged(device);
      }
    });
  }

  /** A reading this instance took (it owns the device's partition). */
  reading(key: string, reading: Reading): void {
    this.#readings.push([key, reading]);
    if (this.#readings.length >= MAX_BATCH) this.flush();
  }

  /** A device this instance's rules found silent. */
  silent(key: string): void {
    this.#silent.push(key);
  }

  flush(): void {
    if (!this.#readings.length && !this.#silent.length) return;
    const readings = this.#readings;
    const silent = this.#silent;
    this.#readings = [];
    this.#silent = [];
    this.bus.publish('readings', { readings, ...(silent.length ? { silent } : {}) });
  }

  stop(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
