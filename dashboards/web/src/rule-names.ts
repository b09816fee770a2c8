/**
 * Rule names for people: the rules in force (`GET /api/rules`, loaded once), and the names the
 * alerts a view receives carry; the rule id only when neither knows it.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { api } from './api.client.ts';
import { currentLang } from './i18n.ts';

const names = new Map<string, { zh: string; en: string }>();
let loaded: Promise<void> | undefined;
let version = 0;

/** Changes each time names are learnt (for redrawing what shows them). */
export const ruleNamesVersion = (): number => version;

/** Loads the names of the rules in force (once per page); `changed` is called when they arrive. */
export function loadRuleNames(changed: () => void): void {
  loaded ??= api<{ rules: Array<{ id: string; name: { zh: string; en: string } }> }>('GET', '/api/rules')
    .then(({ rules }) => {
      for (const r of rules) names.set(r.id, r.name);
      version += 1;
    })
    // Without them, silences name their rule by id: nothing else depends on it.
    .catch(() => (loaded = undefined));
  void loaded.then(changed);
}

export function learnRuleNames(alerts: Iterable<Alert>): void {
  for (const a of alerts) names.set(a.ruleId, a.name);
}

export function ruleName(ruleId: string): string {
  const name = names.get(ruleId);
  return name ? name[currentLang()] : ruleId;
}

/** The alert's name in the current language. */
export const alertName = (a: Alert): string => a.name[currentLang()];
