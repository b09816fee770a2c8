/** Loads a rules file (or the built-in pack), failing with `path: message` lines. */
import { readFile } from 'node:fs/promises';
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import { rulesFileSchema, type Rule, type RulesData } from './rule.schema.ts';
import { DEFAULT_RULES } from './default.pack.ts';

/** The whole rules data: rules, groups, inhibition and flapping. */
export function parseRulesData(json: unknown, source: string): RulesData {
  const parsed = rulesFileSchema.safeParse(json);
  if (!parsed.success) throw new HubError('RULES_INVALID', `${source}:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function parseRules(json: unknown, source: string): Rule[] {
  return parseRulesData(json, source).rules;
}

/** The rules data of a file, or the built-in pack without one. */
export async function loadRulesData(file: string | undefined): Promise<RulesData> {
  if (!file) return parseRulesData(DEFAULT_RULES, 'built-in rule pack');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HubError('RULES_INVALID', `${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseRulesData(json, file);
}

export async function loadRules(file: string | undefined): Promise<Rule[]> {
  return (await loadRulesData(file)).rules;
}
