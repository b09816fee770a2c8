/**
 * People by name (design.md: names, not ids): everyone the logged-in user works with — whose
 * scope shares a compound with theirs — with name and role, so the dashboards never show a
 * login id where a person is meant. Who may be given one alert is `/api/alerts/{id}/assignees`.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ROLES, type Me } from '../contracts/access.ts';
import { describeUser } from '../auth/user-scope.ts';
import type { ApiDeps } from './api.types.ts';
import { me } from './access.guard.ts';

export const peopleAnswer = z.object({ people: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })) });

const sharesScope = (a: Me, b: Me) =>
  a.compounds === 'all' || b.compounds === 'all' || a.compounds.some((c) => (b.compounds as string[]).includes(c));

export const peopleRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/api/people', { schema: { tags: ['access'], response: { 200: peopleAnswer } } }, async (request) => {
      const user = me(request);
      const people = deps.access.users.list().map((u) => describeUser(u, deps.alertsConfig));
      return { people: people.filter((p) => p.id === user.id || sharesScope(user, p)).map(({ id, name, role }) => ({ id, name, role })) };
    });
  };
