import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MFA_KEY_FILE, openSecretBox, secretBox } from './mfa-secret.box.ts';

describe('the box TOTP secrets are kept in', () => {
  it('makes DATA_DIR/mfa.key (0600) once and opens what it sealed, also after a restart', async () => {
    const dir = { path: await mkdtemp(path.join(os.tmpdir(), 'compound-hub-mfa-box-')) };
    try {
      const box = await openSecretBox(dir.path);
      const sealed = box.seal('JBSWY3DPEHPK3PXP');
      expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
      expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed);
      const file = path.join(dir.path, MFA_KEY_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const key = await readFile(file, 'utf8');
      const again = await openSecretBox(dir.path);
      expect(await readFile(file, 'utf8')).toBe(key);
      expect(again.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    } finally {
      await rm(dir.path, { recursive: true, force: true });
    }
  });

  it('refuses a secret sealed with another key, or tampered with', () => {
    const mine = secretBox(randomBytes(32));
    const other = secretBox(randomBytes(32));
    const sealed = mine.seal('JBSWY3DPEHPK3PXP');
    expect(() => other.open(sealed)).toThrow(/cannot be opened/);
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => mine.open([v, iv, flipped.toString('base64url'), tag].join('.'))).toThrow(/cannot be opened/);
  });
});

describe('a data dir where the key can be neither read nor made', () => {
  it('gives a box without a key that says why and refuses every seal and open, instead of stopping the hub', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'mfa-keyless-'));
    try {
      // A file where the data dir should be (as the storage fault test does): ENOTDIR for anyone, root too.
      await writeFile(path.join(parent, 'blocker'), 'not a directory');
      const box = await openSecretBox(path.join(parent, 'blocker', 'data'));
      expect(box.problem).toMatch(/^DATA_DIR\/mfa\.key cannot be read or made \((ENOTDIR|EEXIST)\)$/);
      expect(() => box.seal('JBSWY3DPEHPK3PXP')).toThrow(/two-factor login is unavailable/);
      expect(() => box.open('v1.a.b.c')).toThrow(/two-factor login is unavailable/);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
