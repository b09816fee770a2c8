/**
 * Rule names for people: learnt from the alerts a view receives (the hub's live rules), the
 * built-in pack's names before that; the rule id only when neither knows it.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { DEFAULT_RULES } from '../../../src/rules/default.pack.ts';
import { currentLang } from './i18n.ts';

const names = new Map<string, { zh: string; en: string }>(DEFAULT_RULES.rules.map((r) => [r.id, r.name]));

export function learnRuleNames(alerts: Iterable<Alert>): void {
  for (const a of alerts) names.set(a.ruleId, a.name);
}

export function ruleName(ruleId: string): string {
  const name = names.get(ruleId);
  return name ? name[currentLang()] : ruleId;
}

/** The alert's name in the current language. */
export const alertName = (a: Alert): string => a.name[currentLang()];
