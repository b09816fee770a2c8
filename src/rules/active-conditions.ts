/**
 * The conditions that are active right now, kept from the engine's changes: what the
 * API lists until the alert lifecycle (issue #3's next part) takes them over.
 */
import type { ConditionChange } from './rules.engine.ts';

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

  list(): ActiveCondition[] {
    return [...this.#active.values()];
  }
}
