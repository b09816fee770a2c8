/**
 * What a refused request means, in the user's language: the hub's errors carry a code from
 * its catalogue (src/errors.ts) and values for the sentence; the English message is never shown.
 */
import { ApiError } from './api.client.ts';
import { duration, t, tIf } from './i18n.ts';

/** The sentence for an error code (and its params); a generic sentence for a code the UI does not know. */
export function codeText(code: string, params: Record<string, string | number> = {}): string {
  const vars: Record<string, string | number> = { ...params };
  if (typeof params.maxMin === 'number') vars.max = duration(params.maxMin * 60_000);
  return tIf('err', code, vars) ?? t('err.unknown');
}

/** What went wrong, for people: a coded hub error by its code, an unreachable hub as such. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return codeText(error.code, error.params);
  if (error instanceof TypeError) return t('err.network');
  return t('err.unknown');
}
