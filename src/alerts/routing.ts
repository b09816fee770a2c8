/**
 * Who an alert reaches (design.md §7): a compound's grid workers in call order (on shift
 * first), then the escalation chain, each entry a login or a named group of logins. Every
 * entry must resolve to people who can act; `checkRouting` says otherwise at start, as
 * `path: message` lines. People who cannot see a compound are never in its chain.
 */
import { inScope, mayDo, type Me } from '../contracts/access.ts';
import type { Person } from '../contracts/api.ts';
import type { Alert } from './alert.types.ts';
import { callOrder, type AlertsConfig } from './sla.config.ts';

/** The people the hub knows, as the access layer describes them (scope from role, grids and compounds). */
export type People = () => readonly Me[];

const canTake = (p: Me | undefined, compound: string): p is Me => Boolean(p && mayDo(p.role, 'accept') && inScope(p, compound));

export class Routing {
  readonly #config: AlertsConfig;
  readonly #people: People;
  /** The people by login, read once: call `refresh()` when logins change. */
  #byIdCache: Map<string, Me> | undefined;

  constructor(config: AlertsConfig, people: People) {
    this.#config = config;
    this.#people = people;
  }

  /** Grid workers of the compound in call order, then the escalation chain, as logins that can see and accept there. */
  chain(compound: string, at: number): string[] {
    const byId = this.#byId();
    const grid = this.#config.grids.find((g) => g.compounds.includes(compound));
    const entries = [...(grid ? callOrder(grid, at, this.#config.utcOffsetMin) : []), ...this.#config.escalation];
    const logins = entries.flatMap((entry) => this.#config.groups.find((g) => g.id === entry)?.members ?? [entry]);
    return [...new Set(logins)].filter((id) => canTake(byId.get(id), compound));
  }

  /** The compound's grid workers alone, in call order (a parallel call tree rings them all at once). */
  grid(compound: string, at: number): string[] {
    const byId = this.#byId();
    const grid = this.#config.grids.find((g) => g.compounds.includes(compound));
    return grid ? callOrder(grid, at, this.#config.utcOffsetMin).filter((id) => canTake(byId.get(id), compound)) : [];
  }

  /** Who may be given an alert of the compound: its chain first, then anyone else who may accept there. */
  takers(compound: string, at: number): Person[] {
    const byId = this.#byId();
    const chain = this.chain(compound, at);
    const others = [...byId.values()].filter((p) => canTake(p, compound) && !chain.includes(p.id)).map((p) => p.id);
    return [...chain, ...others].map((id) => byId.get(id)!).map(({ id, name, role }) => ({ id, name, role }));
  }

  /** Who may be given the alert: takers of its compound, and the members of the party it was handed over to first. */
  takersOf(alert: Pick<Alert, 'compound' | 'parties'>, at: number): Person[] {
    const byId = this.#byId();
    const party = alert.parties?.at(-1);
    const members = party ? this.members(party) : [];
    const rest = this.takers(alert.compound, at).filter((p) => !members.includes(p.id));
    return [...members.map((id) => byId.get(id)!).map(({ id, name, role }) => ({ id, name, role })), ...rest];
  }

  mayTake(personId: string, compound: string): boolean {
    return canTake(this.#byId().get(personId), compound);
  }

  /** A party (alerts config group) by id. */
  party(partyId: string): AlertsConfig['groups'][number] | undefined {
    return this.#config.groups.find((g) => g.id === partyId);
  }

  /** Whether the party takes alerts of the compound (a party without `compounds` covers all). */
  covers(partyId: string, compound: string): boolean {
    const party = this.party(partyId);
    return Boolean(party && (!party.compounds || party.compounds.includes(compound)));
  }

  /** The party's members who may accept alerts, in order (a department's members see only what is handed to it). */
  members(partyId: string): string[] {
    const byId = this.#byId();
    return (this.party(partyId)?.members ?? []).filter((id) => {
      const p = byId.get(id);
      return Boolean(p && mayDo(p.role, 'accept'));
    });
  }

  /**
   * Who an alert moves along when a deadline is missed: for an alert handed over (流转), the
   * members of the party that has it; otherwise the compound's chain.
   */
  chainOf(alert: Pick<Alert, 'compound' | 'parties'>, at: number): string[] {
    const party = alert.parties?.at(-1);
    return party ? this.members(party) : this.chain(alert.compound, at);
  }

  /** The grid a parallel call tree rings: the party's members for an alert handed over. */
  gridOf(alert: Pick<Alert, 'compound' | 'parties'>, at: number): string[] {
    const party = alert.parties?.at(-1);
    return party ? this.members(party) : this.grid(alert.compound, at);
  }

  /** Whether the person may be given the alert: someone who may act in its compound, or a member of the party it was handed over to. */
  mayTakeAlert(personId: string, alert: Pick<Alert, 'compound' | 'parties'>): boolean {
    const party = alert.parties?.at(-1);
    return this.mayTake(personId, alert.compound) || Boolean(party && this.members(party).includes(personId));
  }

  /** The group's name, for an entry of the chain that is a group. */
  groupOf(personId: string): { id: string; name: string } | undefined {
    const group = this.#config.groups.find((g) => g.members.includes(personId));
    return group && { id: group.id, name: group.name };
  }

  /** Logins or scopes changed: read the people again. */
  refresh(): void {
    this.#byIdCache = undefined;
  }

  #byId(): Map<string, Me> {
    this.#byIdCache ??= new Map(this.#people().map((p) => [p.id, p]));
    return this.#byIdCache;
  }
}

/**
 * Routing entries that reach nobody: a grid worker, group member or escalation entry that is
 * no login (or a login that may not accept alerts), a group with nobody who can act.
 */
export function checkRouting(config: AlertsConfig, people: readonly Me[]): string[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const problems: string[] = [];
  const login = (path: string, id: string) => {
    const p = byId.get(id);
    if (!p) problems.push(`${path}: "${id}" is not a login (add the login first, in the dashboard or with POST /api/admin/users)`);
    else if (!mayDo(p.role, 'accept')) problems.push(`${path}: "${id}" is a ${p.role}, who cannot accept alerts`);
  };
  config.grids.forEach((g, i) => g.workers.forEach((w, j) => login(`grids.${i}.workers.${j}`, w)));
  config.groups.forEach((g, i) => g.members.forEach((m, j) => login(`groups.${i}.members.${j}`, m)));
  config.escalation.forEach((entry, i) => {
    const group = config.groups.find((g) => g.id === entry);
    if (group) {
      if (!group.members.some((m) => byId.get(m) && mayDo(byId.get(m)!.role, 'accept'))) {
        problems.push(`escalation.${i}: group "${entry}" has nobody who can accept alerts`);
      }
    } else if (!byId.has(entry)) {
      problems.push(`escalation.${i}: "${entry}" is neither a login nor a group (groups: ${config.groups.map((g) => g.id).join(', ') || 'none'})`);
    } else login(`escalation.${i}`, entry);
  });
  config.handovers.forEach((h, i) => {
    const party = config.groups.find((g) => g.id === h.to);
    if (!party) problems.push(`handovers.${i}.to: "${h.to}" is no group (groups: ${config.groups.map((g) => g.id).join(', ') || 'none'})`);
    else if (!party.members.some((m) => byId.get(m) && mayDo(byId.get(m)!.role, 'accept'))) problems.push(`handovers.${i}.to: group "${h.to}" has nobody who can accept alerts`);
  });
  return problems;
}

/** Compounds whose alerts reach nobody at all (no grid, no chain person who can see them): worth a warning at start. */
export function unroutedCompounds(routing: Routing, compounds: readonly string[], at: number): string[] {
  return compounds.filter((c) => routing.chain(c, at).length === 0);
}
