/**
 * People by name (design.md: names, not ids): everyone the logged-in user works with — whose
 * scope shares a compound with theirs — with name and role, so the dashboards never show a
 * login id where a person is meant. Who may be given one alert is `/api/alerts/{id}/assignees`.
 * A department member's scope here is the compounds its parties cover. `/api/parties`: the
 * parties (routing groups) that cover the user's compounds, by name, for hand-overs.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ROLES, type Me } from '../contracts/access.ts';
import { describeUser } from '../auth/user-scope.ts';
import type { ApiDeps } from './api.types.ts';
import { PARTY_KINDS, type AlertsConfig } from '../alerts/sla.config.ts';
import { me } from './access.guard.ts';

export const peopleAnswer = z.object({ people: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })) });

/** Who a person works with: their compounds; a department member, the compounds its parties cover. */
function workScope(person: Me, groups: AlertsConfig['groups']): Me['compounds'] {
  if (person.role !== 'department') return person.compounds;
  const covered = groups.filter((g) => person.parties.includes(g.id));
  return covered.some((g) => !g.compounds) ? 'all' : [...new Set(covered.flatMap((g) => g.compounds ?? []))];
}

const sharesScope = (a: Me['compounds'], b: Me['compounds']) => a === 'all' || b === 'all' || a.some((c) => b.includes(c));

export const partiesAnswer = z.object({
  parties: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string().optional(), kind: z.enum(PARTY_KINDS), compounds: z.array(z.string()).optional() })),
});

export const peopleRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/api/people', { schema: { tags: ['access'], response: { 200: peopleAnswer } } }, async (request) => {
      const user = me(request);
      const { groups } = deps.alertsConfig;
      const mine = workScope(user, groups);
      const people = deps.access.users.list().map((u) => describeUser(u, deps.alertsConfig));
      return { people: people.filter((p) => p.id === user.id || sharesScope(mine, workScope(p, groups))).map(({ id, name, role }) => ({ id, name, role })) };
    });
    app.get('/api/parties', { schema: { tags: ['access'], response: { 200: partiesAnswer } } }, async (request) => {
      const mine = workScope(me(request), deps.alertsConfig.groups);
      const parties = deps.alertsConfig.groups.filter((g) => sharesScope(mine, g.compounds ?? 'all'));
      return { parties: parties.map(({ id, name, nameEn, kind, compounds }) => ({ id, name, kind, ...(nameEn ? { nameEn } : {}), ...(compounds ? { compounds } : {}) })) };
    });
  };
