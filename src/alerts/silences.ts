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

  add(silence: Omit<Silence, 'id'>): Silence {
    if (!silence.compound && !silence.deviceKey && !silence.ruleId && !silence.type) {
      throw new HubError('BAD_REQUEST', 'a silence needs at least one of compound, device, type or ruleId');
    }
    if (silence.until <= silence.from) throw new HubError('BAD_REQUEST', 'until: must be after from');
    const created = { ...silence, id: `s-${randomBytes(4).toString('hex')}` };
    this.#silences.set(created.id, created);
    return created;
  }

  remove(id: string): void {
    if (!this.#silences.delete(id)) throw new HubError('NOT_FOUND', `silence ${id} does not exist`);
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
