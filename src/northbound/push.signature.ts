/**
 * Signing and checking a pushed feed entry (docs/northbound.md "Signatures"): the generic alert
 * webhook's scheme (src/dispatch/channels/generic.channel.ts `sign`), HMAC-SHA256 over
 * `<timestamp>.<body>` with the shared secret, in `X-Compound-Hub-Signature: sha256=<hex>`, the
 * timestamp (ms epoch) in `X-Compound-Hub-Timestamp`. A receiver refuses a timestamp further than
 * SIGNATURE_TOLERANCE_MS from its clock (a replayed old request) and compares in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { sign } from '../dispatch/channels/generic.channel.ts';
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_MS, TIMESTAMP_HEADER } from '../contracts/northbound.ts';

/** The headers of one signed POST of `body` at `at`. */
export function signedHeaders(secret: string, body: string, at: number): Record<string, string> {
  const timestamp = String(at);
  return { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** Checks the signature headers of a received body (header names in lower case, as Node gives them). */
export function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now: number, toleranceMs = SIGNATURE_TOLERANCE_MS): SignatureCheck {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  if (Math.abs(now - Number(timestamp)) > toleranceMs) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
