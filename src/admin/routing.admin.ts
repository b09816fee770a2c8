/**
 * The routing and SLA document (admin; the ALERTS_FILE's format, docs/alerts.md): grids and
 * their workers, groups, the escalation chain, SLAs, webhooks. Saved whole with its version;
 * every entry must resolve to people who can act, and every grid's compounds must exist
 * (400 ROUTING_INVALID with issues). Webhook secrets are never read back: a webhook saved
 * without `secret` keeps the one stored for its id.
 */
import { z } from 'zod';
import type { DocAnswer, DocBody, Issue } from '../contracts/admin.ts';
import { alertsConfigSchema, type AlertsConfig } from '../alerts/sla.config.ts';
import { checkRouting } from '../alerts/routing.ts';
import type { AuditActor } from '../audit/audit.log.ts';
import type { AdminDeps } from './admin.types.ts';
import { lineIssues, parseWith, ValidationError } from './issues.ts';
import { CHANGED, changes, entry } from './audit.diff.ts';
import { checkVersion, readDoc, writeDoc } from './docs.admin.ts';
import { placesOf } from './places.admin.ts';

const DOC = 'alerts' as const;

/**
 * The routing as the state keeps it (secrets included), or the defaults when none is saved, or
 * when the stored one no longer parses (a save replaces it: it must not stand in the way).
 */
export async function currentRouting(deps: Pick<AdminDeps, 'state'>): Promise<AlertsConfig> {
  const stored = await deps.state.docs.get(DOC);
  const parsed = stored && alertsConfigSchema.safeParse(stored.body);
  return parsed?.success ? parsed.data : alertsConfigSchema.parse({});
}

/** The document without webhook secrets. */
function withoutSecrets(body: unknown): unknown {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { webhooks?: unknown }).webhooks)) return body;
  const doc = body as { webhooks: unknown[] };
  return {
    ...doc,
    webhooks: doc.webhooks.map((w) => {
      if (!w || typeof w !== 'object') return w;
      const { secret: _secret, ...rest } = w as Record<string, unknown>;
      return rest;
    }),
  };
}

/** Webhooks without a `secret` take the one stored for the same id. */
function keepSecrets(body: unknown, stored: AlertsConfig | undefined): unknown {
  if (!stored || !body || typeof body !== 'object' || !Array.isArray((body as { webhooks?: unknown }).webhooks)) return body;
  const secrets = new Map(stored.webhooks.map((w) => [w.id, w.secret]));
  const doc = body as { webhooks: unknown[] };
  return {
    ...doc,
    webhooks: doc.webhooks.map((w) => {
      if (!w || typeof w !== 'object' || 'secret' in w) return w;
      const secret = secrets.get((w as { id?: unknown }).id as string);
      return secret ? { ...w, secret } : w;
    }),
  };
}

/** For the audit log: the new webhooks with `secret: "(changed)"` where the secret changed, no secret otherwise. */
function auditedWebhooks(config: AlertsConfig, was: AlertsConfig | undefined) {
  const wasSecrets = new Map((was?.webhooks ?? []).map((w) => [w.id, w.secret]));
  return config.webhooks.map(({ secret, ...w }) => (!was || wasSecrets.get(w.id) === secret ? w : { ...w, secret: CHANGED }));
}

export class RoutingAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  async get(): Promise<DocAnswer> {
    const doc = await readDoc(this.#deps.state, DOC, () => alertsConfigSchema.parse({}));
    return { ...doc, body: withoutSecrets(doc.body) };
  }

  async put(body: DocBody, by: AuditActor): Promise<DocAnswer> {
    const { state, hooks, audit, now } = this.#deps;
    const stored = await checkVersion(state, DOC, body.version);
    const before = stored ? await currentRouting(this.#deps) : undefined;
    const config = parseWith(alertsConfigSchema, keepSecrets(body.body, before), 'ROUTING_INVALID', 'routing');
    const issues: Issue[] = lineIssues(checkRouting(config, this.#deps.people()));
    const compounds = new Set((await placesOf(state)).compounds.map((c) => c.id));
    config.grids.forEach((g, i) =>
      g.compounds.forEach((c, j) => {
        if (!compounds.has(c)) issues.push({ path: `grids.${i}.compounds.${j}`, message: `there is no compound "${c}"` });
      }),
    );
    if (issues.length) throw new ValidationError('ROUTING_INVALID', 'routing', issues);
    const saved = await writeDoc(state, DOC, config, body.version, by.actor, now());
    hooks.routingChanged(config);
    const was = before ?? alertsConfigSchema.parse({});
    audit.record(
      entry(by, {
        action: 'routing_saved',
        target: 'routing',
        note: `version ${body.version} → ${saved.version}`,
        ...changes({ ...was, webhooks: auditedWebhooks(was, undefined) }, { ...config, webhooks: auditedWebhooks(config, was) }),
      }),
    );
    return { ...saved, body: withoutSecrets(saved.body) };
  }
}

/** `PUT /api/admin/routing` and `/rules`: the document and the version read. */
export const docBodySchema = z.strictObject({
  body: z.unknown().refine((v) => v !== undefined, 'the document is missing'),
  version: z.number().int().nonnegative(),
});
