import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, PASSWORD_HASH_PATTERN, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the same password', async () => {
    const [a, b] = [await hashPassword('correct horse 电池'), await hashPassword('correct horse 电池')];
    expect(a).toMatch(PASSWORD_HASH_PATTERN);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse 电池', a)).toBe(true);
    expect(await verifyPassword('correct horse 电池 ', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$abc$def')).toBe(false);
  });

  it('generates distinct 16-character passwords without look-alike characters', () => {
    const all = Array.from({ length: 50 }, generatePassword);
    expect(new Set(all).size).toBe(50);
    for (const p of all) expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
  });
});
