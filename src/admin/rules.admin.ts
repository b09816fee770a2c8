/**
 * The rules document (admin; the RULES_FILE's format `{ "rules": [...] }`, docs/rules.md),
 * saved whole with its version (400 RULES_INVALID with issues), and a dry run of rules over
 * stored history (the backtest) before they are saved.
 */
import { HubError } from '../errors.ts';
import type { DocAnswer, DocBody, RulesTryAnswer, RulesTryBody } from '../contracts/admin.ts';
import { rulesFileSchema, type RulesData } from '../rules/rule.schema.ts';
import { backtest } from '../rules/backtest.ts';
import type { Registry } from '../registry/registry.ts';
import type { AuditActor } from '../audit/audit.log.ts';
import type { AdminDeps } from './admin.types.ts';
import { parseWith } from './issues.ts';
import { changes, entry } from './audit.diff.ts';
import { checkVersion, readDoc, writeDoc } from './docs.admin.ts';

const DOC = 'rules' as const;
const DAY = 86_400_000;
/** At most this many raised/cleared changes in a dry run's answer (the counts cover all). */
export const TRY_MAX_CHANGES = 1000;

/** What the audit log compares: rules by id, then groups and inhibit entries by `group:id`, `inhibit:id`, and `flapping`. */
const byId = (data: RulesData) => ({
  ...Object.fromEntries(data.rules.map((r) => [r.id, r])),
  ...Object.fromEntries(data.groups.map((g) => [`group:${g.id}`, g])),
  ...Object.fromEntries(data.inhibit.map((x) => [`inhibit:${x.id}`, x])),
  ...(data.flapping ? { flapping: data.flapping } : {}),
});

export class RulesAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  get(): Promise<DocAnswer> {
    return readDoc(this.#deps.state, DOC, () => this.#deps.defaultRules());
  }

  async put(body: DocBody, by: AuditActor): Promise<DocAnswer> {
    const { state, hooks, audit, now, defaultRules } = this.#deps;
    const stored = await checkVersion(state, DOC, body.version);
    const data = parseWith(rulesFileSchema, body.body, 'RULES_INVALID', 'rules');
    const saved = await writeDoc(state, DOC, data, body.version, by.actor, now());
    hooks.rulesChanged(data);
    const kept = stored && rulesFileSchema.safeParse(stored.body);
    const was = kept?.success ? kept.data : defaultRules();
    audit.record(entry(by, { action: 'rules_saved', target: 'rules', note: `version ${body.version} → ${saved.version}`, ...changes(byId(was), byId(data)) }));
    return saved;
  }

  /** What `rules` would have raised over the last `days` days of stored history. */
  async try(body: RulesTryBody, registry?: Registry): Promise<RulesTryAnswer> {
    const { rules } = parseWith(rulesFileSchema, { rules: body.rules }, 'RULES_INVALID', 'rules');
    const settings = this.#deps.storeSettings;
    if (!settings) throw new HubError('STORE_UNAVAILABLE', 'the hub runs live-only: a dry run needs stored history (set INFLUX_URL)');
    const to = this.#deps.now();
    const from = to - (body.days ?? 7) * DAY;
    const all = await backtest({ settings, rules, from, to, ...(registry ? { registry } : {}), ...(body.compound ? { compound: body.compound } : {}) });
    const shown = all.filter((c): c is typeof c & { change: 'raised' | 'cleared' } => c.change !== 'repeated');
    const byRule: Record<string, number> = {};
    for (const c of shown) if (c.change === 'raised') byRule[c.ruleId] = (byRule[c.ruleId] ?? 0) + 1;
    return {
      from,
      to,
      raised: shown.filter((c) => c.change === 'raised').length,
      byRule,
      changes: shown.slice(0, TRY_MAX_CHANGES).map((c) => ({
        at: c.at,
        change: c.change,
        ruleId: c.ruleId,
        severity: c.severity,
        deviceKey: c.deviceKey,
        compound: c.compound,
        ...(c.value !== undefined ? { value: c.value } : {}),
      })),
      truncated: shown.length > TRY_MAX_CHANGES,
    };
  }
}
