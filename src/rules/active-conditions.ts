/**
 * The conditions that are active right now, kept from the engine's changes, with what holds one
 * back from raising an alert of its own (the correlator: waiting for its group, grouped in an
 * incident, inhibited): what `GET /api/conditions` lists.
 */
import type { ConditionChange } from './rules.engine.ts';
import type { ConditionHold } from '../incidents/correlator.ts';

export interface ActiveCondition {
  ruleId: string;
  severity: ConditionChange['severity'];
  deviceKey: string;
  compound: string;
  type: ConditionChange['type'];
  device: string;
  since: number;
  lastAt: number;
  count: number;
  value?: ConditionChange['value'];
  /** Set while it raises no alert of its own. */
  held?: ConditionHold;
}

export class ActiveConditions {
  readonly #active = new Map<string, ActiveCondition>();

  apply(change: ConditionChange): void {
    const key = `${change.deviceKey}|${change.ruleId}`;
    if (change.change === 'cleared') {
      this.#active.delete(key);
      return;
    }
    const existing = this.#active.get(key);
    if (existing) {
      existing.lastAt = change.at;
      existing.count = change.count;
      return;
    }
    const { change: _change, at, ...rest } = change;
    this.#active.set(key, { ...rest, since: at, lastAt: at });
  }

  /** What holds an active condition back now (undefined: nothing). */
  hold(condition: { deviceKey: string; ruleId: string }, held: ConditionHold | undefined): void {
    const active = this.#active.get(`${condition.deviceKey}|${condition.ruleId}`);
    if (!active) return;
    if (held) active.held = held;
    else delete active.held;
  }

  /** Drops the conditions of these compounds (their partition moved to another instance), without clearing them. */
  forget(compounds: ReadonlySet<string>): void {
    for (const [key, c] of this.#active) if (compounds.has(c.compound)) this.#active.delete(key);
  }

  list(): ActiveCondition[] {
    return [...this.#active.values()];
  }
}
