/** A user's scope as the API, the socket and the dashboards see it (contracts/access.ts). */
import type { Me } from '../contracts/access.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { User } from './users.schema.ts';

/** `routing`: the grids (a worker's compounds) and the groups (everyone's parties). */
export function describeUser(user: User, routing: Pick<AlertsConfig, 'grids' | 'groups'>): Me {
  const { grids } = routing;
  const myGrids =
    user.role === 'worker' ? grids.filter((g) => user.grids?.includes(g.id) || g.workers.includes(user.id)) : [];
  // A department has no compounds of its own: it sees what is handed over to its parties.
  const compounds: Me['compounds'] =
    user.role === 'admin' || (user.role === 'viewer' && !user.compounds)
      ? 'all'
      : user.role === 'department'
        ? []
        : user.role === 'worker'
        ? [...new Set([...myGrids.flatMap((g) => g.compounds), ...(user.compounds ?? [])])]
        : [...(user.compounds ?? [])];
  return {
    id: user.id,
    name: user.name ?? user.id,
    role: user.role,
    compounds,
    grids: myGrids.map((g) => g.id),
    parties: routing.groups.filter((g) => g.members.includes(user.id)).map((g) => g.id),
    mustChangePassword: user.mustChangePassword,
  };
}
