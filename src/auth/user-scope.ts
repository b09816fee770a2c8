/** A user's scope as the API, the socket and the dashboards see it (contracts/access.ts). */
import type { Me } from '../contracts/access.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { User } from './users.schema.ts';

export function describeUser(user: User, grids: AlertsConfig['grids']): Me {
  const myGrids =
    user.role === 'worker' ? grids.filter((g) => user.grids?.includes(g.id) || g.workers.includes(user.id)) : [];
  const compounds: Me['compounds'] =
    user.role === 'admin' || (user.role === 'viewer' && !user.compounds)
      ? 'all'
      : user.role === 'worker'
        ? [...new Set([...myGrids.flatMap((g) => g.compounds), ...(user.compounds ?? [])])]
        : [...(user.compounds ?? [])];
  return {
    id: user.id,
    name: user.name ?? user.id,
    role: user.role,
    compounds,
    grids: myGrids.map((g) => g.id),
    mustChangePassword: user.mustChangePassword,
  };
}
