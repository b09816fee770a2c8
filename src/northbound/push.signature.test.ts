/** Signing and checking pushed feed entries: the generic webhook's HMAC scheme, checked in constant time, stale timestamps refused. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedHeaders, verifySignature } from './push.signature.ts';
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_MS, TIMESTAMP_HEADER } from '../contracts/northbound.ts';

const SECRET = 'district-to-city-secret-0123';
const T = 1_800_000_000_000;
const BODY = JSON.stringify({ v: 1, id: 'a1.0', kind: 'alert_event', note: '中文 ✓' });

describe('push signature', () => {
  it('signs sha256=HMAC(secret, "<timestamp>.<body>") in hex, with the timestamp in ms, as a receiver computes it on its own', () => {
    const headers = signedHeaders(SECRET, BODY, T);
    expect(headers[TIMESTAMP_HEADER]).toBe(String(T));
    expect(headers['content-type']).toBe('application/json');
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`, 'utf8').digest('hex');
    expect(headers[SIGNATURE_HEADER]).toBe(`sha256=${expected}`);
    expect(headers[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('verifies what it signed, within the tolerance either way', () => {
    const headers = signedHeaders(SECRET, BODY, T);
    expect(verifySignature(SECRET, headers, BODY, T)).toEqual({ ok: true });
    expect(verifySignature(SECRET, headers, BODY, T + SIGNATURE_TOLERANCE_MS)).toEqual({ ok: true });
    expect(verifySignature(SECRET, headers, BODY, T - SIGNATURE_TOLERANCE_MS)).toEqual({ ok: true });
  });

  it('refuses another body, another secret, another timestamp, a truncated or multibyte signature', () => {
    const headers = signedHeaders(SECRET, BODY, T);
    expect(verifySignature(SECRET, headers, BODY.replace('a1.0', 'a1.1'), T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('another-secret-of-16+', headers, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, { ...headers, [TIMESTAMP_HEADER]: String(T + 1) }, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.slice(0, 40) }, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    const sameLength = `sha256=${'é'.repeat(32)}`;
    expect(verifySignature(SECRET, { ...headers, [SIGNATURE_HEADER]: sameLength }, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a timestamp further than the tolerance (a replay), and missing or malformed headers', () => {
    const headers = signedHeaders(SECRET, BODY, T);
    expect(verifySignature(SECRET, headers, BODY, T + SIGNATURE_TOLERANCE_MS + 1)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(SECRET, headers, BODY, T - SIGNATURE_TOLERANCE_MS - 1)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(SECRET, { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] }, BODY, T)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(SECRET, { [TIMESTAMP_HEADER]: String(T) }, BODY, T)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(SECRET, { ...headers, [TIMESTAMP_HEADER]: 'yesterday' }, BODY, T)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(SECRET, { ...headers, [SIGNATURE_HEADER]: [headers[SIGNATURE_HEADER]!, 'x'] }, BODY, T)).toEqual({ ok: false, reason: 'missing' });
  });
});
