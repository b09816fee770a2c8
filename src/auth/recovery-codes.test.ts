import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.ts';

describe('recovery codes', () => {
  it('are ten different codes of 60 bits, shown in groups of four', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  it('are matched as typed: case, spaces, dashes and look-alike letters do not matter', () => {
    const [code] = newRecoveryCodes(1) as [string];
    expect(hashRecoveryCode(` ${code.toUpperCase().replace(/-/g, ' ')} `)).toBe(hashRecoveryCode(code));
    expect(normalizeRecoveryCode('1O0L-iIoo-0000')).toBe('100111000000');
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code)).not.toBe(hashRecoveryCode(newRecoveryCodes(1)[0]!));
  });
});
