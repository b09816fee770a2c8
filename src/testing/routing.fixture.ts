/** Routing for tests that have an alerts config but no users file: the config's workers as logins. */
import type { Me } from '../contracts/access.ts';
import { Routing } from '../alerts/routing.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';

/** Grid workers (scope: their grids' compounds) and group members (every compound) as worker logins, plus `extra`; each with the groups it is a member of as parties. */
export function peopleOf(config: AlertsConfig, extra: Me[] = []): Me[] {
  const people = new Map<string, Me>(extra.map((p) => [p.id, p]));
  const worker = (id: string, compounds: Me['compounds'], grids: string[]): Me => ({ id, name: id, role: 'worker', compounds, grids, parties: [], mustChangePassword: false });
  for (const g of config.grids) {
    for (const id of g.workers) {
      const known = people.get(id);
      if (!known) people.set(id, worker(id, [...g.compounds], [g.id]));
      else if (Array.isArray(known.compounds) && known.role === 'worker') known.compounds.push(...g.compounds);
    }
  }
  for (const g of config.groups) for (const id of g.members) if (!people.has(id)) people.set(id, worker(id, 'all', []));
  const partiesOf = (id: string) => config.groups.filter((g) => g.members.includes(id)).map((g) => g.id);
  return [...people.values()].map((p) => ({ ...p, parties: partiesOf(p.id) }));
}

export const routingFor = (config: AlertsConfig, extra: Me[] = []) => {
  const people = peopleOf(config, extra);
  return new Routing(config, () => people);
};
