/** Loads a rules file (or the built-in pack), failing with `path: message` lines. */
import { readFile } from 'node:fs/promises';
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import { rulesFileSchema, type Rule } from './rule.schema.ts';
import { DEFAULT_RULES } from './default.pack.ts';

export function parseRules(json: unknown, source: string): Rule[] {
  const parsed = rulesFileSchema.safeParse(json);
  if (!parsed.success) throw new HubError('RULES_INVALID', `${source}:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data.rules;
}

export async function loadRules(file: string | undefined): Promise<Rule[]> {
  if (!file) return parseRules(DEFAULT_RULES, 'built-in rule pack');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HubError('RULES_INVALID', `${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseRules(json, file);
}
