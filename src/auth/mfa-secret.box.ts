/**
 * TOTP secrets are kept sealed (AES-256-GCM) with a key of their own in `DATA_DIR/mfa.key` (mode
 * 0600, made at the first start): a copy of the operational database (a backup, a PostgreSQL dump)
 * does not give away anyone's second factor. Hubs of a cluster sharing one PostgreSQL need the same
 * key file (checked at start against the database: mfa-key.check.ts); without it, the secrets
 * cannot be read and the logins need an admin's MFA reset.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HubError } from '../errors.ts';

export const MFA_KEY_FILE = 'mfa.key';
const VERSION = 'v1';

export interface SecretBox {
  seal(plain: string): string;
  /** The plain text, or HubError STATE_UNAVAILABLE when the key does not open it. */
  open(sealed: string): string;
  /** Why there is no key (DATA_DIR/mfa.key could not be read or made): every seal and open then throws STATE_UNAVAILABLE. */
  readonly problem?: string;
  /** An HMAC-SHA256 of a constant under the key (base64url): equal on two instances exactly when their keys are (mfa-key.check.ts). None without a key. */
  readonly checkValue?: string;
}

const CHECK_CONSTANT = 'compound-hub mfa.key check v1';

/** File errors that mean the key cannot be had here (not a bug): the hub starts without two-factor login. */
const UNAVAILABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR']);

/** A box without a key: the hub runs (a read-only DATA_DIR with its database on PostgreSQL), two-factor steps are refused. */
export function keylessBox(problem: string): SecretBox {
  const refuse = (): never => {
    throw new HubError('STATE_UNAVAILABLE', `two-factor login is unavailable: ${problem}`);
  };
  return { seal: refuse, open: refuse, problem };
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new HubError('CONFIG_INVALID', `${MFA_KEY_FILE}: the key must be 32 bytes`);
  return {
    checkValue: createHmac('sha256', key).update(CHECK_CONSTANT).digest('base64url'),
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      try {
        if (version !== VERSION || !iv || !body || !tag) throw new Error(`not a sealed secret (${version})`);
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new HubError('STATE_UNAVAILABLE', `a TOTP secret cannot be opened with DATA_DIR/${MFA_KEY_FILE} (another hub's key?): an admin can reset that login's MFA`, { cause: error });
      }
    },
  };
}

/**
 * The box of `DATA_DIR/mfa.key`, made (32 random bytes, 0600) when there is none; a box without a
 * key (and its `problem`) when the file can be neither read nor made.
 */
export async function openSecretBox(dataDir: string): Promise<SecretBox> {
  try {
    return await openKeyFile(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code || !UNAVAILABLE.has(code)) throw error;
    return keylessBox(`DATA_DIR/${MFA_KEY_FILE} cannot be read or made (${code})`);
  }
}

async function openKeyFile(dataDir: string): Promise<SecretBox> {
  const file = path.join(dataDir, MFA_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const text = (await readFile(file, 'utf8')).trim();
    await chmod(file, 0o600);
    return secretBox(Buffer.from(text, 'base64'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Another start made it meanwhile: take that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return secretBox(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'));
}
