/**
 * Recovery codes: ten single-use codes given once at enrolment (and on a regeneration), for a
 * lost phone. Each is 12 characters of a 32-letter alphabet without look-alikes (60 bits), shown
 * as `xxxx-xxxx-xxxx`; the hub keeps only their SHA-256 (high-entropy codes need no slow hash).
 */
import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style base32 in lower case: no i, l, o, u. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 12;

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  });
}

/** The code as typed, in its canonical form: case, spaces and dashes do not matter; look-alikes are read as meant. */
export function normalizeRecoveryCode(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
}

/** What the hub keeps of a code. */
export function hashRecoveryCode(text: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(text)).digest('hex');
}
