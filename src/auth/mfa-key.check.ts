/**
 * Every instance of a cluster must seal and open TOTP secrets with the same DATA_DIR/mfa.key
 * (docs/access.md "Logins on several instances"): a secret sealed on one instance must open on
 * every other. At start each instance compares the check value of its key (an HMAC of a constant,
 * which tells nothing of the key) with the one kept in the database (key_checks), which the first
 * instance to start wrote. An instance whose key gives another value logs an error naming the file
 * and runs without two-factor login (its steps answer 503 STATE_UNAVAILABLE), as without a key.
 */
import type { Logger } from 'pino';
import type { SessionsRepo } from '../state/state.types.ts';
import { keylessBox, MFA_KEY_FILE, type SecretBox } from './mfa-secret.box.ts';

/** The name of mfa.key's check value in key_checks. */
export const MFA_KEY_CHECK = 'mfa.key';

export async function checkSharedKey(box: SecretBox, repo: Pick<SessionsRepo, 'keyCheck'>, keyFile: string, logger: Logger): Promise<SecretBox> {
  if (box.problem || !box.checkValue) return box;
  const kept = await repo.keyCheck(MFA_KEY_CHECK, box.checkValue);
  if (kept === box.checkValue) return box;
  const problem = `${keyFile} is not the key of the other instances (copy DATA_DIR/${MFA_KEY_FILE} from the first instance to every instance)`;
  logger.error({ file: keyFile, code: 'MFA_KEY_MISMATCH' }, `two-factor login is unavailable: ${problem}`);
  return keylessBox(problem);
}
