/**
 * The password policy (docs/access.md "Passwords"), checked offline whenever the hub is given a
 * new password: at least 12 characters; not made of the login id (case-insensitive, digits,
 * punctuation and spaces around it ignored); not among common passwords (the 49,000 most common
 * of @zxcvbn-ts/language-common, also with the digits and punctuation around them taken off);
 * not one or a few characters over and over. A refusal is `400 PASSWORD_WEAK` with the reason in
 * `params.reason`, which the dashboards translate.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { HubError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** Fewer different characters than this is a repetition (`aaaaaaaaaaaa`, `abababababab`, twelve spaces). */
const MIN_DISTINCT = 5;

export const PASSWORD_PROBLEMS = ['too_short', 'login_id', 'common', 'repetitive'] as const;
export type PasswordProblem = (typeof PASSWORD_PROBLEMS)[number];

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

/** Digits, punctuation, symbols and spaces around the letters taken off: `Li-Qiang2024!` → `li-qiang`. */
const core = (text: string) => text.normalize('NFKC').toLowerCase().replace(/^[\d\p{P}\p{S}\s]+|[\d\p{P}\p{S}\s]+$/gu, '');
/** Only letters and digits: `li-qiang` and `li_qiang` and `liqiang` are one. */
const bare = (text: string) => text.replace(/[^\p{L}\p{N}]/gu, '');

/** What is wrong with `password` for login `loginId` (undefined: nothing); `loginId` undefined when none is known (hash-password). */
export function passwordProblem(password: string, loginId?: string): PasswordProblem | undefined {
  const chars = [...password.normalize('NFC')];
  if (chars.length < MIN_PASSWORD_LENGTH) return 'too_short';
  const lower = password.normalize('NFKC').toLowerCase();
  const mine = core(password);
  if (loginId) {
    const id = bare(core(loginId)) || bare(loginId.toLowerCase());
    const made = bare(mine);
    // The id, or the id repeated (`li-qiangli-qiang`), once digits and punctuation around it are taken off.
    if (id && made && made.replaceAll(id, '') === '') return 'login_id';
  }
  const list = commonPasswords();
  if (list.has(lower) || list.has(mine) || list.has(bare(lower))) return 'common';
  if (new Set(chars).size < MIN_DISTINCT) return 'repetitive';
  return undefined;
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `use at least ${MIN_PASSWORD_LENGTH} characters`,
  login_id: 'must not be made of the login id',
  common: 'this is one of the most common passwords: choose another',
  repetitive: 'must not be one or a few characters repeated',
};

/** Throws `PASSWORD_WEAK` (params: `reason`, `min`) when the policy refuses it; `field` names it in the message. */
export function checkPassword(password: string, loginId: string | undefined, field = 'next'): void {
  const problem = passwordProblem(password, loginId);
  if (problem) throw new HubError('PASSWORD_WEAK', `${field}: ${MESSAGES[problem]}`, { params: { reason: problem, min: MIN_PASSWORD_LENGTH } });
}

/** The English sentence for a problem (the CLI). */
export const passwordProblemText = (problem: PasswordProblem): string => MESSAGES[problem];
