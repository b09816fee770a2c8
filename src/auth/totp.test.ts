import { describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { matchTotp, newTotpSecret, totpCode, totpQrSvg, totpStep, totpUri } from './totp.ts';

/** RFC 6238 appendix B: the SHA-1 seed `12345678901234567890`, 8 digits there; these are its 6 low digits. */
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP (RFC 6238)', () => {
  it('makes the codes of the RFC test vectors', () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 1_234_567_890_000)).toBe('005924');
    expect(totpCode(RFC_SECRET, 2_000_000_000_000)).toBe('279037');
  });

  it('takes a code of the step before or after now, not two steps away', () => {
    const secret = newTotpSecret();
    const at = 1_800_000_015_000;
    const step = totpStep(at);
    const app = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    expect(matchTotp(secret, app.generate({ timestamp: at }), at)).toBe(step);
    expect(matchTotp(secret, app.generate({ timestamp: at - 30_000 }), at)).toBe(step - 1);
    expect(matchTotp(secret, app.generate({ timestamp: at + 30_000 }), at)).toBe(step + 1);
    expect(matchTotp(secret, app.generate({ timestamp: at - 60_000 }), at)).toBeUndefined();
    expect(matchTotp(secret, app.generate({ timestamp: at + 60_000 }), at)).toBeUndefined();
  });

  it('refuses a code of a step already used, or of one before it (no replay within the window)', () => {
    const secret = newTotpSecret();
    const at = 1_800_000_015_000;
    const code = totpCode(secret, at);
    const step = matchTotp(secret, code, at)!;
    expect(matchTotp(secret, code, at, step)).toBeUndefined();
    expect(matchTotp(secret, code, at + 20_000, step)).toBeUndefined();
    // The code of the previous step, still in the window, is older than the one used.
    expect(matchTotp(secret, totpCode(secret, at - 30_000), at, step)).toBeUndefined();
    // The next step's code is fresh.
    expect(matchTotp(secret, totpCode(secret, at + 30_000), at + 30_000, step)).toBe(step + 1);
  });

  it('refuses what is not a 6-digit code, and a code of another secret', () => {
    const secret = newTotpSecret();
    const at = 1_800_000_015_000;
    expect(matchTotp(secret, '', at)).toBeUndefined();
    expect(matchTotp(secret, '12345', at)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', at)).toBeUndefined();
    expect(matchTotp(secret, totpCode(newTotpSecret(), at), at)).toBeUndefined();
    const code = totpCode(secret, at);
    expect(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, at)).toBe(totpStep(at));
  });

  it('gives an otpauth URI an app takes back to the same codes, and its QR code as SVG', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, 'zhao');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Compound%20Hub:zhao\?/);
    const parsed = new URL(uri);
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('algorithm')).toBe('SHA1');
    expect(parsed.searchParams.get('digits')).toBe('6');
    expect(parsed.searchParams.get('period')).toBe('30');
    const svg = totpQrSvg(uri);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).not.toMatch(/<script|href=/);
  });
});
