import { describe, expect, it } from 'vitest';
import type { Me } from '../contracts/access.ts';
import { Routing, checkRouting, unroutedCompounds } from './routing.ts';
import { alertsConfigSchema } from './sla.config.ts';

const person = (id: string, role: Me['role'], compounds: Me['compounds']): Me => ({ id, name: id.toUpperCase(), role, compounds, grids: [], parties: [], mustChangePassword: false });
const people = [
  person('wang', 'worker', ['c01']),
  person('li', 'worker', ['c01', 'c02']),
  person('zhou', 'worker', ['c01', 'c02']),
  person('sun', 'worker', 'all'),
  person('zhao', 'manager', ['c01']),
  person('ops', 'viewer', 'all'),
];
const config = alertsConfigSchema.parse({
  grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'li'] }],
  groups: [{ id: 'community-duty', name: '社区值班', members: ['zhou'] }, { id: 'street-desk', name: '街道应急值守', members: ['sun'] }],
  escalation: ['community-duty', 'street-desk'],
});

describe('routing', () => {
  it('calls the grid in order, then the chain with groups resolved to their members', () => {
    const routing = new Routing(config, () => people);
    expect(routing.chain('c01', 0)).toEqual(['wang', 'li', 'zhou', 'sun']);
    // c02 has no grid; people who cannot see c03 are left out of its chain.
    expect(routing.chain('c02', 0)).toEqual(['zhou', 'sun']);
    expect(routing.chain('c03', 0)).toEqual(['sun']);
    expect(routing.takers('c01', 0).map((p) => p.id)).toEqual(['wang', 'li', 'zhou', 'sun', 'zhao']);
    expect(routing.mayTake('ops', 'c01')).toBe(false);
    expect(routing.mayTake('zhao', 'c02')).toBe(false);
    expect(unroutedCompounds(new Routing({ ...config, escalation: [] }, () => people), ['c01', 'c02'], 0)).toEqual(['c02']);
  });

  it('names every routing entry that reaches nobody, as path: message', () => {
    const broken = alertsConfigSchema.parse({
      grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang', 'ghost'] }],
      groups: [{ id: 'desk', name: '值守', members: ['ops'] }],
      escalation: ['community', 'desk', 'ops'],
    });
    expect(checkRouting(broken, people)).toEqual([
      'grids.0.workers.1: "ghost" is not a login (add the login first, in the dashboard or with POST /api/admin/users)',
      'groups.0.members.0: "ops" is a viewer, who cannot accept alerts',
      'escalation.0: "community" is neither a login nor a group (groups: desk)',
      'escalation.1: group "desk" has nobody who can accept alerts',
      'escalation.2: "ops" is a viewer, who cannot accept alerts',
    ]);
    expect(checkRouting(config, people)).toEqual([]);
  });
});
