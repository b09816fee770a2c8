/**
 * Time-based one-time passwords (RFC 6238) for the second factor, with `otpauth`: SHA-1, 6 digits,
 * 30 s steps (what every authenticator app takes from a QR code), a code accepted one step either
 * side of now (clocks drift). A code is checked against the last step accepted for the login: the
 * same code, or one of an earlier step, is refused (no replay within its window).
 */
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';

export const TOTP_PERIOD_SEC = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now a code may be from. */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = 'Compound Hub';

const totp = (secretBase32: string, label = 'login') =>
  new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SEC, secret: Secret.fromBase32(secretBase32) });

/** A new random secret (160 bits, as RFC 4226 recommends), in base32 for manual entry. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://totp/…` URI an authenticator app takes (from the QR code). */
export function totpUri(secretBase32: string, account: string): string {
  return totp(secretBase32, account).toString();
}

/** The URI as an SVG QR code (markup for an inline `<svg>`: no image URL, so the CSP stays `'self'`). */
export function totpQrSvg(uri: string): string {
  return renderSVG(uri, { ecc: 'M', border: 2, pixelSize: 6 });
}

/** The time step of a moment (epoch ms). */
export function totpStep(at: number): number {
  return Math.floor(at / 1000 / TOTP_PERIOD_SEC);
}

/** The code for a moment (tests, and nothing else in the hub). */
export function totpCode(secretBase32: string, at: number): string {
  return totp(secretBase32).generate({ timestamp: at });
}

/** Whether the text has the shape of a code (6 digits; spaces allowed between them). */
export function looksLikeTotp(text: string): boolean {
  return /^\d{6}$/.test(text.replace(/\s+/g, ''));
}

/**
 * The step a code is valid for at `at` (within ±TOTP_WINDOW), later than `lastStep`; undefined
 * when the code is wrong, or of a step already used (a replay) or before it.
 */
export function matchTotp(secretBase32: string, code: string, at: number, lastStep?: number): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secretBase32).validate({ token, timestamp: at, window: TOTP_WINDOW });
  if (delta === null) return undefined;
  const step = totpStep(at) + delta;
  return lastStep !== undefined && step <= lastStep ? undefined : step;
}
