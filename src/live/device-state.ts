/**
 * Latest known state of every registered device, kept in memory from accepted
 * readings: what the device list API and (later) the dashboards show.
 */
import type { FieldValue } from '../contracts/payloads.ts';
import type { Reading } from '../contracts/readings.ts';
import type { RegisteredDevice } from '../registry/registry.ts';

export interface DeviceSnapshot {
  online: boolean;
  /** Receive time of the last message of any kind, ms epoch. */
  lastSeen?: number;
  /** Sample time of the latest telemetry. */
  lastTelemetryTs?: number;
  fields: Record<string, FieldValue>;
  /** Per field: sample time since which it has had its current value (how long a lane is blocked). */
  fieldSince: Record<string, number>;
  lastEvent?: { event: string; code?: string; ts: number };
}

export class DeviceStates {
  readonly #states = new Map<string, DeviceSnapshot>();
  readonly #onlineByCompound = new Map<string, number>();
  #online = 0;

  apply(reading: Reading, key: string): void {
    let state = this.#states.get(key);
    if (!state) {
      state = { online: false, fields: {}, fieldSince: {} };
      this.#states.set(key, state);
    }
    state.lastSeen = reading.receivedAt;
    switch (reading.kind) {
      case 'status':
        this.#setOnline(state, reading.online, reading.compound);
        return;
      case 'telemetry':
        this.#setOnline(state, true, reading.compound);
        // Out-of-order samples must not overwrite newer state.
        if (state.lastTelemetryTs === undefined || reading.ts >= state.lastTelemetryTs) {
          for (const [field, value] of Object.entries(reading.fields)) {
            if (state.fields[field] !== value) state.fieldSince[field] = reading.ts;
          }
          Object.assign(state.fields, reading.fields);
          state.lastTelemetryTs = reading.ts;
        }
        return;
      case 'event':
        this.#setOnline(state, true, reading.compound);
        state.lastEvent = { event: reading.event, ts: reading.ts, ...(reading.code ? { code: reading.code } : {}) };
        return;
    }
  }

  /** The rules found the device silent (nothing for its absence limit): offline until its next message. Returns whether that changed it. */
  markSilent(device: Pick<RegisteredDevice, 'key' | 'compound'>): boolean {
    const state = this.#states.get(device.key);
    if (!state?.online) return false;
    this.#setOnline(state, false, device.compound);
    return true;
  }

  #setOnline(state: DeviceSnapshot, online: boolean, compound: string): void {
    if (state.online !== online) {
      const step = online ? 1 : -1;
      this.#online += step;
      this.#onlineByCompound.set(compound, (this.#onlineByCompound.get(compound) ?? 0) + step);
    }
    state.online = online;
  }

  onlineIn(compound: string): number {
    return this.#onlineByCompound.get(compound) ?? 0;
  }

  get(device: RegisteredDevice): DeviceSnapshot {
    return this.#states.get(device.key) ?? { online: false, fields: {}, fieldSince: {} };
  }

  get onlineCount(): number {
    return this.#online;
  }
}
