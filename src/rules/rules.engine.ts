/**
 * The rules stage: per-device rule state, fed with accepted readings and a clock tick,
 * emitting condition changes (raised / repeated / cleared). Evaluation per reading is
 * O(rules matching the device); matching rules are resolved once per device and cached.
 */
import type { FieldValue } from '../contracts/payloads.ts';
import type { Reading } from '../contracts/readings.ts';
import type { RegisteredDevice } from '../registry/registry.ts';
import type { Condition, Rule, Severity } from './rule.schema.ts';

export interface ConditionChange {
  change: 'raised' | 'repeated' | 'cleared';
  ruleId: string;
  /** The rule's kind of condition (`absence` means the device is silent or offline). */
  kind: Condition['kind'];
  /** The telemetry field the rule compares (threshold, duration, state_age). */
  field?: string;
  severity: Severity;
  deviceKey: string;
  compound: string;
  type: RegisteredDevice['type'];
  device: string;
  /** When it happened (reading time, or the tick that noticed). */
  at: number;
  /** The field value or event that raised it. */
  value?: FieldValue;
  /** Occurrences while active (repeats of an event). */
  count: number;
}

interface RuleState {
  active: boolean;
  /** When the comparison started to hold (threshold with forSec, duration, state_age). */
  since?: number;
  /** Last occurrence of the event (event, count) or last repeat. */
  lastAt?: number;
  /** Recent event times within the window (count). */
  times?: number[];
  count: number;
  value?: FieldValue;
}

interface DeviceState {
  device: RegisteredDevice;
  lastSeen: number;
  offline: boolean;
  fields: Record<string, FieldValue>;
  /** Sample time of the newest telemetry applied to `fields`. */
  telemetryTs?: number;
  rules: Rule[];
  states: Map<string, RuleState>;
}

export type ConditionListener = (change: ConditionChange) => void;

/** A condition an earlier run raised (an open alert taken back at start) for the engine to judge again. */
export interface ResumedCondition {
  deviceKey: string;
  ruleId: string;
}

function compare(actual: FieldValue | undefined, op: string, expected: FieldValue): boolean {
  if (actual === undefined) return false;
  switch (op) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
  if (typeof actual !== 'number' || typeof expected !== 'number') return false;
  switch (op) {
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
  }
  return false;
}

function matches(rule: Rule, device: RegisteredDevice): boolean {
  const m = rule.match;
  if (!rule.enabled || !m.types.includes(device.type)) return false;
  if (m.compounds && !m.compounds.includes(device.compound)) return false;
  if (m.devices && !m.devices.includes(device.key)) return false;
  if (m.tags?.building !== undefined && device.tags.building !== m.tags.building) return false;
  if (m.tags?.zone !== undefined && device.tags.zone !== m.tags.zone) return false;
  return true;
}

export class RulesEngine {
  #rules: Rule[];
  readonly #devices = new Map<string, DeviceState>();
  readonly #listeners: ConditionListener[] = [];
  /** Set once the hub is stopping: what happens then (devices leaving, silence) is not judged. */
  #halted = false;

  constructor(rules: Rule[], private readonly startedAt: number) {
    this.#rules = rules;
  }

  onChange(listener: ConditionListener): void {
    this.#listeners.push(listener);
  }

  get rules(): readonly Rule[] {
    return this.#rules;
  }

  /**
   * Swaps the rule set without a restart. State of rules that keep their id and still match
   * the device is kept (an open condition stays open); conditions of rules removed, disabled
   * or no longer matching the device are cleared.
   */
  reload(rules: Rule[], at: number): void {
    this.#rules = rules;
    for (const d of this.#devices.values()) this.#rematch(d, at);
  }

  /** Takes the device's rules again; a rule gone, disabled or no longer matching it judges it no more: its condition clears. */
  #rematch(d: DeviceState, at: number): void {
    const before = d.rules;
    d.rules = this.#rules.filter((r) => matches(r, d.device));
    const ids = new Set(d.rules.map((r) => r.id));
    for (const [id, state] of d.states) {
      if (ids.has(id)) continue;
      const old = before.find((r) => r.id === id);
      if (state.active && old) this.#emit('cleared', old, d, state, at);
      d.states.delete(id);
    }
  }

  /**
   * Takes back conditions an earlier run left active (open alerts whose condition was still
   * active), so they are judged again from the devices' next messages: each is active here
   * until its rule clears it (an event's quiet period and an absence count from this start).
   * Returns those no rule can judge any more (rule gone, disabled, or no longer matching the
   * device): the caller clears them, so no alert stays active with nothing to clear it.
   */
  resume(conditions: Iterable<ResumedCondition>, registry: { getByKey(key: string): RegisteredDevice | undefined }): ResumedCondition[] {
    const orphans: ResumedCondition[] = [];
    for (const c of conditions) {
      const device = registry.getByKey(c.deviceKey);
      const d = device && this.#state(device);
      const rule = d?.rules.find((r) => r.id === c.ruleId);
      if (!d || !rule) {
        orphans.push(c);
        continue;
      }
      const s = this.#ruleState(d, rule);
      s.active = true;
      s.count = Math.max(s.count, 1);
      if (rule.condition.kind === 'event' || rule.condition.kind === 'count') s.lastAt = this.startedAt;
    }
    return orphans;
  }

  /** The hub is stopping: from now on nothing is raised or cleared (a stopping hub raises nothing). */
  halt(): void {
    this.#halted = true;
  }

  /** Feeds one accepted reading of a registered device. */
  ingest(reading: Reading, device: RegisteredDevice): void {
    if (this.#halted) return;
    const d = this.#state(device);
    const at = reading.ts;
    d.lastSeen = Math.max(d.lastSeen, reading.receivedAt);
    if (reading.kind === 'status') d.offline = !reading.online;
    else d.offline = false;
    // A sample older than the newest one applied arrived late (reordered or redelivered): it is
    // stored, and it shows the device is alive, but it must not turn the state back.
    const late = reading.kind === 'telemetry' && d.telemetryTs !== undefined && at < d.telemetryTs;
    if (reading.kind === 'telemetry' && !late) {
      Object.assign(d.fields, reading.fields);
      d.telemetryTs = at;
    }

    for (const rule of d.rules) {
      const c = rule.condition;
      const s = this.#ruleState(d, rule);
      switch (c.kind) {
        case 'threshold':
        case 'duration':
        case 'state_age':
          if (reading.kind === 'telemetry' && !late) this.#evaluateComparison(rule, c, d, s, at);
          break;
        case 'event':
          if (reading.kind === 'event' && reading.event === c.event) this.#occurrence(rule, d, s, at, reading.event);
          break;
        case 'count':
          if (reading.kind === 'event' && reading.event === c.event) {
            const times = (s.times ??= []);
            times.push(at);
            while (times.length && times[0]! <= at - c.windowSec * 1000) times.shift();
            if (times.length > c.count) times.shift();
            if (s.active || times.length >= c.count) this.#occurrence(rule, d, s, at, reading.event);
          }
          break;
        case 'absence':
          if (reading.kind === 'status' && !reading.online) {
            if (!s.active && !this.#silenced(rule, d)) this.#emit('raised', rule, d, Object.assign(s, { active: true, count: 1, value: 'offline' }), at);
          } else if (s.active) {
            this.#emit('cleared', rule, d, s, at);
          }
          break;
      }
    }
  }

  /** Advances timers: held conditions, quiet periods, absences. */
  tick(now: number): void {
    if (this.#halted) return;
    for (const d of this.#devices.values()) this.#tickDevice(d, now);
  }

  /**
   * Messages are held up before the hub (storage backpressure, the broker connection down): the
   * devices are not silent, the hub is not listening. Silence counts again from `now`.
   */
  excuseSilence(now: number): void {
    for (const d of this.#devices.values()) d.lastSeen = Math.max(d.lastSeen, now);
  }

  /**
   * Makes registered devices known, so a device that never reports is found offline: one added
   * while the hub runs is silent only from `at`. A device whose registration changed (building,
   * zone) is judged by the rules that match it now.
   */
  track(devices: Iterable<RegisteredDevice>, at: number = this.startedAt): void {
    for (const device of devices) {
      const d = this.#devices.get(device.key);
      if (!d) {
        this.#state(device).lastSeen = Math.max(this.startedAt, at);
      } else if (d.device !== device) {
        d.device = device;
        this.#rematch(d, at);
      }
    }
  }

  /** Forgets devices no longer registered (retired): nothing more is judged of them; their conditions still active are cleared. */
  untrack(keys: Iterable<string>, at: number): void {
    for (const key of keys) {
      const d = this.#devices.get(key);
      if (!d) continue;
      for (const rule of d.rules) {
        const state = d.states.get(rule.id);
        if (state?.active) this.#emit('cleared', rule, d, state, at);
      }
      this.#devices.delete(key);
    }
  }

  /**
   * Lets go of devices judged elsewhere now (their partition moved to another instance, design.md
   * §10): their state is dropped without clearing anything; the new owner takes their conditions
   * back from the open alerts and judges them from the devices' next messages.
   */
  forget(keys: Iterable<string>): void {
    for (const key of keys) this.#devices.delete(key);
  }

  #tickDevice(d: DeviceState, now: number): void {
    for (const rule of d.rules) {
      const c = rule.condition;
      const s = d.states.get(rule.id);
      switch (c.kind) {
        case 'threshold':
        case 'duration':
        case 'state_age':
          if (s && !s.active && s.since !== undefined && c.forSec !== undefined && now - s.since >= c.forSec * 1000 && !this.#silenced(rule, d)) {
            s.active = true;
            s.count = 1;
            this.#emit('raised', rule, d, s, now);
          }
          break;
        case 'event':
        case 'count':
          if (s?.active && s.lastAt !== undefined && now - s.lastAt >= c.clearAfterSec * 1000) {
            s.times = [];
            this.#emit('cleared', rule, d, s, now);
          }
          break;
        case 'absence': {
          const limit = (c.forSec ?? c.factor * d.device.reportIntervalSec) * 1000;
          const state = this.#ruleState(d, rule);
          if (!state.active && now - d.lastSeen > limit && !this.#silenced(rule, d)) {
            Object.assign(state, { active: true, count: 1, value: 'silent' });
            this.#emit('raised', rule, d, state, now);
          }
          break;
        }
      }
    }
  }

  #evaluateComparison(rule: Rule, c: Extract<Condition, { field: string }>, d: DeviceState, s: RuleState, at: number): void {
    const value = d.fields[c.field];
    const holds = compare(value, c.op, c.value) && (rule.when ?? []).every((w) => compare(d.fields[w.field], w.op, w.value));
    if (s.active) {
      const clears = c.kind === 'threshold' && c.clear ? compare(value, c.clear.op, c.clear.value) : !holds;
      if (clears) {
        s.since = undefined;
        this.#emit('cleared', rule, d, s, at);
      }
      return;
    }
    if (!holds) {
      s.since = undefined;
      return;
    }
    s.since ??= at;
    s.value = value;
    const forMs = (c.forSec ?? 0) * 1000;
    if (at - s.since >= forMs && !this.#silenced(rule, d)) {
      s.active = true;
      s.count = 1;
      this.#emit('raised', rule, d, s, at);
    }
  }

  #occurrence(rule: Rule, d: DeviceState, s: RuleState, at: number, value: FieldValue): void {
    s.lastAt = Math.max(s.lastAt ?? at, at); // a late event does not move the quiet period back
    s.value = value;
    if (s.active) {
      s.count += 1;
      this.#emit('repeated', rule, d, s, at);
    } else if (!this.#silenced(rule, d)) {
      s.active = true;
      s.count = 1;
      this.#emit('raised', rule, d, s, at);
    }
  }

  /** A device's own mode (elevator maintenance/inspection) silences the rules that say so. */
  #silenced(rule: Rule, d: DeviceState): boolean {
    const mode = d.fields.mode;
    return typeof mode === 'string' && (rule.silenceInModes as string[] | undefined)?.includes(mode) === true;
  }

  #emit(change: ConditionChange['change'], rule: Rule, d: DeviceState, s: RuleState, at: number): void {
    if (change === 'cleared') s.active = false;
    const c = rule.condition;
    const event: ConditionChange = {
      change,
      ruleId: rule.id,
      kind: c.kind,
      ...('field' in c ? { field: c.field } : {}),
      severity: rule.severity,
      deviceKey: d.device.key,
      compound: d.device.compound,
      type: d.device.type,
      device: d.device.device,
      at,
      count: s.count,
      ...(s.value !== undefined ? { value: s.value } : {}),
    };
    for (const listener of this.#listeners) listener(event);
  }

  #ruleState(d: DeviceState, rule: Rule): RuleState {
    let s = d.states.get(rule.id);
    if (!s) {
      s = { active: false, count: 0 };
      d.states.set(rule.id, s);
    }
    return s;
  }

  #state(device: RegisteredDevice): DeviceState {
    let d = this.#devices.get(device.key);
    if (!d) {
      d = { device, lastSeen: this.startedAt, offline: false, fields: {}, rules: this.#rules.filter((r) => matches(r, device)), states: new Map() };
      this.#devices.set(device.key, d);
    }
    return d;
  }
}
