/**
 * Silences / maintenance windows: for a time, conditions matching a silence raise no
 * alert (they are still tracked as conditions). A device's own maintenance mode needs no
 * silence: the rules handle that (silenceInModes).
 */
import { randomBytes } from 'node:crypto';
import { HubError } from '../errors.ts';
import type { ConditionChange } from '../rules/rules.engine.ts';

export interface Silence {
  id: string;
  compound?: string;
  deviceKey?: string;
  type?: ConditionChange['type'];
  ruleId?: string;
  from: number;
  until: number;
  reason: string;
  actor: string;
}

export class Silences {
  readonly #silences = new Map<string, Silence>();
  readonly #changed: Array<(all: Silence[]) => void> = [];

  /** Starts with silences kept from an earlier run. */
  constructor(initial: Iterable<Silence> = []) {
    for (const s of initial) this.#silences.set(s.id, s);
  }

  /** Called with every silence after each add or remove (to keep them on disk). */
  onChange(listener: (all: Silence[]) => void): void {
    this.#changed.push(listener);
  }

  #emit(): void {
    const all = [...this.#silences.values()];
    for (const listener of this.#changed) listener(all);
  }

  /**
   * Adds a silence, or, when one with the same reach (compound, device, type, rule) is already
   * in force, extends that one to the later end: two clicks make one silence.
   */
  add(silence: Omit<Silence, 'id'>): { silence: Silence; merged: boolean } {
    if (!silence.compound && !silence.deviceKey && !silence.ruleId && !silence.type) {
      throw new HubError('BAD_REQUEST', 'a silence needs at least one of compound, device, type or ruleId');
    }
    if (silence.until <= silence.from) throw new HubError('BAD_REQUEST', 'until: must be after from');
    const same = [...this.#silences.values()].find(
      (s) => s.compound === silence.compound && s.deviceKey === silence.deviceKey && s.type === silence.type && s.ruleId === silence.ruleId && s.until > silence.from && s.from <= silence.until,
    );
    if (same) {
      same.from = Math.min(same.from, silence.from);
      same.until = Math.max(same.until, silence.until);
      this.#emit();
      return { silence: same, merged: true };
    }
    const created = { ...silence, id: `s-${randomBytes(4).toString('hex')}` };
    this.#silences.set(created.id, created);
    this.#emit();
    return { silence: created, merged: false };
  }

  remove(id: string): void {
    if (!this.#silences.delete(id)) throw new HubError('NOT_FOUND', `silence ${id} does not exist`);
    this.#emit();
  }

  /** Takes the silences another instance holds now (design.md §10), in place of these. */
  replace(all: readonly Silence[]): void {
    this.#silences.clear();
    for (const s of all) this.#silences.set(s.id, { ...s });
    this.#emit();
  }

  /** Silences not yet over at `now`; expired ones are forgotten. */
  list(now: number): Silence[] {
    for (const [id, s] of this.#silences) if (s.until <= now) this.#silences.delete(id);
    return [...this.#silences.values()];
  }

  matches(change: ConditionChange): Silence | undefined {
    for (const s of this.#silences.values()) {
      if (change.at < s.from || change.at >= s.until) continue;
      if (s.compound && s.compound !== change.compound) continue;
      if (s.deviceKey && s.deviceKey !== change.deviceKey) continue;
      if (s.type && s.type !== change.type) continue;
      if (s.ruleId && s.ruleId !== change.ruleId) continue;
      return s;
    }
    return undefined;
  }
}
